import { OAuthCallbackError } from "../errors.js";
import type { Emit } from "./http.js";
import { send } from "./http.js";
import { steps, type ServerMetadata } from "./steps.js";

/**
 * RFC 8414, then OpenID Connect discovery: the first document found is checked by the
 * core (issuer equal to the one asked for, S256, https endpoints). A mismatching issuer
 * stops the search at once: it is an attack, not a miss.
 */
export async function discoverMetadata(issuer: string, fetchImpl: typeof fetch, emit: Emit): Promise<ServerMetadata> {
  let last: unknown;
  for (const request of steps.discoveryRequests(issuer)) {
    const { status, body } = await send(fetchImpl, request, "discovery", emit);
    if (status === 404) continue;
    try {
      return steps.processMetadata(issuer, status, body);
    } catch (err) {
      last = err;
      if (err instanceof OAuthCallbackError && err.code === "ISSUER_MISMATCH") throw err;
    }
  }
  throw last ?? new OAuthCallbackError("DISCOVERY_FAILED", `no authorization server metadata at ${issuer} (RFC 8414 or OpenID Connect discovery)`);
}
