/**
 * The protocol steps of `OAuthClient`, one call each, for programs that run the loopback
 * login themselves with `getAuthCode()` (or a page's redirect): discovery, the code
 * exchange with its `state` and RFC 9207 `iss` checks, refresh, revocation, UserInfo and
 * (Node, Bun, Deno) ID token validation. Each is the same core request builder and
 * response processor the client uses, sent with the same bounds: one deadline for headers
 * and body (`requestTimeoutMs`, default 30 s; `TIMEOUT` past it), the body capped at
 * 1 MiB, `signal` to cancel (`ABORTED`), 5xx as `HTTP_ERROR`.
 */
import type { CallbackResult } from "../auth-code.js";
import { OAuthCallbackError, expectString } from "../errors.js";
import { observer } from "../observer.js";
import { checkOptions } from "../options.js";
import { asList as list } from "../protocol.js";
import type { Tokens } from "../store/types.js";
import { discoverMetadata } from "./discovery.js";
import { checkTimeout, exchange, throwIfAborted, type OAuthEvent, type SendOptions } from "./http.js";
import { KeySetCache, checkIdToken, requestUserInfo } from "./oidc.js";
import { receivedTokens, steps, type ClientCredentials, type IdTokenClaims, type ServerMetadata, type UserInfo } from "./steps.js";

/** What every step accepts besides its own inputs. */
export interface StepOptions {
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** Aborting rejects with `ABORTED` (`cause`: the signal's reason) and cancels the request. */
  signal?: AbortSignal;
  /** Bound of the request, headers and body together, in ms (default 30000); past it: `TIMEOUT`. */
  requestTimeoutMs?: number;
  /** The trace of the messages, secrets redacted. */
  onEvent?: (event: OAuthEvent) => void;
}

const STEP_OPTIONS = ["fetch", "signal", "requestTimeoutMs", "onEvent"] as const;

/** The client a token endpoint request is made for. */
export interface StepClient {
  /** The server's metadata, from `discover()`. */
  metadata: ServerMetadata;
  clientId: string;
  /** For a confidential client (client_secret_basic or _post, as the metadata says). */
  clientSecret?: string;
}

const CLIENT_OPTIONS = ["metadata", "clientId", "clientSecret"] as const;

interface Prepared {
  fetch: typeof fetch;
  emit: (event: OAuthEvent) => void;
  send: SendOptions;
}

function prepare(where: string, options: object, own: readonly string[]): Prepared {
  if (typeof options !== "object" || options === null) throw new OAuthCallbackError("INVALID_PARAMETER", `${where} needs an options object`);
  checkOptions(where, options, [...own, ...STEP_OPTIONS]);
  const o = options as StepOptions;
  throwIfAborted(o.signal);
  const f = o.fetch ?? globalThis.fetch;
  if (typeof f !== "function") throw new OAuthCallbackError("INVALID_PARAMETER", `${where}: no fetch available: pass options.fetch`);
  return {
    fetch: f.bind(globalThis),
    emit: observer(o.onEvent),
    send: { signal: o.signal, timeoutMs: checkTimeout("requestTimeoutMs", o.requestTimeoutMs) },
  };
}

function metadataOf(where: string, m: unknown): ServerMetadata {
  const meta = m as Partial<ServerMetadata> | undefined;
  if (typeof meta !== "object" || meta === null || typeof meta.issuer !== "string" || typeof meta.tokenEndpoint !== "string") {
    throw new OAuthCallbackError("INVALID_PARAMETER", `${where}: metadata must be the server's metadata, as discover() returns it`);
  }
  return meta as ServerMetadata;
}

function credentials(where: string, o: StepClient): ClientCredentials {
  const meta = metadataOf(where, o.metadata);
  const cred: ClientCredentials = { clientId: expectString("clientId", o.clientId), authMethods: meta.tokenEndpointAuthMethods ?? ["client_secret_basic"] };
  if (o.clientSecret !== undefined) cred.clientSecret = expectString("clientSecret", o.clientSecret);
  return cred;
}

/**
 * RFC 8414, then OpenID Connect discovery, for `issuer`: the metadata with every endpoint
 * checked, the issuer equal to the one asked for (`ISSUER_MISMATCH` otherwise), and the
 * whole document in `raw`. Errors name the `.well-known` URL and the network cause.
 */
export async function discover(issuer: string, options: StepOptions = {}): Promise<ServerMetadata> {
  const p = prepare("discover", options, []);
  return discoverMetadata(expectString("issuer", issuer), p.fetch, p.emit, p.send);
}

/** Options of {@link exchangeCode}. */
export interface ExchangeCodeOptions extends StepClient, StepOptions {
  /**
   * What the redirect carried: `getAuthCode()`'s result, the redirect URL, or its query.
   * `state` must equal `expectedState`, and `iss` (RFC 9207) the metadata's issuer
   * (required when the server advertises it); an OAuth error in it is an `OAuthError`.
   */
  callbackParams: CallbackResult | URLSearchParams | URL | string;
  /** The `state` sent in the authorization URL. */
  expectedState: string;
  /** The `redirect_uri` of the authorization request, exactly. */
  redirectUri: string;
  /** The PKCE verifier whose challenge the authorization URL carried. */
  codeVerifier: string;
  /** Resource indicators (RFC 8707). */
  resource?: string | readonly string[];
}

function callbackRecord(input: ExchangeCodeOptions["callbackParams"]): Record<string, string | undefined> {
  if (typeof input === "string" || input instanceof URL) {
    const text = String(input);
    const query = /^[a-z][a-z0-9+.-]*:/i.test(text) ? new URL(text).searchParams : new URLSearchParams(text);
    return Object.fromEntries(query);
  }
  if (input instanceof URLSearchParams) return Object.fromEntries(input);
  if (typeof input === "object" && input !== null) return input;
  throw new OAuthCallbackError("INVALID_PARAMETER", "exchangeCode: callbackParams must be getAuthCode()'s result, the redirect URL or its query");
}

/**
 * RFC 6749 §4.1.2-4.1.3 with PKCE (RFC 7636 §4.5) and RFC 9207: checks the redirect's
 * `state` and `iss`, then exchanges its code. The tokens come back with `expiresAt` and
 * `issuedAt`; an ID token in them is not checked here (see `validateIdToken`).
 */
export async function exchangeCode(options: ExchangeCodeOptions): Promise<Tokens> {
  if (typeof options === "object" && options !== null && "code" in options && !("callbackParams" in options)) {
    throw new OAuthCallbackError(
      "UNKNOWN_OPTION",
      "exchangeCode: unknown option `code`; pass `callbackParams` (getAuthCode()'s result or the redirect URL), so that `state` and `iss` are checked before the code is used",
    );
  }
  const p = prepare("exchangeCode", options, [...CLIENT_OPTIONS, "callbackParams", "expectedState", "redirectUri", "codeVerifier", "resource"]);
  const client = credentials("exchangeCode", options);
  const meta = options.metadata;
  const code = steps.validateCallback(callbackRecord(options.callbackParams), expectString("expectedState", options.expectedState), meta.issuer, meta.issParameterSupported === true);
  const request = steps.codeExchange(meta.tokenEndpoint, client, code, expectString("redirectUri", options.redirectUri), expectString("codeVerifier", options.codeVerifier), list(options.resource));
  return exchange(p.fetch, request, "token", p.emit, p.send, receivedTokens);
}

/** Options of {@link refreshTokens}. */
export interface RefreshTokensOptions extends StepClient, StepOptions {
  refreshToken: string;
  resource?: string | readonly string[];
}

/**
 * RFC 6749 §6: new tokens for a refresh token. A server that does not rotate answers
 * without `refreshToken`: keep the old one. `invalid_grant` is an `OAuthError` (sign in
 * again).
 */
export async function refreshTokens(options: RefreshTokensOptions): Promise<Tokens> {
  const p = prepare("refreshTokens", options, [...CLIENT_OPTIONS, "refreshToken", "resource"]);
  const client = credentials("refreshTokens", options);
  const request = steps.refresh(options.metadata.tokenEndpoint, client, expectString("refreshToken", options.refreshToken), list(options.resource));
  return exchange(p.fetch, request, "refresh", p.emit, p.send, receivedTokens);
}

/** Options of {@link revokeToken}. */
export interface RevokeTokenOptions extends StepClient, StepOptions {
  token: string;
  tokenTypeHint?: "access_token" | "refresh_token";
}

/** RFC 7009: revokes `token` (the metadata must have a `revocation_endpoint`). */
export async function revokeToken(options: RevokeTokenOptions): Promise<void> {
  const p = prepare("revokeToken", options, [...CLIENT_OPTIONS, "token", "tokenTypeHint"]);
  const client = credentials("revokeToken", options);
  const endpoint = options.metadata.revocationEndpoint;
  if (!endpoint) throw new OAuthCallbackError("MISSING_PARAMETER", `revokeToken: the metadata of ${options.metadata.issuer} has no revocation_endpoint (RFC 7009)`);
  const hint = options.tokenTypeHint === undefined ? undefined : expectString("tokenTypeHint", options.tokenTypeHint);
  const request = steps.revocation(endpoint, client, expectString("token", options.token), hint);
  await exchange(p.fetch, request, "revocation", p.emit, p.send, (status, body) => steps.processRevocation(status, body));
}

/** Options of {@link fetchUserInfo}. */
export interface FetchUserInfoOptions extends StepOptions {
  metadata: ServerMetadata;
  accessToken: string;
  /** The ID token's `sub`: the answer must be about the same user (OIDC Core §5.3.2). */
  expectedSubject?: string;
}

/**
 * OpenID Connect UserInfo (Core §5.3) with `accessToken` as a bearer token: the user's
 * claims. `invalid_token` and `insufficient_scope` are `OAuthError`s; a JWT response is
 * refused with a clear error.
 */
export async function fetchUserInfo(options: FetchUserInfoOptions): Promise<UserInfo> {
  const p = prepare("fetchUserInfo", options, ["metadata", "accessToken", "expectedSubject"]);
  const meta = metadataOf("fetchUserInfo", options.metadata);
  const subject = options.expectedSubject === undefined ? undefined : expectString("expectedSubject", options.expectedSubject);
  return requestUserInfo(meta, expectString("accessToken", options.accessToken), subject, p.fetch, p.emit, p.send);
}

/** Options of {@link validateIdToken}. */
export interface ValidateIdTokenOptions extends StepOptions {
  metadata: ServerMetadata;
  clientId: string;
  idToken: string;
  /** The `nonce` the authorization URL carried: required in the token then. */
  nonce?: string;
}

/**
 * OpenID Connect Core §3.1.3.7: the claims of an ID token that just arrived, after the
 * signature is checked with the issuer's JWK Set (`jwks_uri`, fetched for this call;
 * RS256/384/512, PS256/384/512, ES256), `iss`, `aud` (and `azp`), `exp` and `iat`
 * (60 s of clock skew) and `nonce`. Anything else is `ID_TOKEN_INVALID`.
 * Node, Bun and Deno only (the browser's wasm module leaves RSA and ECDSA out).
 */
export async function validateIdToken(options: ValidateIdTokenOptions): Promise<IdTokenClaims> {
  const p = prepare("validateIdToken", options, ["metadata", "clientId", "idToken", "nonce"]);
  const meta = metadataOf("validateIdToken", options.metadata);
  const nonce = options.nonce === undefined ? undefined : expectString("nonce", options.nonce);
  const expected = { clientId: expectString("clientId", options.clientId), nonce, checkTime: true };
  return checkIdToken(expectString("idToken", options.idToken), meta, expected, new KeySetCache(), p.fetch, p.emit, p.send);
}
