/**
 * The browser's `authorize` wasm module (crates/wasm-authorize): PKCE, state, nonce,
 * authorization URLs, endpoint checks, loopback redirect URIs and templates, from the
 * same Rust core as every other module, for pages that only start a login. It has no
 * wasm-bindgen glue; this file moves the bytes: each call writes its arguments as one
 * framed buffer (see crates/wasm-authorize/src/frame.rs) and reads one output.
 */
import { OAuthCallbackError, type ErrorCode } from "./errors.js";
import { fetchModule, wasmLoadError, withDeadline, type WasmLoadOptions } from "./wasm-fetch.js";

/** Where the module's bytes come from: a URL to fetch, a fetched response, or the bytes. */
export type WasmSource = string | URL | Response | BufferSource | WebAssembly.Module;

interface Exports {
  memory: WebAssembly.Memory;
  input(len: number): number;
  call(op: number): number;
  output_len(): number;
}

// The operation numbers of crates/wasm-authorize/src/ops.rs.
const PKCE_PAIR = 0;
const CHALLENGE = 1;
const STATE = 2;
const NONCE = 3;
const AUTHORIZATION_URL = 4;
const TEMPLATE = 5;
const LOOPBACK_REDIRECT_URI = 6;
const CHECKED_ENDPOINT = 7;
const ABSENT = 0xffffffff;

/** A framed argument: text, a bare u32, or an absent text. */
type Item = string | number | null | undefined;

/** The protocol functions of the module, named and typed as the client module's. */
export interface AuthorizeBindings {
  generatePkce(length: number): string[];
  challengeFromVerifier(verifier: string): string;
  generateState(): string;
  generateNonce(): string;
  buildAuthorizationUrl(
    endpoint: string,
    clientId: string,
    redirectUri: string | null | undefined,
    scope: string | null | undefined,
    state: string,
    codeChallenge: string,
    resources: string[],
    extraNames: string[],
    extraValues: string[],
  ): string;
  renderTemplate(template: string, names: string[], values: string[]): string;
  loopbackRedirectUri(hostname: string, port: number, callbackPath: string): string;
  checkedEndpoint(url: string): string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pairs(names: readonly string[], values: readonly string[]): Item[] {
  const out: Item[] = [names.length];
  names.forEach((name, i) => out.push(name, values[i] ?? ""));
  return out;
}

/** Writes `text` as UTF-8 at `at`; returns the byte count. Short ASCII (a verifier) by hand. */
function encodeText(text: string, bytes: Uint8Array, at: number): number {
  if (text.length <= 128) {
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      bytes[at + i] = c;
    }
    if (i === text.length) return i;
  }
  return encoder.encodeInto(text, bytes.subarray(at, at + text.length * 3)).written;
}

/** Short ASCII output (every PKCE value, state and nonce) without TextDecoder's overhead. */
function decode(output: Uint8Array): string {
  if (output.length <= 256) {
    let text = "";
    for (let i = 0; i < output.length; i++) {
      const b = output[i] ?? 0;
      if (b > 0x7f) return decoder.decode(output);
      text += String.fromCharCode(b);
    }
    return text;
  }
  return decoder.decode(output);
}

function bindings(x: Exports): AuthorizeBindings {
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

  /** Runs operation `op` with `items` framed; returns its value or throws its error. */
  function invoke(op: number, items: readonly Item[]): string {
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
    const end = out + x.output_len();
    const text = decode(bytes.subarray(out + 1, end));
    if (bytes[out] === 0) return text;
    const newline = text.indexOf("\n");
    throw new OAuthCallbackError(text.slice(0, newline) as ErrorCode, text.slice(newline + 1));
  }
  return {
    generatePkce: (length) => invoke(PKCE_PAIR, [length]).split(" "),
    challengeFromVerifier: (verifier) => invoke(CHALLENGE, [verifier]),
    generateState: () => invoke(STATE, []),
    generateNonce: () => invoke(NONCE, []),
    buildAuthorizationUrl: (endpoint, clientId, redirectUri, scope, state, challenge, resources, names, values) =>
      invoke(AUTHORIZATION_URL, [endpoint, clientId, redirectUri, scope, state, challenge, resources.length, ...resources, ...pairs(names, values)]),
    renderTemplate: (template, names, values) => invoke(TEMPLATE, [template, ...pairs(names, values)]),
    loopbackRedirectUri: (hostname, port, callbackPath) => invoke(LOOPBACK_REDIRECT_URI, [hostname, port, callbackPath]),
    checkedEndpoint: (url) => invoke(CHECKED_ENDPOINT, [url]),
  };
}

async function instantiate(source: WasmSource, imports: WebAssembly.Imports, signal: AbortSignal): Promise<WebAssembly.Instance> {
  if (source instanceof WebAssembly.Module) return WebAssembly.instantiate(source, imports);
  if (typeof source === "string" || source instanceof URL || source instanceof Response) {
    const response = await fetchModule("authorize wasm module", source, signal);
    if (response.headers.get("content-type")?.split(";")[0]?.trim() === "application/wasm") {
      return (await WebAssembly.instantiateStreaming(response, imports)).instance;
    }
    return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
  }
  return (await WebAssembly.instantiate(source, imports)).instance;
}

/** Fetches (or takes) and instantiates the `authorize` module, within `options`' bounds. */
export async function loadAuthorizeModule(source: WasmSource, options: WasmLoadOptions = {}): Promise<AuthorizeBindings> {
  let memory: WebAssembly.Memory | undefined;
  // Random octets are drawn 4 KiB at a time (one getRandomValues call serves 128 PKCE
  // verifiers); each slice handed to the module is zeroed here at once.
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
    instance = await withDeadline("authorize wasm module", options, (signal) => instantiate(source, imports, signal));
  } catch (cause) {
    throw wasmLoadError("authorize wasm module", cause);
  }
  const x = instance.exports as unknown as Exports;
  if (typeof x.input !== "function" || typeof x.call !== "function" || typeof x.output_len !== "function" || !(x.memory instanceof WebAssembly.Memory)) {
    throw new OAuthCallbackError("NOT_INITIALIZED", "this wasm module is not oauth-callback-rs's authorize module (wasm-authorize/oauth_callback_authorize.wasm)");
  }
  memory = x.memory;
  return bindings(x);
}
