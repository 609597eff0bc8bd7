/**
 * OpenID Connect on top of the OAuth steps: the UserInfo request (OIDC Core §5.3) and ID
 * token validation (§3.1.3.7) with the issuer's JWK Set. Every check is the core's; this
 * file fetches the key set (through the same bounded `send` as every other request) and
 * keeps it.
 */
import { OAuthCallbackError } from "../errors.js";
import { exchange, untilAborted, type Emit, type SendOptions } from "./http.js";
import { idTokenNeedsKeys, keySet as keySetRequest, processKeySet, processUserInfo, userinfo, validateIdToken, type IdTokenClaims, type ServerMetadata, type UserInfo } from "./steps.js";

/**
 * The issuer's JWK Set, fetched when first needed and again when a token names a key it
 * does not have (the issuer rotated its keys); concurrent callers share one request.
 */
export class KeySetCache {
  #document: string | undefined;
  #uri: string | undefined;
  #pending: Promise<string> | undefined;

  /** A key set with a key that fits `idToken`, fetching it (again) when the one kept has none. */
  async keysFor(idToken: string, jwksUri: string, fetchImpl: typeof fetch, emit: Emit, options: SendOptions): Promise<string> {
    if (this.#uri === jwksUri && this.#document !== undefined && !idTokenNeedsKeys(idToken, this.#document)) return this.#document;
    // Throws ID_TOKEN_INVALID for a token that is not a JWS at all, before any request.
    idTokenNeedsKeys(idToken, undefined);
    // Shared by concurrent callers, so bounded by the deadline only: one caller's abort
    // stops that caller's wait, not the others'.
    this.#pending ??= fetchKeySet(jwksUri, fetchImpl, emit, { timeoutMs: options.timeoutMs }).finally(() => {
      this.#pending = undefined;
    });
    const document = await untilAborted(this.#pending, options.signal);
    this.#document = document;
    this.#uri = jwksUri;
    return document;
  }
}

async function fetchKeySet(jwksUri: string, fetchImpl: typeof fetch, emit: Emit, options: SendOptions): Promise<string> {
  return exchange(fetchImpl, keySetRequest(jwksUri), "jwks", emit, options, processKeySet);
}

/** What an ID token is checked against, besides the issuer's metadata. */
export interface IdTokenExpectations {
  clientId: string;
  /** The `nonce` the authorization request carried. */
  nonce?: string | undefined;
  /** Check `exp`/`iat`/`nbf` (a token that just arrived) or not (one read back from the store). */
  checkTime: boolean;
  /** The `sub` of an earlier ID token of this sign-in. */
  subject?: string | undefined;
}

/** OIDC Core §3.1.3.7: the claims of `idToken`, after every check; `ID_TOKEN_INVALID` otherwise. */
export async function checkIdToken(
  idToken: string,
  meta: ServerMetadata,
  expected: IdTokenExpectations,
  keys: KeySetCache,
  fetchImpl: typeof fetch,
  emit: Emit,
  options: SendOptions,
): Promise<IdTokenClaims> {
  if (!meta.jwksUri) {
    throw new OAuthCallbackError(
      "MISSING_PARAMETER",
      `cannot check the ID token: the metadata of ${meta.issuer} has no jwks_uri (with configured endpoints, give endpoints.jwksUri)`,
    );
  }
  const keySet = await keys.keysFor(idToken, meta.jwksUri, fetchImpl, emit, options);
  return validateIdToken(idToken, keySet, meta.issuer, expected.clientId, expected.nonce, expected.checkTime, expected.subject);
}

/**
 * OIDC Core §5.3: the user's claims from the UserInfo endpoint, the access token sent as
 * a bearer token. `expectedSubject` (the ID token's `sub`) must match the answer's.
 */
export async function requestUserInfo(
  meta: ServerMetadata,
  accessToken: string,
  expectedSubject: string | undefined,
  fetchImpl: typeof fetch,
  emit: Emit,
  options: SendOptions,
): Promise<UserInfo> {
  if (!meta.userinfoEndpoint) {
    throw new OAuthCallbackError("MISSING_PARAMETER", `the metadata of ${meta.issuer} has no userinfo_endpoint (with configured endpoints, give endpoints.userinfoEndpoint)`);
  }
  return exchange(fetchImpl, userinfo(meta.userinfoEndpoint, accessToken), "userinfo", emit, options, (status, body, headers) =>
    processUserInfo(status, headers.get("content-type"), headers.get("www-authenticate"), body, expectedSubject),
  );
}
