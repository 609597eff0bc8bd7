/**
 * The client's protocol steps, each a core request builder or response processor reached
 * through wasm. Requests come back as data; `http.ts` sends them.
 */
import { OAuthCallbackError } from "../errors.js";
import type * as Wasm from "../../wasm/oauth_callback_wasm.js";
import { call } from "../protocol.js";
import type { ClientInfo, Tokens } from "../store/types.js";

/** A request built by the core. */
export interface CoreRequest {
  method: "GET" | "POST";
  url: string;
  headers: [string, string][];
  body: string | null;
}

/**
 * Authorization server metadata (RFC 8414, OpenID Connect Discovery) as the core checked
 * it: the issuer equal to the one asked for, every endpoint https (or http on loopback).
 * `raw` holds every member the server published, as published (`scopes_supported`,
 * `claims_supported`, vendor extensions...).
 */
export interface ServerMetadata {
  issuer: string;
  authorizationEndpoint: string | null;
  tokenEndpoint: string;
  registrationEndpoint: string | null;
  revocationEndpoint: string | null;
  deviceAuthorizationEndpoint: string | null;
  /** `authorization_response_iss_parameter_supported` (RFC 9207). */
  issParameterSupported: boolean;
  /** `token_endpoint_auth_methods_supported` (default `["client_secret_basic"]`). */
  tokenEndpointAuthMethods: string[];
  /** `userinfo_endpoint` (OpenID Connect Core §5.3). */
  userinfoEndpoint: string | null;
  /** `jwks_uri`: the keys ID tokens are signed with. */
  jwksUri: string | null;
  /** `end_session_endpoint` (OpenID Connect RP-Initiated Logout). */
  endSessionEndpoint: string | null;
  /** The metadata document as the server published it (`{}` for configured endpoints). */
  raw: Readonly<Record<string, unknown>>;
}

/**
 * The claims of an ID token that passed every check (OpenID Connect Core §3.1.3.7): the
 * signature with the issuer's key, `iss`, `aud` (and `azp`), `exp`, `iat`, `nonce`.
 * Every other claim the issuer put in it is there too, as written.
 */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  azp?: string;
  auth_time?: number;
  [claim: string]: unknown;
}

/** The UserInfo response (OpenID Connect Core §5.3.2): `sub` and the claims the scopes allow. */
export interface UserInfo {
  sub: string;
  name?: string;
  email?: string;
  [claim: string]: unknown;
}

/** What the user must do for a device authorization (RFC 8628 §3.2). */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** Seconds between polls. */
  interval: number;
}

/** Client identity for token endpoint requests. */
export interface ClientCredentials {
  clientId: string;
  clientSecret?: string | undefined;
  authMethods: string[];
}

const req = (json: string) => JSON.parse(json) as CoreRequest;

type Core = typeof Wasm;

/** The ID token functions, which only the Node, Bun and Deno module has (the browser's leaves RSA and ECDSA out). */
function oidc(c: Core): Core {
  if (typeof (c as Partial<Core>).validateIdToken !== "function") {
    throw new OAuthCallbackError("NOT_AVAILABLE", "ID token validation is not in the browser's wasm module (it leaves RSA and ECDSA out to stay small); validate ID tokens on a server, or use the Node, Bun or Deno entry");
  }
  return c;
}

/** Tokens from a token response, with when they arrived (their lifetime, with `expiresAt`). */
export function receivedTokens(status: number, body: string): Tokens {
  const now = Date.now();
  const tokens = processTokens(status, body, now);
  if (tokens.expiresAt !== undefined) tokens.issuedAt = now;
  return tokens;
}

// Each step its own export, so a bundler keeps only the steps a page calls (the browser
// client needs a handful of them; issue 11). `steps` gathers them for everyone else.
export const discoveryRequests = (issuer: string): CoreRequest[] => call((c) => c.discoveryRequests(issuer)).map(req);
export const processMetadata = (issuer: string, status: number, body: string): ServerMetadata =>
  JSON.parse(call((c) => c.processMetadata(issuer, status, body))) as ServerMetadata;
export const codeExchange = (endpoint: string, cl: ClientCredentials, code: string, redirectUri: string, verifier: string, resources: string[]): CoreRequest =>
  req(call((c) => c.codeExchangeRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, code, redirectUri, verifier, resources)));
export const refresh = (endpoint: string, cl: ClientCredentials, refreshToken: string, resources: string[]): CoreRequest =>
  req(call((c) => c.refreshRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, refreshToken, resources)));
export const deviceToken = (endpoint: string, cl: ClientCredentials, deviceCode: string): CoreRequest =>
  req(call((c) => c.deviceTokenRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, deviceCode)));
export const processTokens = (status: number, body: string, now: number): Tokens => JSON.parse(call((c) => c.processTokenResponse(status, body, now))) as Tokens;
export const needsRefresh = (expiresAt: number | undefined, now: number, skew: number): boolean => call((c) => c.needsRefresh(expiresAt, now, skew));
export const registration = (endpoint: string, name: string, redirectUris: string[], grants: string[], scope: string | undefined): CoreRequest =>
  req(call((c) => c.registrationRequest(endpoint, name, redirectUris, grants, scope)));
export const processRegistration = (status: number, body: string, redirectUris: string[], grants: string[]): ClientInfo =>
  JSON.parse(call((c) => c.processRegistration(status, body, redirectUris, grants))) as ClientInfo;
export const revocation = (endpoint: string, cl: ClientCredentials, token: string, hint: string | undefined): CoreRequest =>
  req(call((c) => c.revocationRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, token, hint)));
export const processRevocation = (status: number, body: string): void => call((c) => c.processRevocation(status, body));
export const deviceAuthorization = (endpoint: string, cl: ClientCredentials, scope: string | undefined, resources: string[]): CoreRequest =>
  req(call((c) => c.deviceAuthorizationRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, scope, resources)));
export const processDeviceAuthorization = (status: number, body: string, now: number): DeviceAuthorization =>
  JSON.parse(call((c) => c.processDeviceAuthorization(status, body, now))) as DeviceAuthorization;
export const devicePollNext = (error: string, interval: number): number => call((c) => c.devicePollNext(error, interval));
export const validateCallback = (params: Record<string, string | undefined>, state: string, issuer: string | undefined, issRequired: boolean): string => {
  const flat: string[] = [];
  for (const [k, v] of Object.entries(params)) if (v !== undefined) flat.push(k, v);
  return call((c) => c.validateAuthorizationResponse(flat, state, issuer, issRequired));
};
export const userinfo = (endpoint: string, accessToken: string): CoreRequest => req(call((c) => c.userinfoRequest(endpoint, accessToken)));
export const processUserInfo = (status: number, contentType: string | null, wwwAuthenticate: string | null, body: string, expectedSubject: string | undefined): UserInfo =>
  JSON.parse(call((c) => c.processUserInfo(status, contentType ?? undefined, wwwAuthenticate ?? undefined, body, expectedSubject))) as UserInfo;
export const keySet = (jwksUri: string): CoreRequest => req(call((c) => oidc(c).keySetRequest(jwksUri)));
export const processKeySet = (status: number, body: string): string => call((c) => oidc(c).processKeySet(status, body));
export const idTokenNeedsKeys = (idToken: string, keySet: string | undefined): boolean => call((c) => oidc(c).idTokenNeedsKeys(idToken, keySet));
export const validateIdToken = (idToken: string, keySet: string, issuer: string, clientId: string, nonce: string | undefined, checkTime: boolean, subject: string | undefined): IdTokenClaims =>
  JSON.parse(call((c) => oidc(c).validateIdToken(idToken, keySet, issuer, clientId, nonce, Date.now(), checkTime, subject))) as IdTokenClaims;
export const redactBody = (body: string): string => call((c) => c.redactBody(body));
export const redactUrl = (url: string): string => call((c) => c.redactUrl(url));

export const steps = { discoveryRequests, processMetadata, codeExchange, refresh, deviceToken, processTokens, needsRefresh, registration, processRegistration, revocation, processRevocation, deviceAuthorization, processDeviceAuthorization, devicePollNext, validateCallback, userinfo, processUserInfo, keySet, processKeySet, idTokenNeedsKeys, validateIdToken, redactBody, redactUrl };
