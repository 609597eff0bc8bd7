/**
 * Core's steps for machine clients and MCP discovery, reached through wasm: the client
 * credentials grant, `private_key_jwt` client assertions, the enterprise-managed token
 * exchange and JWT bearer grant, the checks on discovered metadata, client ID metadata
 * documents. Node, Bun and Deno only: the browser's module leaves them out (a page must
 * hold no client secret or private key).
 */
import { OAuthCallbackError } from "../errors.js";
import type * as Wasm from "../../wasm/oauth_callback_wasm.js";
import { call } from "../protocol.js";
import type { CoreRequest, ServerMetadata } from "./steps.js";

type Core = typeof Wasm;

function machine(c: Core): Core {
  if (typeof (c as Partial<Core>).clientCredentialsRequest !== "function") {
    throw new OAuthCallbackError("NOT_AVAILABLE", "machine clients (client credentials, private_key_jwt, token exchange) are not in the browser's wasm module; use the Node, Bun or Deno entry");
  }
  return c;
}

/** A private key as given: PEM text, a JWK as JSON text, or a JWK object. */
export type PrivateKeyInput = string | Readonly<Record<string, unknown>>;

/** How a machine client authenticates at a token endpoint. */
export interface MachineAuth {
  clientId: string;
  clientSecret?: string | undefined;
  /** A client assertion made for this server (`private_key_jwt`). */
  assertion?: string | undefined;
  /** The server's `token_endpoint_auth_methods_supported`. */
  authMethods: string[];
  /** A forced `token_endpoint_auth_method`. */
  method?: string | undefined;
}

/** A token an RFC 8693 token exchange issued. */
export interface IssuedToken {
  token: string;
  issuedTokenType: string;
  tokenType: string;
  expiresAt?: number;
  scope?: string;
}

const req = (json: string) => JSON.parse(json) as CoreRequest;

const keyText = (key: PrivateKeyInput): string => (typeof key === "string" ? key : JSON.stringify(key));

export const machineSteps = {
  /** RFC 7523 §3: a signed client assertion for the server `audience` (its issuer). */
  clientAssertion: (key: PrivateKeyInput, alg: string | undefined, kid: string | undefined, clientId: string, audience: string, lifetimeSecs?: number): string =>
    call((c) => machine(c).clientAssertion(keyText(key), alg, kid, clientId, audience, Date.now(), lifetimeSecs)),
  /** The public half of a private key, as a JWK (for the server's `jwks`); checks the key. */
  publicJwk: (key: PrivateKeyInput, alg: string | undefined, kid: string | undefined): Record<string, unknown> =>
    JSON.parse(call((c) => machine(c).publicJwk(keyText(key), alg, kid))) as Record<string, unknown>,
  clientCredentials: (endpoint: string, a: MachineAuth, scope: string | undefined, resources: string[]): CoreRequest =>
    req(call((c) => machine(c).clientCredentialsRequest(endpoint, a.clientId, a.clientSecret, a.assertion, a.authMethods, a.method, scope, resources))),
  idJag: (endpoint: string, a: MachineAuth, idToken: string, audience: string, resource: string, scope: string | undefined): CoreRequest =>
    req(call((c) => machine(c).idJagRequest(endpoint, a.clientId, a.clientSecret, a.assertion, a.authMethods, a.method, idToken, audience, resource, scope))),
  processTokenExchange: (status: number, body: string, expectedType: string | undefined): IssuedToken =>
    JSON.parse(call((c) => machine(c).processTokenExchange(status, body, expectedType, Date.now()))) as IssuedToken,
  idJagTokenType: (): string => call((c) => machine(c).idJagTokenType()),
  jwtBearer: (endpoint: string, a: MachineAuth, grant: string, scope: string | undefined, resources: string[]): CoreRequest =>
    req(call((c) => machine(c).jwtBearerRequest(endpoint, a.clientId, a.clientSecret, a.assertion, a.authMethods, a.method, grant, scope, resources))),
  /** RFC 8414 §3.3 on what MCP discovery found: exact issuer, or same origin on the 2025-03-26 fallback. */
  checkMcpMetadata: (authorizationServerUrl: string, fromResourceMetadata: boolean, metadata: unknown): ServerMetadata =>
    JSON.parse(call((c) => machine(c).checkMcpMetadata(authorizationServerUrl, fromResourceMetadata, JSON.stringify(metadata)))) as ServerMetadata,
  /** MCP 2025-03-26 §2.3.3: `/authorize`, `/token`, `/register` at the server's origin. */
  mcpDefaultEndpoints: (authorizationServerUrl: string): ServerMetadata =>
    JSON.parse(call((c) => machine(c).mcpDefaultEndpoints(authorizationServerUrl))) as ServerMetadata,
  checkClientIdUrl: (url: string): string => call((c) => machine(c).checkClientIdUrl(url)),
  clientMetadataDocument: (clientId: string, clientName: string, redirectUris: string[], grantTypes: string[], scope: string | undefined): Record<string, unknown> =>
    JSON.parse(call((c) => machine(c).clientMetadataDocument(clientId, clientName, redirectUris, grantTypes, scope))) as Record<string, unknown>,
};
