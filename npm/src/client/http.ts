/**
 * Sends a core-built request with `fetch` (global, or the one the caller injects) and
 * hands back status and body text. Every message goes to the trace with secrets redacted.
 */
import { OAuthCallbackError } from "../errors.js";
import { steps, type CoreRequest } from "./steps.js";

/** One entry of the readable trace of OAuth messages; secrets appear as `abc…`. */
export type OAuthEvent =
  | { readonly type: "request"; readonly step: string; readonly method: string; readonly url: string; readonly body?: string }
  | { readonly type: "response"; readonly step: string; readonly status: number; readonly body: string }
  | { readonly type: "info"; readonly step: string; readonly message: string };

export type Emit = (event: OAuthEvent) => void;

/** Largest response body read (1 MiB, the core's JSON limit). */
const MAX_BODY = 1 << 20;

export async function send(fetchImpl: typeof fetch, request: CoreRequest, step: string, emit: Emit, signal?: AbortSignal): Promise<{ status: number; body: string }> {
  const requestEvent: { type: "request"; step: string; method: string; url: string; body?: string } = { type: "request", step, method: request.method, url: steps.redactUrl(request.url) };
  if (request.body !== null) requestEvent.body = steps.redactBody(request.body);
  emit(requestEvent);
  let response: Response;
  try {
    const init: RequestInit = { method: request.method, headers: request.headers, redirect: "manual" };
    if (request.body !== null) init.body = request.body;
    if (signal) init.signal = signal;
    response = await fetchImpl(request.url, init);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw new OAuthCallbackError("HTTP_ERROR", `${step}: ${request.method} ${new URL(request.url).origin} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const body = await response.text();
  if (body.length > MAX_BODY) throw new OAuthCallbackError("INVALID_RESPONSE", `${step}: the response is larger than 1 MiB`);
  emit({ type: "response", step, status: response.status, body: steps.redactBody(body) });
  return { status: response.status, body };
}
