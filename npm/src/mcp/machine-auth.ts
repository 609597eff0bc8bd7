/**
 * MCP SDK `OAuthClientProvider`s for clients that act without a user at the keyboard:
 *
 * - `clientCredentialsAuth`: the client credentials grant (RFC 6749 §4.4; MCP SEP-1046),
 *   the client authenticated with `client_secret_basic`, `client_secret_post` or
 *   `private_key_jwt` (RFC 7523, keys as JWK or PEM, signed in the core).
 * - `enterpriseManagedAuth`: MCP's enterprise-managed authorization (SEP-990): the user's
 *   ID token from the enterprise identity provider is exchanged there (RFC 8693) for an
 *   ID-JAG addressed to the MCP server's authorization server, which grants the access
 *   token for it (RFC 7523 §2.1 JWT bearer grant).
 *
 * The SDK discovers (its `auth()`); the provider checks what it found with the core (as
 * `browserAuth` does) and builds every token request in the core: when the SDK makes the
 * request (`prepareTokenRequest` + `addClientAuthentication`), its body and headers are
 * replaced with the core's; when a token runs out, `tokens()` asks for a new one itself,
 * with the same builder. Credentials go to one authorization server only: `authServerUrl`,
 * or the first one that issued a token to them (a server named later is refused with
 * `ISSUER_MISMATCH`). Tokens live in memory.
 */
import { checkCredentials, machineAuth, type MachineCredentials } from "../client/client-credentials.js";
import { discoverMetadata } from "../client/discovery.js";
import { checkTimeout, exchange, type Emit, type OAuthEvent, type SendOptions } from "../client/http.js";
import { machineSteps, type MachineAuth } from "../client/machine-steps.js";
import { receivedTokens, steps, type CoreRequest, type ServerMetadata } from "../client/steps.js";
import { OAuthCallbackError, expectString } from "../errors.js";
import { observer } from "../observer.js";
import type { Tokens } from "../store/types.js";
import { refreshMargin } from "./browser-auth.js";
import { canonicalUrl, fromSdkTokens, lifetimeOf, sameIssuer, toSdkTokens } from "./record.js";
import { checkedServer, resourceOf } from "./server-metadata.js";
import type { McpClientInformation, McpClientMetadata, McpCredentialScope, McpDiscoveryState, McpOAuthTokens } from "./types.js";

/** Options every machine provider takes. */
export interface MachineAuthBaseOptions {
  /** The MCP server (the URL given to the transport): the resource of an ID-JAG when the server publishes no RFC 9728 metadata. */
  serverUrl?: string | URL;
  /**
   * The authorization server these credentials belong to (its issuer URL). Without it,
   * the first server that issues a token to them is the only one they are sent to from
   * then on, in this process (as the SDK binds client information).
   */
  authServerUrl?: string | URL;
  /** Scope to ask for. */
  scope?: string;
  /** Name in the client metadata (default `"oauth-callback-rs machine client"`). */
  clientName?: string;
  /** Bound of each request the provider sends itself, headers and body, in ms (default 10000). */
  requestTimeoutMs?: number;
  /** Aborts the provider's own requests. */
  signal?: AbortSignal;
  /** The trace of the provider's own OAuth messages, secrets redacted. */
  onEvent?: (event: OAuthEvent) => void;
}

/** Options of `clientCredentialsAuth`: the client's ID and its secret or private key. */
export interface ClientCredentialsAuthOptions extends MachineAuthBaseOptions, MachineCredentials {}

/** The enterprise identity provider of `enterpriseManagedAuth`. */
export interface IdentityProviderOptions {
  /** Its issuer: the token endpoint is discovered (RFC 8414 / OIDC, issuer checked). */
  issuer?: string;
  /** Its token endpoint, when known (no discovery then). */
  tokenEndpoint?: string;
  /** This client's ID at the identity provider. */
  clientId: string;
  /** This client's secret there, for a confidential client (a public one sends its ID only). */
  clientSecret?: string;
}

/** Options of `enterpriseManagedAuth`. */
export interface EnterpriseManagedAuthOptions extends MachineAuthBaseOptions, MachineCredentials {
  /** The user's ID token from the identity provider, or a function that gives a current one. */
  idToken: string | (() => string | Promise<string>);
  /** The identity provider that exchanges the ID token for an ID-JAG. */
  idp: IdentityProviderOptions;
}

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

interface Grant {
  type: string;
  /** The token request for the checked server `meta`. */
  request(meta: ServerMetadata, auth: MachineAuth, scope: string | undefined, resources: string[]): Promise<CoreRequest>;
}

/** A provider for a client that authenticates itself; create it with `clientCredentialsAuth` or `enterpriseManagedAuth`. */
export class MachineOAuthProvider {
  readonly #o: MachineAuthBaseOptions;
  readonly #credentials: MachineCredentials;
  readonly #grant: Grant;
  readonly #emit: Emit;
  readonly #fetch: typeof fetch;
  readonly #bounds: SendOptions;
  #bound: string | undefined;
  #state: McpDiscoveryState | undefined;
  #tokens: Tokens | undefined;
  #flight: Promise<Tokens> | undefined;

  /** @internal */
  constructor(options: MachineAuthBaseOptions, credentials: MachineCredentials, grant: Grant) {
    this.#o = options;
    this.#credentials = credentials;
    this.#grant = grant;
    this.#emit = observer(options.onEvent);
    this.#fetch = globalThis.fetch.bind(globalThis);
    this.#bounds = { timeoutMs: options.requestTimeoutMs === undefined ? 10_000 : checkTimeout("requestTimeoutMs", options.requestTimeoutMs), signal: options.signal };
    if (options.authServerUrl !== undefined) {
      try {
        this.#bound = new URL(String(options.authServerUrl)).href;
      } catch {
        throw new OAuthCallbackError("INVALID_URL", "authServerUrl must be an absolute URL");
      }
    }
    if (options.serverUrl !== undefined) {
      try {
        canonicalUrl(options.serverUrl);
      } catch {
        throw new OAuthCallbackError("INVALID_URL", "serverUrl must be an absolute URL");
      }
    }
  }

  /** No redirect: the SDK runs a non-interactive flow (`prepareTokenRequest`). */
  get redirectUrl(): undefined {
    return undefined;
  }

  get clientMetadata(): McpClientMetadata {
    const c = this.#credentials;
    const method = c.tokenEndpointAuthMethod ?? (c.privateKey !== undefined ? "private_key_jwt" : "client_secret_basic");
    const m: McpClientMetadata = { client_name: this.#o.clientName ?? "oauth-callback-rs machine client", redirect_uris: [], grant_types: [this.#grant.type], token_endpoint_auth_method: method };
    if (this.#o.scope) m.scope = this.#o.scope;
    return m;
  }

  /** The configured client, bound to its authorization server once that is known. */
  clientInformation(): McpClientInformation {
    const info: McpClientInformation = { client_id: this.#credentials.clientId };
    if (this.#bound !== undefined) info.issuer = this.#bound;
    return info;
  }

  /** The SDK binds the client to the server that accepted it. */
  saveClientInformation(info: McpClientInformation): void {
    if (typeof info.issuer === "string") this.#bind(info.issuer);
  }

  #bind(issuer: string): void {
    if (this.#bound === undefined) this.#bound = issuer;
    else if (!sameIssuer(this.#bound, issuer)) throw this.#elsewhere(issuer);
  }

  #elsewhere(issuer: string): OAuthCallbackError {
    return new OAuthCallbackError("ISSUER_MISMATCH", `these client credentials belong to the authorization server ${this.#bound}; they are not sent to ${issuer}`);
  }

  /** Keeps what the SDK discovered, checked by the core; a server other than the bound one is refused. */
  saveDiscoveryState(state: McpDiscoveryState): void {
    checkedServer(state);
    if (this.#bound !== undefined && !sameIssuer(this.#bound, state.authorizationServerUrl)) throw this.#elsewhere(state.authorizationServerUrl);
    this.#state = JSON.parse(JSON.stringify(state)) as McpDiscoveryState;
  }

  discoveryState(): McpDiscoveryState | undefined {
    return this.#state;
  }

  /** The tokens to send: a new one first when they run out and the server is known. */
  async tokens(): Promise<McpOAuthTokens | undefined> {
    let t = this.#tokens;
    if (!t || steps.needsRefresh(t.expiresAt, Date.now(), refreshMargin(lifetimeOf(t)))) {
      if (!this.#state) return undefined;
      this.#flight ??= this.#renew().finally(() => (this.#flight = undefined));
      t = await this.#flight;
    }
    return toSdkTokens(t, {}, Date.now());
  }

  async #renew(): Promise<Tokens> {
    const state = this.#state as McpDiscoveryState;
    const meta = checkedServer(state);
    const request = await this.#grant.request(meta, machineAuth(this.#credentials, meta), this.#o.scope, resourceOf(state));
    const tokens = await exchange(this.#fetch, request, this.#grant.type === JWT_BEARER ? "jwt_bearer" : "client_credentials", this.#emit, this.#bounds, receivedTokens);
    this.#bind(state.authorizationServerUrl);
    this.#tokens = tokens;
    return tokens;
  }

  saveTokens(tokens: McpOAuthTokens): void {
    if (typeof tokens.issuer === "string") this.#bind(tokens.issuer);
    this.#tokens = fromSdkTokens(tokens, Date.now()).tokens;
  }

  redirectToAuthorization(): never {
    throw new OAuthCallbackError("INVALID_PARAMETER", "a machine client has no browser sign-in: the authorization server refused its own credentials");
  }

  saveCodeVerifier(): void {}

  codeVerifier(): never {
    throw new OAuthCallbackError("INVALID_PARAMETER", "a machine client uses no PKCE verifier");
  }

  /** For the SDK's `fetchToken`: the grant type; the body is the core's (see `addClientAuthentication`). */
  prepareTokenRequest(scope?: string): URLSearchParams {
    const params = new URLSearchParams({ grant_type: this.#grant.type });
    if (scope) params.set("scope", scope);
    return params;
  }

  /**
   * The SDK's token request, replaced with the core's: the grant's parameters and the
   * client's authentication (for `private_key_jwt`, an assertion signed now for this
   * server). The SDK only sends it.
   */
  addClientAuthentication = async (headers: Headers, params: URLSearchParams, url: string | URL): Promise<void> => {
    const state = this.#state;
    if (!state) throw new OAuthCallbackError("MISSING_PARAMETER", "no discovery state: the SDK's auth() saves it before it asks for a token");
    const meta = checkedServer(state);
    if (new URL(String(url)).href !== new URL(meta.tokenEndpoint).href) {
      throw new OAuthCallbackError("RESPONSE_MISMATCH", `the SDK asked to post to ${String(url)}, not to the checked token endpoint ${meta.tokenEndpoint}`);
    }
    const scope = params.get("scope") ?? undefined;
    const resources = params.getAll("resource");
    const request = await this.#grant.request(meta, machineAuth(this.#credentials, meta), scope, resources.length ? resources : resourceOf(state));
    for (const name of [...new Set(params.keys())]) params.delete(name);
    for (const [name, value] of new URLSearchParams(request.body ?? "")) params.append(name, value);
    for (const [name, value] of request.headers) headers.set(name, value);
  };

  invalidateCredentials(scope: McpCredentialScope): void {
    if (scope === "all" || scope === "tokens") this.#tokens = undefined;
    if (scope === "all" || scope === "discovery") this.#state = undefined;
  }

  /** What `console.log` and `util.inspect` show: never a secret. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `MachineOAuthProvider { grant: ${JSON.stringify(this.#grant.type)}, clientId: ${JSON.stringify(this.#credentials.clientId)} }`;
  }

  toJSON(): { grant: string; clientId: string } {
    return { grant: this.#grant.type, clientId: this.#credentials.clientId };
  }
}

/**
 * An MCP SDK `OAuthClientProvider` for the client credentials grant: `clientId` with
 * `clientSecret` (`client_secret_basic`, or `client_secret_post` when the server lists
 * only that) or `privateKey` (`private_key_jwt`).
 */
export function clientCredentialsAuth(options: ClientCredentialsAuthOptions): MachineOAuthProvider {
  if (typeof options !== "object" || options === null) throw new OAuthCallbackError("INVALID_PARAMETER", "clientCredentialsAuth needs { clientId, clientSecret | privateKey }");
  const credentials = checkCredentials("clientCredentialsAuth", options);
  return new MachineOAuthProvider(options, credentials, {
    type: "client_credentials",
    request: async (meta, auth, scope, resources) => machineSteps.clientCredentials(meta.tokenEndpoint, auth, scope, resources),
  });
}

/**
 * An MCP SDK `OAuthClientProvider` for enterprise-managed authorization (SEP-990): the
 * user's ID token is exchanged at the identity provider for an ID-JAG for the MCP
 * server's authorization server (RFC 8693), and the ID-JAG there for an access token
 * (RFC 7523 JWT bearer grant), the client authenticated with its secret or private key.
 */
export function enterpriseManagedAuth(options: EnterpriseManagedAuthOptions): MachineOAuthProvider {
  if (typeof options !== "object" || options === null) throw new OAuthCallbackError("INVALID_PARAMETER", "enterpriseManagedAuth needs { idToken, idp, clientId, ... }");
  const credentials = checkCredentials("enterpriseManagedAuth", options);
  const idp = options.idp;
  if (typeof idp !== "object" || idp === null) throw new OAuthCallbackError("INVALID_PARAMETER", "enterpriseManagedAuth needs idp: { issuer or tokenEndpoint, clientId }");
  const idpClient = checkCredentials("enterpriseManagedAuth idp", { clientId: idp.clientId, clientSecret: idp.clientSecret }, true);
  if (idp.issuer === undefined && idp.tokenEndpoint === undefined) throw new OAuthCallbackError("MISSING_PARAMETER", "enterpriseManagedAuth: idp needs issuer or tokenEndpoint");
  if (typeof options.idToken !== "string" && typeof options.idToken !== "function") throw new OAuthCallbackError("INVALID_PARAMETER", "enterpriseManagedAuth: idToken must be a string or a function");
  const emit = observer(options.onEvent);
  const bounds: SendOptions = { timeoutMs: options.requestTimeoutMs === undefined ? 10_000 : checkTimeout("requestTimeoutMs", options.requestTimeoutMs), signal: options.signal };
  const fetchImpl = globalThis.fetch.bind(globalThis);
  let idpMeta: Promise<Pick<ServerMetadata, "issuer" | "tokenEndpoint" | "tokenEndpointAuthMethods">> | undefined;
  const idpServer = () => {
    if (idp.tokenEndpoint !== undefined) {
      const tokenEndpoint = expectString("idp.tokenEndpoint", idp.tokenEndpoint);
      return Promise.resolve({ issuer: idp.issuer ?? tokenEndpoint, tokenEndpoint, tokenEndpointAuthMethods: ["client_secret_basic"] });
    }
    idpMeta ??= discoverMetadata(expectString("idp.issuer", idp.issuer), fetchImpl, emit, bounds);
    idpMeta.catch(() => (idpMeta = undefined));
    return idpMeta;
  };
  return new MachineOAuthProvider(options, credentials, {
    type: JWT_BEARER,
    request: async (meta, auth, scope, resources) => {
      const resource = resources[0] ?? (options.serverUrl !== undefined ? canonicalUrl(options.serverUrl) : undefined);
      if (resource === undefined) throw new OAuthCallbackError("MISSING_PARAMETER", "enterpriseManagedAuth: the MCP server's resource is unknown (no RFC 9728 metadata): give serverUrl");
      const idToken = typeof options.idToken === "function" ? await options.idToken() : options.idToken;
      const server = await idpServer();
      // SEP-990 step 1: the ID token for an ID-JAG addressed to this authorization server.
      const exchangeRequest = machineSteps.idJag(server.tokenEndpoint, machineAuth(idpClient, server), expectString("idToken", idToken), meta.issuer, resource, scope);
      const grant = await exchange(fetchImpl, exchangeRequest, "token_exchange", emit, bounds, (status, body) => machineSteps.processTokenExchange(status, body, machineSteps.idJagTokenType()));
      // Step 2: the ID-JAG for an access token, the client authenticated at the authorization server.
      return machineSteps.jwtBearer(meta.tokenEndpoint, auth, grant.token, scope, resources);
    },
  });
}
