/**
 * The calling convention of the browser's glue-free wasm modules (crates/wasm-authorize:
 * the `authorize` module of `init()` and the `login` module of `BrowserOAuthClient`): each
 * call writes its arguments as one framed buffer (crates/wasm-authorize/src/frame.rs), runs
 * one numbered operation and reads one output. Both loaders use this file; it moves bytes
 * and holds no protocol logic.
 */
import { OAuthCallbackError, type ErrorCode } from "./errors.js";
import { fetchModule, wasmLoadError, withDeadline, type WasmLoadOptions } from "./wasm-fetch.js";

/** Where a module's bytes come from: a URL to fetch, a fetched response, or the bytes. */
export type WasmSource = string | URL | Response | BufferSource | WebAssembly.Module;

/** The exports every framed module has (crates/wasm-authorize/src/abi.rs). */
export interface FrameExports {
  memory: WebAssembly.Memory;
  input(len: number): number;
  call(op: number): number;
  output_len(): number;
  /** Only in the `authorize` module's `full` build and in the `login` module. */
  full?: () => void;
  /** Only in the `login` module. */
  login?: () => void;
}

/** A framed argument: text, a bare u32, or an absent text (`null`/`undefined`). */
export type Item = string | number | null | undefined;

/** Runs operation `op` with `items` framed; returns its value or throws its error. */
export type Invoke = (op: number, items: readonly Item[]) => string;

/** The frame's length word for an absent text. */
const ABSENT = 0xffffffff;

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder();

/** `n`, then the `n` texts. */
export const list = (texts: readonly string[]): Item[] => [texts.length, ...texts];

/** `n`, then `n` name/value pairs (a missing value is empty). */
export function pairs(names: readonly string[], values: readonly string[]): Item[] {
  const out: Item[] = [names.length];
  names.forEach((name, i) => out.push(name, values[i] ?? ""));
  return out;
}

/**
 * Writes `text` as UTF-8 at `at`; returns the byte count. (A hand-written ASCII copy for
 * short texts made `challengeFromVerifier` about 20 % faster in Chromium, but cost the
 * PKCE page 57 bytes gzip, which has a bar of its own; PKCE pairs pass no text.)
 */
function encodeText(text: string, bytes: Uint8Array, at: number): number {
  return encoder.encodeInto(text, bytes.subarray(at, at + text.length * 3)).written;
}

/**
 * The call function of one instance. An operation's error comes back as its code, a
 * newline and its message, and is thrown as that `OAuthCallbackError`.
 */
export function invoker(x: FrameExports): Invoke {
  // Views of linear memory, made again only when the memory grew (its buffer changes).
  let buffer: ArrayBuffer | undefined;
  let bytes = new Uint8Array(0);
  let view = new DataView(bytes.buffer);
  const views = (): void => {
    if (x.memory.buffer !== buffer) {
      buffer = x.memory.buffer;
      bytes = new Uint8Array(buffer);
      view = new DataView(buffer);
    }
  };
  return (op, items) => {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the module reads only what the
    // frame says, so room left over is harmless.
    let room = 0;
    for (const item of items) room += 4 + (typeof item === "string" ? item.length * 3 : 0);
    const start = x.input(room);
    views();
    let at = start;
    for (const item of items) {
      if (typeof item === "string") {
        const written = encodeText(item, bytes, at + 4);
        view.setUint32(at, written, true);
        at += 4 + written;
      } else {
        view.setUint32(at, typeof item === "number" ? item : ABSENT, true);
        at += 4;
      }
    }
    const out = x.call(op);
    views();
    const text = decoder.decode(bytes.subarray(out + 1, out + x.output_len()));
    if (bytes[out] === 0) return text;
    const newline = text.indexOf("\n");
    throw new OAuthCallbackError(text.slice(0, newline) as ErrorCode, text.slice(newline + 1));
  };
}

async function instantiate(what: string, source: WasmSource, imports: WebAssembly.Imports, signal: AbortSignal): Promise<WebAssembly.Instance> {
  if (source instanceof WebAssembly.Module) return WebAssembly.instantiate(source, imports);
  if (typeof source === "string" || source instanceof URL || source instanceof Response) {
    const response = await fetchModule(what, source, signal);
    if (response.headers.get("content-type")?.split(";")[0]?.trim() === "application/wasm") {
      return (await WebAssembly.instantiateStreaming(response, imports)).instance;
    }
    return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
  }
  return (await WebAssembly.instantiate(source, imports)).instance;
}

/**
 * Fetches (or takes) and instantiates a framed module within `options`' bounds. `what`
 * names it in errors ("authorize wasm module"), `file` is the file a wrong module should
 * have been, and `marker` the export only the wanted build has. The module's only import, `env.fill_random`, is served from
 * `crypto.getRandomValues`, 4 KiB at a time (one call serves 128 PKCE verifiers); each
 * slice handed to the module is zeroed here at once.
 */
export async function loadFramedModule(what: string, file: string, source: WasmSource, options: WasmLoadOptions, marker?: "login"): Promise<FrameExports> {
  let memory: WebAssembly.Memory | undefined;
  const pool = new Uint8Array(4096);
  let used = pool.length;
  const imports = {
    env: {
      fill_random(ptr: number, len: number): void {
        const crypto = globalThis.crypto;
        if (!memory || typeof crypto?.getRandomValues !== "function") {
          throw new OAuthCallbackError("ENTROPY_UNAVAILABLE", "this page has no crypto.getRandomValues");
        }
        const target = new Uint8Array(memory.buffer, ptr, len);
        if (len > pool.length) {
          for (let at = 0; at < len; at += 65536) crypto.getRandomValues(target.subarray(at, Math.min(len, at + 65536)));
          return;
        }
        if (used + len > pool.length) {
          crypto.getRandomValues(pool);
          used = 0;
        }
        target.set(pool.subarray(used, used + len));
        pool.fill(0, used, used + len);
        used += len;
      },
    },
  };
  let instance: WebAssembly.Instance;
  try {
    instance = await withDeadline(what, options, (signal) => instantiate(what, source, imports, signal));
  } catch (cause) {
    throw wasmLoadError(`${what} (${file})`, cause);
  }
  const x = instance.exports as unknown as FrameExports;
  if (
    typeof x.input !== "function" ||
    typeof x.call !== "function" ||
    typeof x.output_len !== "function" ||
    !(x.memory instanceof WebAssembly.Memory) ||
    (marker !== undefined && typeof x[marker] !== "function")
  ) {
    throw new OAuthCallbackError("NOT_INITIALIZED", `this wasm module is not oauth-callback-rs's ${what.replace(" wasm module", "")} module (${file})`);
  }
  memory = x.memory;
  return x;
}
