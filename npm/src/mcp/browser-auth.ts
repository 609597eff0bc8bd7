/**
 * `browserAuth`: an MCP SDK `OAuthClientProvider` that signs in through the system
 * browser and the hardened loopback server, keeps the registration, verifier and tokens
 * in a store, and exchanges the code with the core's token step (RFC 9207 `iss` and
 * `state` checked first).
 */
import type { CallbackResult, GetAuthCodeOptions } from "../auth-code.js";
import { discoverMetadata } from "../client/discovery.js";
import { send } from "../client/http.js";
import { steps } from "../client/steps.js";
import { OAuthCallbackError } from "../errors.js";
import { generateState, getRedirectUrl } from "../protocol.js";
import { inMemoryStore } from "../store/memory.js";
import { OAuthStoreBrand, type OAuthStore, type TokenStore, type Tokens } from "../store/types.js";
import type { BrowserAuthOptions, McpClientInformation, McpClientMetadata, McpOAuthTokens } from "./types.js";

type GetAuthCode = (input: GetAuthCodeOptions) => Promise<CallbackResult>;

const isOAuthStore = (s: TokenStore): s is OAuthStore => (s as Partial<OAuthStore>)[OAuthStoreBrand] === true;

/** The provider; create it with `browserAuth(options)`. */
export class BrowserOAuthProvider {
  readonly #o: BrowserAuthOptions;
  readonly #store: TokenStore;
  readonly #key: string;
  readonly #redirectUrl: string;
  readonly #getAuthCode: GetAuthCode;
  #verifier: string | undefined;
  #client: McpClientInformation | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(options: BrowserAuthOptions, getAuthCode: GetAuthCode) {
    this.#o = options;
    this.#store = options.store ?? inMemoryStore();
    this.#key = options.storeKey ?? "mcp-tokens";
    this.#redirectUrl = getRedirectUrl({ port: options.port ?? 3000, hostname: options.hostname ?? "localhost", callbackPath: options.callbackPath ?? "/callback" });
    this.#getAuthCode = getAuthCode;
  }

  get redirectUrl(): string {
    return this.#redirectUrl;
  }

  get clientMetadata(): McpClientMetadata {
    const m: McpClientMetadata = {
      client_name: this.#o.clientName ?? "oauth-callback-rs MCP client",
      redirect_uris: [this.#redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: this.#o.clientSecret ? "client_secret_post" : "none",
      application_type: "native",
    };
    if (this.#o.scope) m.scope = this.#o.scope;
    return m;
  }

  state(): string {
    return generateState();
  }

  async clientInformation(): Promise<McpClientInformation | undefined> {
    if (this.#o.clientId) return { client_id: this.#o.clientId, ...(this.#o.clientSecret ? { client_secret: this.#o.clientSecret } : {}) };
    if (this.#client) return this.#client;
    if (!isOAuthStore(this.#store)) return undefined;
    const c = await this.#store.getClient(this.#key);
    if (!c) return undefined;
    this.#client = { client_id: c.clientId, ...(c.clientSecret ? { client_secret: c.clientSecret } : {}) };
    return this.#client;
  }

  async saveClientInformation(info: McpClientInformation): Promise<void> {
    this.#client = info;
    if (!isOAuthStore(this.#store)) return;
    await this.#store.setClient(this.#key, {
      clientId: info.client_id,
      ...(info.client_secret ? { clientSecret: info.client_secret } : {}),
      ...(info.client_id_issued_at !== undefined ? { clientIdIssuedAt: info.client_id_issued_at } : {}),
      ...(info.client_secret_expires_at !== undefined ? { clientSecretExpiresAt: info.client_secret_expires_at } : {}),
      redirectUris: info.redirect_uris ?? [this.#redirectUrl],
    });
  }

  async tokens(): Promise<McpOAuthTokens | undefined> {
    const t = await this.#store.get(this.#key);
    if (!t) return undefined;
    const out: McpOAuthTokens = { access_token: t.accessToken, token_type: t.tokenType ?? "Bearer" };
    if (t.expiresAt !== undefined) out.expires_in = Math.max(0, Math.floor((t.expiresAt - Date.now()) / 1000));
    if (t.refreshToken) out.refresh_token = t.refreshToken;
    if (t.scope) out.scope = t.scope;
    return out;
  }

  async saveTokens(tokens: McpOAuthTokens): Promise<void> {
    const t: Tokens = { accessToken: tokens.access_token, tokenType: "Bearer" };
    if (typeof tokens.expires_in === "number") t.expiresAt = Date.now() + tokens.expires_in * 1000;
    if (tokens.refresh_token) t.refreshToken = tokens.refresh_token;
    else {
      // Servers that do not rotate keep the old refresh token valid (RFC 6749 §6).
      const previous = await this.#store.get(this.#key);
      if (previous?.refreshToken) t.refreshToken = previous.refreshToken;
    }
    if (tokens.scope) t.scope = tokens.scope;
    if (tokens.id_token) t.idToken = tokens.id_token;
    await this.#store.set(this.#key, t);
  }

  async saveCodeVerifier(verifier: string): Promise<void> {
    this.#verifier = verifier;
    if (isOAuthStore(this.#store)) await this.#store.setCodeVerifier(this.#key, verifier);
  }

  async codeVerifier(): Promise<string> {
    const v = this.#verifier ?? (isOAuthStore(this.#store) ? await this.#store.getCodeVerifier(this.#key) : null);
    if (!v) throw new OAuthCallbackError("MISSING_PARAMETER", "no PKCE code verifier was saved for this flow");
    return v;
  }

  /**
   * Opens the browser at `authorizationUrl`, waits on the loopback server for the
   * redirect (its `state` checked there and again, with `iss`, in the core), and exchanges
   * the code, so the SDK's next `auth()` finds tokens. Concurrent calls share one login.
   */
  redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.#inFlight ??= this.#login(authorizationUrl).finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #login(url: URL): Promise<void> {
    const state = url.searchParams.get("state");
    if (!state) throw new OAuthCallbackError("MISSING_PARAMETER", "the authorization URL has no state");
    const options: GetAuthCodeOptions = {
      authorizationUrl: url.href,
      port: this.#o.port ?? 3000,
      hostname: this.#o.hostname ?? "localhost",
      callbackPath: this.#o.callbackPath ?? "/callback",
      timeout: this.#o.authTimeout ?? 300_000,
      expectedState: state,
      ...(this.#o.launch ? { launch: this.#o.launch } : {}),
      ...(this.#o.successHtml !== undefined ? { successHtml: this.#o.successHtml } : {}),
      ...(this.#o.errorHtml !== undefined ? { errorHtml: this.#o.errorHtml } : {}),
      ...(this.#o.onRequest ? { onRequest: this.#o.onRequest } : {}),
    };
    const result = await this.#getAuthCode(options);
    // RFC 9207: the redirect names its issuer; discovery then must agree exactly.
    const issuer = this.#o.authServerUrl ? String(this.#o.authServerUrl).replace(/\/$/, "") : (result.iss ?? url.origin);
    const emit = () => {};
    const meta = await discoverMetadata(issuer, globalThis.fetch.bind(globalThis), emit);
    const code = steps.validateCallback(result, state, meta.issuer, meta.issParameterSupported);
    const client = await this.clientInformation();
    if (!client) throw new OAuthCallbackError("MISSING_PARAMETER", "no client registration: pass clientId, or let the SDK register one");
    const request = steps.codeExchange(
      meta.tokenEndpoint,
      { clientId: client.client_id, clientSecret: client.client_secret, authMethods: meta.tokenEndpointAuthMethods },
      code,
      this.#redirectUrl,
      await this.codeVerifier(),
      url.searchParams.getAll("resource"),
    );
    const { status, body } = await send(globalThis.fetch.bind(globalThis), request, "token", emit);
    const tokens = steps.processTokens(status, body, Date.now());
    await this.#store.set(this.#key, tokens);
    this.#verifier = undefined;
    if (isOAuthStore(this.#store)) await this.#store.deleteCodeVerifier(this.#key);
  }

  /** Forgets what the SDK says is no longer valid. */
  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier"): Promise<void> {
    const s = this.#store;
    if (scope === "all" || scope === "tokens") await s.delete(this.#key);
    if (scope === "all" || scope === "client") {
      this.#client = undefined;
      if (isOAuthStore(s)) await s.deleteClient(this.#key);
    }
    if (scope === "all" || scope === "verifier") {
      this.#verifier = undefined;
      if (isOAuthStore(s)) await s.deleteCodeVerifier(this.#key);
    }
  }
}
