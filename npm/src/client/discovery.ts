import { OAuthCallbackError } from "../errors.js";
import type { Emit, SendOptions } from "./http.js";
import { inContext, send, serverFailure } from "./http.js";
import { discoveryRequests, redactUrl, processMetadata, type ServerMetadata } from "./steps.js";

/**
 * RFC 8414, then OpenID Connect discovery: the first document found is checked by the
 * core (issuer equal to the one asked for, S256, https endpoints). A mismatching issuer
 * stops the search at once: it is an attack, not a miss. So does a request that fails
 * below HTTP (refused, timed out, aborted): both documents live on the same server. A
 * 404, a 5xx or an unusable document moves on to the next; errors name the URL asked.
 */
export async function discoverMetadata(issuer: string, fetchImpl: typeof fetch, emit: Emit, options: SendOptions = {}): Promise<ServerMetadata> {
  let last: unknown;
  const tried: string[] = [];
  for (const request of discoveryRequests(issuer)) {
    tried.push(redactUrl(request.url));
    const response = await send(fetchImpl, request, "discovery", emit, options);
    if (response.status === 404) continue;
    const failure = serverFailure(response, request, "discovery");
    if (failure) {
      last = failure;
      continue;
    }
    try {
      return processMetadata(issuer, response.status, response.body);
    } catch (err) {
      last = inContext(err, request, "discovery");
      if (err instanceof OAuthCallbackError && err.code === "ISSUER_MISMATCH") throw last;
    }
  }
  throw last ?? new OAuthCallbackError("DISCOVERY_FAILED", `no authorization server metadata for ${issuer}: ${tried.join(" and ")} answered 404 (RFC 8414, OpenID Connect discovery)`);
}
