/**
 * Loading a browser wasm module within bounds: the request, its body and the compile run
 * under a deadline, and stop at once when the caller's signal fires. Both browser loaders
 * use it (the `authorize` module of `init()`, the login module of `BrowserOAuthClient`).
 */
import { OAuthCallbackError } from "./errors.js";
import { checkTimeout, deadline, throwIfAborted } from "./client/http.js";

/** The bounds of one module load. */
export interface WasmLoadOptions {
  /** Aborting cancels the download and rejects with `ABORTED`. */
  signal?: AbortSignal | undefined;
  /** Deadline in milliseconds for the download and the compile (default 30000, as for requests); past it, `TIMEOUT`. */
  timeoutMs?: number | undefined;
}

/**
 * Runs `work` with a signal that fires when `timeoutMs` passes (`TIMEOUT`) or `signal`
 * fires (`ABORTED`); the returned promise settles with that error at once, even if
 * `work` ignores its signal. `what` names the module in the timeout's message.
 */
export async function withDeadline<T>(what: string, options: WasmLoadOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (typeof options !== "object" || options === null) {
    throw new OAuthCallbackError("INVALID_PARAMETER", "the load options must be an object: { signal?, timeoutMs? }");
  }
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new OAuthCallbackError("INVALID_PARAMETER", "signal must be an AbortSignal");
  }
  const timeoutMs = checkTimeout("timeoutMs", options.timeoutMs);
  throwIfAborted(signal);
  const bound = deadline(timeoutMs, signal, `the ${what} did not arrive and compile within ${timeoutMs} ms`);
  return Promise.race([work(bound.signal), bound.stopped]).finally(() => bound.clear());
}

/** Fetches `url` with `signal` (or takes a response); one other than 2xx is `NOT_INITIALIZED` naming `what` and the status. */
export async function fetchModule(what: string, url: string | URL | Response, signal: AbortSignal): Promise<Response> {
  const response = url instanceof Response ? url : await fetch(url, { signal });
  if (!response.ok) {
    throw new OAuthCallbackError("NOT_INITIALIZED", `cannot fetch the ${what} ${response.url || String(url)}: HTTP ${response.status}`);
  }
  return response;
}

/** A wasm module that did not load, as the typed error both browser loaders throw (`TIMEOUT` and `ABORTED` pass through). */
export function wasmLoadError(module: string, cause: unknown): OAuthCallbackError {
  if (cause instanceof OAuthCallbackError) return cause;
  return new OAuthCallbackError("NOT_INITIALIZED", `cannot load the ${module}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}
