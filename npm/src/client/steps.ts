/**
 * The client's protocol steps, each a core request builder or response processor reached
 * through wasm. Requests come back as data; `http.ts` sends them.
 */
import { call } from "../protocol.js";
import type { ClientInfo, Tokens } from "../store/types.js";

/** A request built by the core. */
export interface CoreRequest {
  method: "GET" | "POST";
  url: string;
  headers: [string, string][];
  body: string | null;
}

/** Server metadata as the core validated it. */
export interface ServerMetadata {
  issuer: string;
  authorizationEndpoint: string | null;
  tokenEndpoint: string;
  registrationEndpoint: string | null;
  revocationEndpoint: string | null;
  deviceAuthorizationEndpoint: string | null;
  issParameterSupported: boolean;
  tokenEndpointAuthMethods: string[];
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

export const steps = {
  discoveryRequests: (issuer: string): CoreRequest[] => call((c) => c.discoveryRequests(issuer)).map(req),
  processMetadata: (issuer: string, status: number, body: string): ServerMetadata =>
    JSON.parse(call((c) => c.processMetadata(issuer, status, body))) as ServerMetadata,
  codeExchange: (endpoint: string, cl: ClientCredentials, code: string, redirectUri: string, verifier: string, resources: string[]): CoreRequest =>
    req(call((c) => c.codeExchangeRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, code, redirectUri, verifier, resources))),
  refresh: (endpoint: string, cl: ClientCredentials, refreshToken: string, resources: string[]): CoreRequest =>
    req(call((c) => c.refreshRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, refreshToken, resources))),
  deviceToken: (endpoint: string, cl: ClientCredentials, deviceCode: string): CoreRequest =>
    req(call((c) => c.deviceTokenRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, deviceCode))),
  processTokens: (status: number, body: string, now: number): Tokens => JSON.parse(call((c) => c.processTokenResponse(status, body, now))) as Tokens,
  needsRefresh: (expiresAt: number | undefined, now: number, skew: number): boolean => call((c) => c.needsRefresh(expiresAt, now, skew)),
  registration: (endpoint: string, name: string, redirectUris: string[], grants: string[], scope: string | undefined): CoreRequest =>
    req(call((c) => c.registrationRequest(endpoint, name, redirectUris, grants, scope))),
  processRegistration: (status: number, body: string, redirectUris: string[], grants: string[]): ClientInfo =>
    JSON.parse(call((c) => c.processRegistration(status, body, redirectUris, grants))) as ClientInfo,
  revocation: (endpoint: string, cl: ClientCredentials, token: string, hint: string | undefined): CoreRequest =>
    req(call((c) => c.revocationRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, token, hint))),
  processRevocation: (status: number, body: string): void => call((c) => c.processRevocation(status, body)),
  deviceAuthorization: (endpoint: string, cl: ClientCredentials, scope: string | undefined, resources: string[]): CoreRequest =>
    req(call((c) => c.deviceAuthorizationRequest(endpoint, cl.clientId, cl.clientSecret, cl.authMethods, scope, resources))),
  processDeviceAuthorization: (status: number, body: string, now: number): DeviceAuthorization =>
    JSON.parse(call((c) => c.processDeviceAuthorization(status, body, now))) as DeviceAuthorization,
  devicePollNext: (error: string, interval: number): number => call((c) => c.devicePollNext(error, interval)),
  validateCallback: (params: Record<string, string | undefined>, state: string, issuer: string | undefined, issRequired: boolean): string => {
    const flat: string[] = [];
    for (const [k, v] of Object.entries(params)) if (v !== undefined) flat.push(k, v);
    return call((c) => c.validateAuthorizationResponse(flat, state, issuer, issRequired));
  },
  redactBody: (body: string): string => call((c) => c.redactBody(body)),
  redactUrl: (url: string): string => call((c) => c.redactUrl(url)),
};
