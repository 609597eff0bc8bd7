/**
 * Machine clients (RFC 6749 §4.4): a client that gets tokens for itself, authenticated
 * with a secret (`client_secret_basic`, `client_secret_post`) or a private key
 * (`private_key_jwt`, RFC 7523: a JWT signed in core for each request, audience the
 * server's issuer). Shared by `OAuthClient` and the MCP providers; every request and
 * response is a core step.
 */
import { OAuthCallbackError, expectString } from "../errors.js";
import { exchange, type Emit, type SendOptions } from "./http.js";
import { machineSteps, type MachineAuth, type PrivateKeyInput } from "./machine-steps.js";
import { receivedTokens, type ServerMetadata } from "./steps.js";
import type { Tokens } from "../store/types.js";

/** The token endpoint auth methods a machine client can use. */
export type MachineAuthMethod = "client_secret_basic" | "client_secret_post" | "private_key_jwt";

const METHODS: readonly string[] = ["client_secret_basic", "client_secret_post", "private_key_jwt"];

/** A machine client's credentials: its ID and a secret or a private key. */
export interface MachineCredentials {
  clientId: string;
  /** For `client_secret_basic` or `client_secret_post` (the server's metadata decides, basic by default). */
  clientSecret?: string | undefined;
  /**
   * For `private_key_jwt`: PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`) or a
   * JWK (object or JSON text). RSA (at least 2048 bits) or P-256.
   */
  privateKey?: PrivateKeyInput | undefined;
  /** `RS256` (default for RSA), `RS384`, `RS512`, `PS256`, `PS384`, `PS512`, `ES256` (default for P-256). */
  privateKeyAlgorithm?: string | undefined;
  /** The `kid` put in the assertion's header (default: the JWK's `kid`). */
  privateKeyId?: string | undefined;
  /** Forces the method; without it a private key means `private_key_jwt`. */
  tokenEndpointAuthMethod?: MachineAuthMethod | undefined;
}

/**
 * Checks credentials where they are given (a bad key is `INVALID_KEY` at construction,
 * not at the first request). Returns them with the key's algorithm settled.
 */
export function checkCredentials(where: string, c: MachineCredentials, secretOptional = false): MachineCredentials {
  const clientId = expectString(`${where}: clientId`, c.clientId);
  if (c.tokenEndpointAuthMethod !== undefined && !METHODS.includes(c.tokenEndpointAuthMethod)) {
    throw new OAuthCallbackError("INVALID_PARAMETER", `${where}: tokenEndpointAuthMethod must be one of ${METHODS.join(", ")}`);
  }
  if (c.clientSecret !== undefined) expectString(`${where}: clientSecret`, c.clientSecret);
  if (c.privateKey !== undefined) {
    if (typeof c.privateKey !== "string" && (typeof c.privateKey !== "object" || c.privateKey === null)) {
      throw new OAuthCallbackError("INVALID_KEY", `${where}: privateKey must be PEM text or a JWK (object or JSON text)`);
    }
    machineSteps.publicJwk(c.privateKey, c.privateKeyAlgorithm, c.privateKeyId);
  }
  if (!secretOptional && c.clientSecret === undefined && c.privateKey === undefined) {
    throw new OAuthCallbackError("MISSING_PARAMETER", `${where}: a machine client needs clientSecret or privateKey`);
  }
  return { ...c, clientId };
}

/**
 * How the client authenticates at the server `meta` describes: with a private key, a
 * fresh assertion for that server (audience: its issuer, RFC 7523 §3).
 */
export function machineAuth(c: MachineCredentials, meta: Pick<ServerMetadata, "issuer" | "tokenEndpointAuthMethods">): MachineAuth {
  const signs = c.privateKey !== undefined && (c.tokenEndpointAuthMethod === undefined || c.tokenEndpointAuthMethod === "private_key_jwt");
  return {
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    assertion: signs ? machineSteps.clientAssertion(c.privateKey as PrivateKeyInput, c.privateKeyAlgorithm, c.privateKeyId, c.clientId, meta.issuer) : undefined,
    authMethods: meta.tokenEndpointAuthMethods ?? ["client_secret_basic"],
    method: c.tokenEndpointAuthMethod,
  };
}

/** RFC 6749 §4.4: a token for the client itself, at `meta.tokenEndpoint`. */
export function clientCredentialsGrant(
  meta: ServerMetadata,
  c: MachineCredentials,
  scope: string | undefined,
  resources: string[],
  fetchImpl: typeof fetch,
  emit: Emit,
  bounds: SendOptions,
): Promise<Tokens> {
  const request = machineSteps.clientCredentials(meta.tokenEndpoint, machineAuth(c, meta), scope, resources);
  return exchange(fetchImpl, request, "client_credentials", emit, bounds, receivedTokens);
}
