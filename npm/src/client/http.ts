/**
 * Sends a core-built request with `fetch` (global, or the one the caller injects) and
 * hands back status and body text. Every message goes to the trace with secrets redacted.
 *
 * Every request is bounded: one deadline covers the headers and the whole body, the body
 * is capped at 1 MiB while it streams in, and the caller's `AbortSignal` cancels it. Each
 * wait races that deadline, so a call settles in time even when a runtime's `fetch` or
 * an injected one ignores the abort.
 */
import { OAuthCallbackError } from "../errors.js";
import { redactUrl, redactBody, type CoreRequest } from "./steps.js";

/** One entry of the readable trace of OAuth messages; secrets appear as `abc…`. */
export type OAuthEvent =
  | { readonly type: "request"; readonly step: string; readonly method: string; readonly url: string; readonly body?: string }
  | { readonly type: "response"; readonly step: string; readonly status: number; readonly body: string }
  | { readonly type: "info"; readonly step: string; readonly message: string };

export type Emit = (event: OAuthEvent) => void;

/**
 * Largest response body read (1 MiB, the core's JSON limit). A plain literal, not
 * `1 << 20`, which esbuild keeps in pages that never read a body.
 */
const MAX_BODY = 1_048_576;

/** Default bound of one request, headers and body together, in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** How one request is bounded. */
export interface SendOptions {
  /** The caller's signal: aborting cancels the request and rejects with `ABORTED`. */
  signal?: AbortSignal | undefined;
  /** Deadline for the response, headers and body (default `DEFAULT_REQUEST_TIMEOUT_MS`). */
  timeoutMs?: number | undefined;
}

/** A response read whole (within the bounds). */
export interface HttpResponse {
  status: number;
  body: string;
  headers: Headers;
}

/** `oauth-callback`'s abort error, as `getAuthCode` throws it: typed, the signal's reason as `cause`. */
export function aborted(signal: AbortSignal): OAuthCallbackError {
  return new OAuthCallbackError("ABORTED", "Operation aborted", { cause: signal.reason });
}

/** Throws `ABORTED` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw aborted(signal);
}

/**
 * `promise`, or `ABORTED` as soon as `signal` fires. The work behind `promise` goes on
 * (it is bounded by its own deadline); only this caller stops waiting for it.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(aborted(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

/** One bounded wait: see {@link deadline}. */
export interface Deadline {
  /** Fires at the deadline or on the caller's abort; pass it to the work (`fetch`). */
  readonly signal: AbortSignal;
  /** Rejects with the first of `TIMEOUT` or `ABORTED`; never resolves. */
  readonly stopped: Promise<never>;
  /** That error, once there is one. */
  reason(): OAuthCallbackError | undefined;
  /** Cancels the work now (its signal fires), when nothing more of it is wanted. */
  cancel(): void;
  /** Ends the timer and stops listening to the caller's signal. */
  clear(): void;
}

/**
 * `timeoutMs` and the caller's `signal` as one bound: whichever comes first rejects
 * `stopped` (`TIMEOUT` with the message `late` gives, or `ABORTED`) and fires `signal`, so
 * the work is cancelled and a wait raced against `stopped` settles at once even when
 * the work ignores its signal. Requests (`send`) and the browser's wasm downloads use it.
 */
export function deadline(timeoutMs: number, signal: AbortSignal | undefined, late: string): Deadline {
  const controller = new AbortController();
  let first: OAuthCallbackError | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const halt = (err: OAuthCallbackError) => {
      first ??= err;
      reject(first);
      controller.abort(first);
    };
    timer = setTimeout(() => halt(new OAuthCallbackError("TIMEOUT", late)), timeoutMs);
    if (signal) {
      onAbort = () => halt(aborted(signal));
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
  stopped.catch(() => undefined);
  return {
    signal: controller.signal,
    stopped,
    reason: () => first,
    cancel: () => controller.abort(first),
    clear() {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    },
  };
}

/** Checks a `requestTimeoutMs` option: a positive number of milliseconds a timer can hold. */
export function checkTimeout(name: string, value: unknown): number {
  if (value === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  if (typeof value !== "number" || !(value > 0) || value > 2_147_483_647) {
    throw new OAuthCallbackError("INVALID_PARAMETER", `${name} must be a positive number of milliseconds (at most 2147483647)`);
  }
  return value;
}

/** `step: METHOD url`, the URL with secrets redacted: how errors name a request. */
export function describeRequest(request: CoreRequest, step: string): string {
  return `${step}: ${request.method} ${redactUrl(request.url)}`;
}

/** What went wrong below HTTP, from an error and its causes (`fetch failed: connect ECONNREFUSED ...`). */
function networkCause(err: unknown, request: CoreRequest): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (typeof e !== "object") {
      parts.push(String(e));
      break;
    }
    const { message, code, cause } = e as { message?: unknown; code?: unknown; cause?: unknown };
    // OpenSSL's error strings (Node) carry addresses and source paths: keep the reason.
    if (typeof message === "string" && message !== "") parts.push(message.replace(/[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:([^:]+):\S*/g, "TLS error: $1"));
    if (typeof code === "string" && !parts.some((p) => p.includes(code))) parts.push(code);
    e = cause;
  }
  // Some runtimes put the URL in the message: show it redacted, like ours.
  const text = parts.join(": ").split(request.url).join(redactUrl(request.url));
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean || "unknown error";
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export async function send(fetchImpl: typeof fetch, request: CoreRequest, step: string, emit: Emit, options: SendOptions = {}): Promise<HttpResponse> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  throwIfAborted(signal);
  const what = describeRequest(request, step);
  const requestEvent: { type: "request"; step: string; method: string; url: string; body?: string } = { type: "request", step, method: request.method, url: redactUrl(request.url) };
  if (request.body !== null) requestEvent.body = redactBody(request.body);
  emit(requestEvent);

  // At the deadline or on the caller's abort, whichever comes first, the request and its
  // body are cancelled and every wait below settles.
  const bound = deadline(timeoutMs, signal, `${what} got no complete response within ${timeoutMs} ms`);
  const bounded = <T>(p: Promise<T>): Promise<T> => Promise.race([p, bound.stopped]);

  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let complete = false;
  try {
    let response: Response;
    try {
      const init: RequestInit = { method: request.method, headers: request.headers, redirect: "manual", signal: bound.signal };
      if (request.body !== null) init.body = request.body;
      response = await bounded(Promise.resolve().then(() => fetchImpl(request.url, init)));
    } catch (err) {
      throw bound.reason() ?? new OAuthCallbackError("HTTP_ERROR", `${what} failed: ${networkCause(err, request)}`, { cause: err });
    }
    const tooLarge = () => new OAuthCallbackError("INVALID_RESPONSE", `${what}: the response body is larger than 1 MiB; the rest was not read`);
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > MAX_BODY) throw tooLarge();
    let body = "";
    if (response.body) {
      reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await bounded(reader.read());
        } catch (err) {
          throw bound.reason() ?? new OAuthCallbackError("HTTP_ERROR", `${what}: the response broke off before it was complete (${networkCause(err, request)})`, { cause: err });
        }
        if (chunk.done) break;
        size += chunk.value.byteLength;
        if (size > MAX_BODY) throw tooLarge();
        chunks.push(chunk.value);
      }
      body = new TextDecoder().decode(concat(chunks, size));
    } else if (typeof response.text === "function") {
      // A response object without a stream (an injected fetch's): still within the deadline.
      body = await bounded(response.text());
      if (body.length > MAX_BODY) throw tooLarge();
    }
    complete = true;
    emit({ type: "response", step, status: response.status, body: redactBody(body) });
    return { status: response.status, body, headers: response.headers };
  } finally {
    bound.clear();
    if (!complete) {
      // Free the connection: nothing more of this response is wanted.
      bound.cancel();
      reader?.cancel().catch(() => undefined);
    }
  }
}

/** Seconds from a `Retry-After` header (RFC 9110 §10.2.3), or undefined. */
function retryAfterSeconds(value: string | null): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * A 5xx answer is the server failing, never an OAuth answer (RFC 6749 §5.2 errors are
 * 400 or 401): a typed `HTTP_ERROR` naming the status and `Retry-After`, with no body
 * quoted (the trace has it, redacted).
 */
export function serverFailure(response: HttpResponse, request: CoreRequest, step: string): OAuthCallbackError | undefined {
  if (response.status < 500 || response.status > 599) return undefined;
  const retry = retryAfterSeconds(response.headers.get("retry-after"));
  const later = retry === undefined ? "" : `; it asks to retry after ${retry} s (Retry-After)`;
  return new OAuthCallbackError("HTTP_ERROR", `${describeRequest(request, step)} answered HTTP ${response.status}${later}`);
}

/** A processing error with the request it came from named in front; `OAuthError`s pass as they are. */
export function inContext(err: unknown, request: CoreRequest, step: string): unknown {
  if (!(err instanceof OAuthCallbackError)) return err;
  return new OAuthCallbackError(err.code, `${describeRequest(request, step)}: ${err.message}`, { cause: err });
}

/**
 * One protocol step over HTTP: sends `request` within its bounds, refuses a 5xx, and
 * hands the response to the core's processor `process`, whose errors name the request.
 */
export async function exchange<T>(
  fetchImpl: typeof fetch,
  request: CoreRequest,
  step: string,
  emit: Emit,
  options: SendOptions,
  process: (status: number, body: string, headers: Headers) => T,
): Promise<T> {
  const response = await send(fetchImpl, request, step, emit, options);
  const failure = serverFailure(response, request, step);
  if (failure) throw failure;
  try {
    return process(response.status, response.body, response.headers);
  } catch (err) {
    throw inContext(err, request, step);
  }
}
