/**
 * `OAuthClient`: sign in through the browser and a loopback redirect (or the device
 * flow), keep tokens fresh, log out. Protocol decisions are core steps; this class
 * sequences them, keeps state in the store, and moves bytes with `fetch`.
 */
import type { CallbackResult, GetAuthCodeOptions } from "../auth-code.js";
import { OAuthCallbackError, OAuthError, TimeoutError, expectString } from "../errors.js";
import { openBrowser, type BrowserLaunch } from "../launcher.js";
import { checkOptions } from "../options.js";
import { buildAuthorizationUrl, checkedEndpoint, generateNonce, generatePkce, generateState, asList as list } from "../protocol.js";
import type { ClientInfo, OAuthStore, TokenStore, Tokens } from "../store/types.js";
import { discoverMetadata } from "./discovery.js";
import { observer } from "../observer.js";
import { aborted, checkTimeout, exchange, throwIfAborted, untilAborted, type Emit, type OAuthEvent } from "./http.js";
import { resolveClientOptions } from "./client-options.js";
import { asOAuthStore } from "./plain-store.js";
import { KeySetCache, checkIdToken, requestUserInfo } from "./oidc.js";
import { receivedTokens, steps, type ClientCredentials, type CoreRequest, type DeviceAuthorization, type IdTokenClaims, type ServerMetadata, type UserInfo } from "./steps.js";
import { checkCredentials, clientCredentialsGrant, type MachineAuthMethod, type MachineCredentials } from "./client-credentials.js";
import { machineSteps } from "./machine-steps.js";

/**
 * Options of `OAuthClient`. The names are those of `getAuthCode` and `browserAuth`
 * (`scope`, `store`, `storeKey`, `port`, `hostname`); the earlier names `scopes`,
 * `storage`, `storageKey`, `callbackPort` and `callbackHostname` keep working as aliases
 * (giving both spellings is `INVALID_PARAMETER`). An unknown key is `UNKNOWN_OPTION`.
 */
export interface OAuthClientOptions {
  /** The authorization server's issuer identifier; metadata is discovered from it. */
  issuer: string;
  /**
   * The server's endpoints, when it publishes no metadata: discovery is then skipped.
   * Each must be https (or http on loopback).
   */
  endpoints?: {
    authorizationEndpoint?: string;
    tokenEndpoint: string;
    registrationEndpoint?: string;
    revocationEndpoint?: string;
    deviceAuthorizationEndpoint?: string;
    /** OpenID Connect UserInfo (for `fetchUserInfo()`). */
    userinfoEndpoint?: string;
    /** The issuer's JWK Set (to check ID tokens). */
    jwksUri?: string;
    /** OpenID Connect RP-Initiated Logout. */
    endSessionEndpoint?: string;
    /** The server sends RFC 9207 `iss` in redirects (then it is required). */
    issParameterSupported?: boolean;
    tokenEndpointAuthMethods?: string[];
  };
  /** Pre-registered client; without it the client registers itself (RFC 7591) once. */
  clientId?: string;
  /** For confidential clients: sent with client_secret_basic or _post as the server says. */
  clientSecret?: string;
  /**
   * `private_key_jwt` (RFC 7523) for the client credentials grant: the client's private
   * key, PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`) or a JWK (object or
   * JSON text), RSA of 2048 bits or more, or P-256. Each token request carries a fresh
   * assertion signed with it in the core (audience: the issuer). Checked here: a bad key
   * is `INVALID_KEY` at construction.
   */
  privateKey?: string | Readonly<Record<string, unknown>>;
  /** The key's algorithm: RS256 (default for RSA), RS384, RS512, PS256, PS384, PS512, ES256 (default for P-256). */
  privateKeyAlgorithm?: string;
  /** The `kid` sent in the assertion's header (default: the JWK's). */
  privateKeyId?: string;
  /** Forces how the client credentials grant authenticates (default: the key, else the secret as the server lists). */
  tokenEndpointAuthMethod?: MachineAuthMethod;
  /**
   * `"client_credentials"`: a machine client (RFC 6749 §4.4). `getValidToken()` then asks
   * for a token with the client's own credentials, and again before it expires; no user,
   * no browser. Default `"authorization_code"`: sign in with `authenticate()`.
   */
  grantType?: "authorization_code" | "client_credentials";
  /**
   * The https URL of this client's metadata document (Client ID Metadata Documents,
   * draft-ietf-oauth-client-id-metadata-document; MCP SEP-991): the `client_id` when the
   * server advertises `client_id_metadata_document_supported`, else the client registers
   * (RFC 7591) as without it. `clientMetadataDocument()` writes the document to publish.
   */
  clientMetadataUrl?: string;
  /** Name sent when registering (default `"oauth-callback-rs client"`). */
  clientName?: string;
  /**
   * Scopes to ask for (default: none). With `openid`, the sign-in sends a `nonce` and
   * checks the ID token (`idTokenClaims()`).
   */
  scope?: string | readonly string[];
  /** Alias of `scope`. */
  scopes?: string | readonly string[];
  /** Resource indicators (RFC 8707). */
  resource?: string | readonly string[];
  /**
   * Where tokens, the registration and flow state live (default: in memory). Any
   * `oauth-callback` `TokenStore` (`get`, `set`, `delete`) works too: it is wrapped, with
   * the limits of that shape (no lock across processes; the registration and PKCE
   * verifier kept in this process's memory unless the store has `getClient`/`setClient`
   * and `getCodeVerifier`/`setCodeVerifier`). Anything else is `INVALID_PARAMETER`.
   */
  store?: OAuthStore | TokenStore;
  /** Alias of `store`. */
  storage?: OAuthStore | TokenStore;
  /** The key in the store (default: the issuer). */
  storeKey?: string;
  /** Alias of `storeKey`. */
  storageKey?: string;
  /** Refresh in `getValidToken()` when the token is about to expire (default true). */
  autoRefresh?: boolean;
  /**
   * Refresh this long before expiry, in ms (default 60000), but never earlier than half
   * the token's lifetime: a token that lives 40 s is refreshed 20 s before it expires,
   * not on every call.
   */
  refreshSkewMs?: number;
  /**
   * Bound of each request to the authorization server (discovery, registration, code
   * exchange, refresh, device authorization and each poll, revocation, userinfo, JWKS),
   * headers and body together, in ms (default 30000). Past it the call rejects with
   * `TIMEOUT`.
   */
  requestTimeoutMs?: number;
  /** Loopback port of the redirect (default 0: a free one; RFC 8252 §7.3 lets it vary). */
  port?: number;
  /** Alias of `port`. */
  callbackPort?: number;
  /** Loopback host of the redirect (default `"127.0.0.1"`, RFC 8252 §8.3). */
  hostname?: string;
  /** Alias of `hostname`. */
  callbackHostname?: string;
  /** Callback path (default `"/callback"`). */
  callbackPath?: string;
  /**
   * Open the system browser (default true). When it is false, or nothing could be
   * opened, the URL is printed to stderr (and the `info` event says why).
   */
  openBrowser?: boolean;
  /** Opens the authorization URL yourself (a test's browser, an Electron window); if it throws, the URL is printed. */
  launch?: (url: string) => unknown;
  /** Milliseconds to wait for the user to finish in the browser (default 300000). */
  timeout?: number;
  /** Extra authorization request parameters (`prompt`, `login_hint`, your own `nonce`...). */
  extraAuthorizationParams?: Readonly<Record<string, string>>;
  /** The trace of every OAuth message, secrets redacted. Errors it throws are ignored. */
  onEvent?: (event: OAuthEvent) => void;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

/** `OAuthClientOptions` with each alias resolved to its name. */
type ResolvedOptions = Omit<OAuthClientOptions, "scopes" | "storage" | "storageKey" | "callbackPort" | "callbackHostname">;

const CLIENT_OPTIONS = [
  "issuer",
  "endpoints",
  "clientId",
  "clientSecret",
  "privateKey",
  "privateKeyAlgorithm",
  "privateKeyId",
  "tokenEndpointAuthMethod",
  "grantType",
  "clientMetadataUrl",
  "clientName",
  "scope",
  "scopes",
  "resource",
  "store",
  "storage",
  "storeKey",
  "storageKey",
  "autoRefresh",
  "refreshSkewMs",
  "requestTimeoutMs",
  "port",
  "callbackPort",
  "hostname",
  "callbackHostname",
  "callbackPath",
  "openBrowser",
  "launch",
  "timeout",
  "extraAuthorizationParams",
  "onEvent",
  "fetch",
] as const;

const ENDPOINT_OPTIONS = [
  "authorizationEndpoint",
  "tokenEndpoint",
  "registrationEndpoint",
  "revocationEndpoint",
  "deviceAuthorizationEndpoint",
  "userinfoEndpoint",
  "jwksUri",
  "endSessionEndpoint",
  "issParameterSupported",
  "tokenEndpointAuthMethods",
] as const;

/** Each alias and the name it stands for. */
const ALIASES = [
  ["scope", "scopes"],
  ["store", "storage"],
  ["storeKey", "storageKey"],
  ["port", "callbackPort"],
  ["hostname", "callbackHostname"],
] as const;

/** What `authenticateWithDeviceCode` shows the user. */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresAt: number;
}

type GetAuthCode = (input: GetAuthCodeOptions) => Promise<CallbackResult>;

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** What a public call accepts to be cancelled. */
export interface CallOptions {
  /** Aborting rejects the call with `ABORTED` (`cause`: the signal's reason). */
  signal?: AbortSignal;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted(signal as AbortSignal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The refresh margin for `tokens`: `skew`, but at most half the token's lifetime when
 * it is known (`issuedAt`), so a short-lived token is not refreshed on every call.
 */
export function refreshMargin(tokens: Tokens, skew: number): number {
  const { issuedAt, expiresAt } = tokens;
  if (typeof issuedAt !== "number" || typeof expiresAt !== "number" || !(expiresAt >= issuedAt)) return skew;
  return Math.min(skew, (expiresAt - issuedAt) / 2);
}

/**
 * One refresh shared by concurrent callers. Each caller stops waiting when its own
 * signal fires; the refresh request is not sent once every caller has gone (and none
 * came without a signal), but one already sent runs to its bound and is saved, so a
 * rotated refresh token is never lost to an abort.
 */
class Flight {
  promise: Promise<Tokens> | undefined;
  #waiting = 0;
  #unbounded = false;
  readonly #listeners: Array<[AbortSignal, () => void]> = [];

  join(signal: AbortSignal | undefined): void {
    if (!signal) {
      this.#unbounded = true;
      return;
    }
    this.#waiting++;
    const leave = () => this.#waiting--;
    signal.addEventListener("abort", leave, { once: true });
    this.#listeners.push([signal, leave]);
  }

  get wanted(): boolean {
    return this.#unbounded || this.#waiting > 0;
  }

  /** Detaches from the callers' signals (a long-lived signal must not collect listeners). */
  end(): void {
    for (const [signal, leave] of this.#listeners) signal.removeEventListener("abort", leave);
    this.#listeners.length = 0;
  }
}

/** Same loopback redirect except for the port, which RFC 8252 §7.3 lets vary. */
function sameLoopbackRedirect(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.hostname === y.hostname && x.pathname === y.pathname;
  } catch {
    return false;
  }
}

/** Metadata from explicitly configured endpoints, each checked by the core. */
function configuredMetadata(o: ResolvedOptions): ServerMetadata {
  const e = o.endpoints as NonNullable<OAuthClientOptions["endpoints"]>;
  const check = (u: string | undefined) => (u === undefined ? null : checkedEndpoint(expectString("endpoint", u)));
  return {
    issuer: o.issuer,
    authorizationEndpoint: check(e.authorizationEndpoint),
    tokenEndpoint: checkedEndpoint(expectString("endpoints.tokenEndpoint", e.tokenEndpoint)),
    registrationEndpoint: check(e.registrationEndpoint),
    revocationEndpoint: check(e.revocationEndpoint),
    deviceAuthorizationEndpoint: check(e.deviceAuthorizationEndpoint),
    issParameterSupported: e.issParameterSupported ?? false,
    tokenEndpointAuthMethods: e.tokenEndpointAuthMethods ?? ["client_secret_basic"],
    userinfoEndpoint: check(e.userinfoEndpoint),
    jwksUri: check(e.jwksUri),
    endSessionEndpoint: check(e.endSessionEndpoint),
    raw: {},
  };
}

/** The client, minus how the loopback login runs (each runtime's entry supplies it). */
export class BaseOAuthClient {
  readonly #o: ResolvedOptions;
  readonly #store: OAuthStore;
  readonly #key: string;
  readonly #fetch: typeof fetch;
  readonly #getAuthCode: GetAuthCode;
  readonly #emit: Emit;
  readonly #timeoutMs: number;
  readonly #keys = new KeySetCache();
  #metadata: Promise<ServerMetadata> | undefined;
  #refreshing: Flight | undefined;
  /** The ID token last checked, and its claims. */
  #claims: { idToken: string; claims: IdTokenClaims } | undefined;

  constructor(input: OAuthClientOptions, getAuthCode: GetAuthCode) {
    if (typeof input !== "object" || input === null) {
      throw new OAuthCallbackError("INVALID_PARAMETER", "OAuthClient needs an options object: new OAuthClient({ issuer })");
    }
    const options: ResolvedOptions = resolveClientOptions("OAuthClient", input, CLIENT_OPTIONS, ALIASES);
    if (typeof options.issuer !== "string") throw new OAuthCallbackError("INVALID_PARAMETER", "OAuthClient needs { issuer }");
    if (options.endpoints !== undefined) checkOptions("OAuthClient endpoints", options.endpoints, ENDPOINT_OPTIONS);
    this.#o = options;
    this.#store = asOAuthStore(options.store);
    this.#key = options.storeKey ?? options.issuer;
    this.#timeoutMs = checkTimeout("requestTimeoutMs", options.requestTimeoutMs);
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new OAuthCallbackError("INVALID_PARAMETER", "no fetch available: pass options.fetch");
    this.#fetch = f.bind(globalThis);
    this.#getAuthCode = getAuthCode;
    this.#emit = observer(options.onEvent);
    if (options.grantType !== undefined && options.grantType !== "authorization_code" && options.grantType !== "client_credentials") {
      throw new OAuthCallbackError("INVALID_PARAMETER", 'OAuthClient: grantType must be "authorization_code" or "client_credentials"');
    }
    // A machine client's key and method are checked now, not at the first request.
    if (options.grantType === "client_credentials" || options.privateKey !== undefined || options.tokenEndpointAuthMethod !== undefined) {
      checkCredentials("OAuthClient", this.#machine(), options.grantType !== "client_credentials");
    }
    if (options.clientMetadataUrl !== undefined) machineSteps.checkClientIdUrl(expectString("clientMetadataUrl", options.clientMetadataUrl));
  }

  /** The client's own credentials, for the client credentials grant. */
  #machine(): MachineCredentials {
    const o = this.#o;
    return { clientId: o.clientId as string, clientSecret: o.clientSecret, privateKey: o.privateKey, privateKeyAlgorithm: o.privateKeyAlgorithm, privateKeyId: o.privateKeyId, tokenEndpointAuthMethod: o.tokenEndpointAuthMethod };
  }

  #machineFlight: Promise<Tokens> | undefined;

  /**
   * RFC 6749 §4.4: tokens for the client itself, with no user and no browser. The client
   * authenticates with `privateKey` (`private_key_jwt`: a fresh RFC 7523 assertion per
   * request, signed in the core) or `clientSecret` (`client_secret_basic`, or
   * `client_secret_post` when the server lists only that); `tokenEndpointAuthMethod`
   * forces one. The tokens are saved like a sign-in's. `scope` defaults to the client's.
   */
  async authenticateWithClientCredentials(options: CallOptions & { scope?: string | readonly string[] } = {}): Promise<Tokens> {
    throwIfAborted(options.signal);
    const meta = await this.discover(options);
    const credentials = checkCredentials("authenticateWithClientCredentials", this.#machine());
    const scope = list(options.scope ?? this.#o.scope).join(" ") || undefined;
    const tokens = await clientCredentialsGrant(meta, credentials, scope, list(this.#o.resource), this.#fetch, this.#emit, { signal: options.signal, timeoutMs: this.#timeoutMs });
    return this.#saveTokens(tokens);
  }

  /** A machine client's valid tokens: the stored ones, or new ones (one request at a time). */
  async #machineTokens(force: boolean, signal: AbortSignal | undefined): Promise<Tokens> {
    throwIfAborted(signal);
    const tokens = force ? null : await untilAborted(this.getTokens(), signal);
    if (tokens && !this.#stale(tokens)) return tokens;
    const flight = (this.#machineFlight ??= this.authenticateWithClientCredentials().finally(() => (this.#machineFlight = undefined)));
    return untilAborted(flight, signal);
  }


  /** One bounded request, its response processed by the core step `process`. */
  #exchange<T>(step: string, request: CoreRequest, signal: AbortSignal | undefined, process: (status: number, body: string) => T): Promise<T> {
    return exchange(this.#fetch, request, step, this.#emit, { signal, timeoutMs: this.#timeoutMs }, process);
  }

  /**
   * RFC 8414, then OIDC discovery; cached. The issuer must match exactly. Callers share
   * one discovery; `signal` stops this caller's wait (the request is bounded anyway).
   */
  discover(options: CallOptions = {}): Promise<ServerMetadata> {
    if (!this.#metadata) {
      const metadata = this.#o.endpoints
        ? Promise.resolve().then(() => configuredMetadata(this.#o))
        : discoverMetadata(this.#o.issuer, this.#fetch, this.#emit, { timeoutMs: this.#timeoutMs });
      this.#metadata = metadata;
      metadata.catch(() => {
        if (this.#metadata === metadata) this.#metadata = undefined;
      });
    }
    return untilAborted(this.#metadata, options.signal);
  }

  /**
   * The client registration: given, stored, or registered now (and stored). A stored one
   * is reused when it allows the grants `needed` (and, for a browser flow, the redirect
   * URI up to the port); a new one asks for `register`.
   */
  async #client(meta: ServerMetadata, redirectUri: string | undefined, needed: string[], register: string[] = needed, signal?: AbortSignal): Promise<ClientCredentials> {
    if (this.#o.clientId) return { clientId: this.#o.clientId, clientSecret: this.#o.clientSecret, authMethods: meta.tokenEndpointAuthMethods };
    // SEP-991: where the server fetches client metadata documents, the document's URL is the client ID.
    if (this.#o.clientMetadataUrl !== undefined && meta.raw.client_id_metadata_document_supported === true) {
      return { clientId: this.#o.clientMetadataUrl, authMethods: meta.tokenEndpointAuthMethods };
    }
    const stored = await this.#store.getClient(this.#key);
    const reusable = (c: ClientInfo | null) =>
      c !== null &&
      needed.every((g) => (c.grantTypes ?? ["authorization_code", "refresh_token"]).includes(g)) &&
      (redirectUri === undefined || (c.redirectUris ?? []).some((u) => sameLoopbackRedirect(u, redirectUri)));
    if (stored && reusable(stored)) return { clientId: stored.clientId, clientSecret: stored.clientSecret, authMethods: meta.tokenEndpointAuthMethods };
    if (!meta.registrationEndpoint) {
      throw new OAuthCallbackError("MISSING_PARAMETER", "no clientId was given and the server offers no dynamic client registration");
    }
    const redirects = redirectUri ? [redirectUri] : [];
    // Register under the store's lock so two processes never register twice.
    const entry = await this.#store.update(this.#key, async (e) => {
      if (e?.client && reusable(e.client)) return undefined;
      const request = steps.registration(meta.registrationEndpoint as string, this.#o.clientName ?? "oauth-callback-rs client", redirects, register, list(this.#o.scope).join(" ") || undefined);
      const client = await this.#exchange("registration", request, signal, (status, body) => steps.processRegistration(status, body, redirects, register));
      return { ...(e ?? {}), client };
    });
    const client = entry?.client;
    if (!client) throw new OAuthCallbackError("INVALID_RESPONSE", "registration stored no client");
    return { clientId: client.clientId, clientSecret: client.clientSecret, authMethods: meta.tokenEndpointAuthMethods };
  }

  async #saveTokens(tokens: Tokens): Promise<Tokens> {
    await this.#store.update(this.#key, (e) => {
      const next = { ...(e ?? {}), tokens };
      delete next.codeVerifier;
      return next;
    });
    return tokens;
  }

  /**
   * Signs in through the browser: PKCE (S256), `state`, a loopback redirect on the
   * bound port, `iss` checked when the server supports RFC 9207, then the code exchange.
   * With the `openid` scope a `nonce` is sent, and an ID token in the answer is checked
   * (signature with the issuer's JWKS, `iss`, `aud`, `exp`, `iat`, `nonce`) before the
   * tokens are saved; `idTokenClaims()` then gives its claims.
   * `signal` cancels every step: discovery, registration, the wait and the exchange.
   */
  async authenticate(options: CallOptions = {}): Promise<Tokens> {
    throwIfAborted(options.signal);
    const meta = await this.discover(options);
    if (!meta.authorizationEndpoint) throw new OAuthCallbackError("INVALID_RESPONSE", "the server has no authorization endpoint");
    const pkce = generatePkce();
    const state = generateState();
    const scope = list(this.#o.scope);
    const extra = { ...(this.#o.extraAuthorizationParams ?? {}) };
    // OIDC Core §3.1.2.1: a nonce binds the ID token to this request.
    if (scope.includes("openid") && extra.nonce === undefined) extra.nonce = generateNonce();
    const nonce = extra.nonce;
    const timeout = this.#o.timeout ?? 300_000;
    const abort = new AbortController();
    const onAbort = () => abort.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    let prepared: Promise<{ client: ClientCredentials; redirectUri: string }> | undefined;
    let preparationFailed = false;
    let verifierStored = false;
    let listeningAt: string | undefined;
    try {
      const result = await this.#getAuthCode({
        port: this.#o.port ?? 0,
        hostname: this.#o.hostname ?? "127.0.0.1",
        callbackPath: this.#o.callbackPath ?? "/callback",
        timeout,
        expectedState: state,
        // RFC 9207, checked before the page is chosen (again in validateCallback below).
        expectedIssuer: meta.issuer,
        issuerRequired: meta.issParameterSupported === true,
        signal: abort.signal,
        onListening: ({ redirectUri }) => {
          listeningAt = redirectUri;
          // Registration needs the real redirect URI, known only now; any failure
          // aborts the wait with its own error.
          prepared = (async () => {
            // Register for the device grant too when the server has it, so a later
            // device sign-in reuses this client instead of registering another.
            const grants = ["authorization_code", "refresh_token", ...(meta.deviceAuthorizationEndpoint ? [DEVICE_GRANT] : [])];
            const client = await this.#client(meta, redirectUri, ["authorization_code"], grants, abort.signal);
            await this.#store.setCodeVerifier(this.#key, pkce.verifier);
            verifierStored = true;
            const url = buildAuthorizationUrl({
              authorizationEndpoint: meta.authorizationEndpoint as string,
              clientId: client.clientId,
              redirectUri,
              scope,
              state,
              codeChallenge: pkce.challenge,
              resource: list(this.#o.resource),
              ...(Object.keys(extra).length ? { extraParams: extra } : {}),
            });
            this.#emit({ type: "request", step: "authorization", method: "GET", url: steps.redactUrl(url) });
            await this.#launch(url);
            return { client, redirectUri };
          })();
          prepared.catch((err: unknown) => {
            preparationFailed = true;
            abort.abort(err);
          });
        },
      }).catch((err: unknown) => {
        if (options.signal?.aborted) throw aborted(options.signal);
        // A failed registration or launch aborted the wait: its error is the one to report.
        if (preparationFailed) throw abort.signal.reason;
        if (err instanceof TimeoutError && listeningAt !== undefined) {
          const waited = new TimeoutError(
            `sign-in timed out: no redirect reached ${listeningAt} within ${timeout} ms (${Math.round(timeout / 1000)} s); finish signing in in the browser sooner, or raise the \`timeout\` option`,
          );
          (waited as { cause?: unknown }).cause = err;
          throw waited;
        }
        throw err;
      });
      const { client, redirectUri } = await (prepared as NonNullable<typeof prepared>);
      this.#emit({ type: "response", step: "authorization", status: 303, body: steps.redactBody(new URLSearchParams(result as Record<string, string>).toString()) });
      const code = steps.validateCallback(result, state, meta.issuer, meta.issParameterSupported);
      const request = steps.codeExchange(meta.tokenEndpoint, client, code, redirectUri, pkce.verifier, list(this.#o.resource));
      const tokens = await this.#exchange("token", request, options.signal, receivedTokens);
      // The ID token is checked before anything is saved: a token that fails is not a sign-in.
      const claims =
        tokens.idToken !== undefined && meta.jwksUri
          ? await this.#checkIdToken(tokens.idToken, meta, { clientId: client.clientId, nonce, checkTime: true }, options.signal)
          : undefined;
      await this.#saveTokens(tokens);
      this.#claims = claims && tokens.idToken !== undefined ? { idToken: tokens.idToken, claims } : undefined;
      return tokens;
    } catch (err) {
      // A sign-in that failed leaves no verifier behind (the tokens are untouched).
      if (verifierStored) await this.#forgetVerifier(pkce.verifier).catch(() => undefined);
      throw err;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  #checkIdToken(idToken: string, meta: ServerMetadata, expected: Parameters<typeof checkIdToken>[2], signal: AbortSignal | undefined): Promise<IdTokenClaims> {
    return checkIdToken(idToken, meta, expected, this.#keys, this.#fetch, this.#emit, { signal, timeoutMs: this.#timeoutMs });
  }

  /**
   * The claims of the stored ID token (OpenID Connect), or null when the tokens have
   * none (no `openid` scope, or not signed in). The token is checked with the issuer's
   * JWK Set (fetched once per client, and again when the issuer rotates its keys), its
   * `iss` and `aud`; its `exp`, `iat` and `nonce` were checked when it arrived, so a
   * stored token past its `exp` still gives the claims of that sign-in.
   */
  async idTokenClaims(options: CallOptions = {}): Promise<IdTokenClaims | null> {
    throwIfAborted(options.signal);
    const tokens = await untilAborted(this.getTokens(), options.signal);
    const idToken = tokens?.idToken;
    if (idToken === undefined) return null;
    if (this.#claims?.idToken === idToken) return this.#claims.claims;
    const meta = await this.discover(options);
    const clientId = this.#o.clientId ?? (await untilAborted(this.#store.getClient(this.#key), options.signal))?.clientId;
    if (!clientId) throw new OAuthCallbackError("MISSING_PARAMETER", "cannot check the ID token: no clientId was given and no registration is stored");
    // A refreshed ID token must name the user the earlier one named (OIDC Core §12.2).
    const subject = this.#claims?.claims.sub;
    const claims = await this.#checkIdToken(idToken, meta, { clientId, checkTime: false, subject }, options.signal);
    this.#claims = { idToken, claims };
    return claims;
  }

  /**
   * OpenID Connect UserInfo (Core §5.3): the signed-in user's claims, with a valid access
   * token (refreshed first when needed, as `getValidToken()` does). When the tokens carry
   * an ID token, the answer's `sub` must be its `sub`. A JWT response is refused with a
   * clear error; `invalid_token` and `insufficient_scope` are `OAuthError`s.
   */
  async fetchUserInfo(options: CallOptions = {}): Promise<UserInfo> {
    throwIfAborted(options.signal);
    const meta = await this.discover(options);
    if (!meta.userinfoEndpoint) {
      throw new OAuthCallbackError("MISSING_PARAMETER", `the metadata of ${meta.issuer} has no userinfo_endpoint (with configured endpoints, give endpoints.userinfoEndpoint)`);
    }
    const accessToken = await this.getValidToken(options);
    const stored = await untilAborted(this.getTokens(), options.signal);
    const subject = stored?.idToken !== undefined && meta.jwksUri ? (await this.idTokenClaims(options))?.sub : undefined;
    return requestUserInfo(meta, accessToken, subject, this.#fetch, this.#emit, { signal: options.signal, timeoutMs: this.#timeoutMs });
  }

  /** Removes `verifier` from the store unless another sign-in has replaced it since. */
  async #forgetVerifier(verifier: string): Promise<void> {
    await this.#store.update(this.#key, (e) => {
      if (e?.codeVerifier !== verifier) return undefined;
      const next = { ...e };
      delete next.codeVerifier;
      const { updatedAt: _, ...rest } = next;
      return Object.keys(rest).length ? next : null;
    });
  }

  /**
   * Opens `url`: the caller's `launch`, or the system browser. Whenever nothing opened
   * (no display, no `--allow-run` in Deno, a launcher that exited non-zero, `launch`
   * throwing, `openBrowser: false`) the URL is printed to stderr and the `info` event
   * says why, so the user always learns where to sign in.
   */
  async #launch(url: string): Promise<void> {
    const notOpened = (reason: string) => {
      // The event is for logs and shows `state` redacted; the person gets the whole URL on stderr.
      this.#emit({ type: "info", step: "authorization", message: `the browser was not opened (${reason}); the URL to open is printed on stderr: ${steps.redactUrl(url)}` });
      console.error(`Open this URL in your browser to sign in (${reason}):\n  ${url}`);
    };
    if (this.#o.launch) {
      try {
        await this.#o.launch(url);
      } catch (err) {
        notOpened(`launch failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    if (this.#o.openBrowser === false) return notOpened("openBrowser is false");
    // A launcher that starts and then exits non-zero is reported when it exits.
    const launch: BrowserLaunch = await openBrowser(url, { onFailure: notOpened });
    if (!launch.opened) notOpened(launch.reason);
  }

  /** RFC 8628: sign in on another device. `onUserCode` shows the code and the URL. */
  async authenticateWithDeviceCode(options: { onUserCode: (prompt: DeviceCodePrompt) => void; signal?: AbortSignal }): Promise<Tokens> {
    const { signal } = options;
    throwIfAborted(signal);
    const meta = await this.discover(options);
    if (!meta.deviceAuthorizationEndpoint) throw new OAuthCallbackError("MISSING_PARAMETER", "the server has no device authorization endpoint (RFC 8628)");
    const client = await untilAborted(this.#client(meta, undefined, [DEVICE_GRANT], [DEVICE_GRANT, "refresh_token"], signal), signal);
    const scope = list(this.#o.scope).join(" ") || undefined;
    const request = steps.deviceAuthorization(meta.deviceAuthorizationEndpoint, client, scope, list(this.#o.resource));
    const auth: DeviceAuthorization = await this.#exchange("device_authorization", request, signal, (status, body) => steps.processDeviceAuthorization(status, body, Date.now()));
    const prompt: DeviceCodePrompt = { userCode: auth.userCode, verificationUri: auth.verificationUri, expiresAt: auth.expiresAt };
    if (auth.verificationUriComplete) prompt.verificationUriComplete = auth.verificationUriComplete;
    options.onUserCode(prompt);
    let interval = auth.interval;
    for (;;) {
      await sleep(interval * 1000, signal);
      if (Date.now() >= auth.expiresAt) throw new OAuthCallbackError("DEVICE_CODE_EXPIRED", "the user code expired before the user approved it");
      try {
        return await this.#saveTokens(await this.#exchange("token", steps.deviceToken(meta.tokenEndpoint, client, auth.deviceCode), signal, receivedTokens));
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        const next = steps.devicePollNext(err.error, interval);
        if (next < 0) throw err;
        interval = next;
      }
    }
  }

  /** The stored tokens, or null. */
  getTokens(): Promise<Tokens | null> {
    return this.#store.get(this.#key);
  }

  /**
   * An access token that is valid now, refreshing first when it expires within the
   * margin (`refreshSkewMs`, at most half the token's lifetime). Concurrent calls share
   * one refresh. Throws `LOGIN_REQUIRED` when there is nothing to use; `signal` stops
   * this call (see `refreshTokens`).
   */
  async getValidToken(options: CallOptions = {}): Promise<string> {
    throwIfAborted(options.signal);
    if (this.#o.grantType === "client_credentials") return (await this.#machineTokens(false, options.signal)).accessToken;
    const tokens = await untilAborted(this.getTokens(), options.signal);
    if (!tokens) throw new OAuthCallbackError("LOGIN_REQUIRED", "not signed in: call authenticate() first");
    if (!this.#stale(tokens) || this.#o.autoRefresh === false) return tokens.accessToken;
    return (await this.#singleFlight(false, options.signal)).accessToken;
  }

  #stale(tokens: Tokens): boolean {
    return steps.needsRefresh(tokens.expiresAt, Date.now(), refreshMargin(tokens, this.#o.refreshSkewMs ?? 60_000));
  }

  /**
   * RFC 6749 §6: a new access token. One refresh at a time per client, and under the
   * store's cross-process lock: another process's fresh tokens are used instead of
   * spending the refresh token twice, and the rotated refresh token is saved before the
   * new access token is returned. `invalid_grant` clears the tokens (`LOGIN_REQUIRED`).
   *
   * The lock is held for the refresh request only, which `requestTimeoutMs` bounds; a
   * failure leaves the stored tokens as they were. `signal` stops this caller at once
   * (`ABORTED`); the request is then not sent if no other caller still waits for it,
   * and one already sent is finished and saved, so the rotated refresh token survives.
   */
  async refreshTokens(options: CallOptions = {}): Promise<Tokens> {
    // A machine client asks again: the grant itself is its refresh (RFC 6749 §4.4.3).
    if (this.#o.grantType === "client_credentials") return this.#machineTokens(true, options.signal);
    return this.#singleFlight(true, options.signal);
  }

  #singleFlight(force: boolean, signal: AbortSignal | undefined): Promise<Tokens> {
    throwIfAborted(signal);
    let flight = this.#refreshing;
    if (!flight) {
      const next = new Flight();
      flight = next;
      this.#refreshing = next;
      next.join(signal);
      next.promise = this.#refresh(force, next).finally(() => {
        next.end();
        if (this.#refreshing === next) this.#refreshing = undefined;
      });
    } else {
      flight.join(signal);
    }
    return untilAborted(flight.promise as Promise<Tokens>, signal);
  }

  async #refresh(force: boolean, flight: Flight): Promise<Tokens> {
    const meta = await this.discover();
    const client = await this.#client(meta, undefined, ["refresh_token"]);
    let outcome: Tokens | OAuthError | undefined;
    await this.#store.update(this.#key, async (entry) => {
      const current = entry?.tokens;
      if (!current?.refreshToken) throw new OAuthCallbackError("LOGIN_REQUIRED", "no refresh token: sign in again");
      // Another process refreshed while we waited for the lock: use its tokens rather
      // than spend the (rotated, now invalid) refresh token again.
      if (!force && !this.#stale(current)) {
        outcome = current;
        return undefined;
      }
      // Everyone who asked has gone: send nothing.
      if (!flight.wanted) throw new OAuthCallbackError("ABORTED", "Operation aborted");
      const request = steps.refresh(meta.tokenEndpoint, client, current.refreshToken, list(this.#o.resource));
      try {
        const fresh = await this.#exchange("refresh", request, undefined, receivedTokens);
        // Servers that do not rotate keep the old refresh token valid (RFC 6749 §6); an
        // answer without an ID token leaves the sign-in's one in place (OIDC Core §12.2).
        const tokens: Tokens = { ...fresh, refreshToken: fresh.refreshToken ?? current.refreshToken };
        const idToken = fresh.idToken ?? current.idToken;
        if (idToken !== undefined) tokens.idToken = idToken;
        outcome = tokens;
        return { ...entry, tokens };
      } catch (err) {
        if (err instanceof OAuthError && err.error === "invalid_grant") {
          outcome = err;
          const next = { ...entry };
          delete next.tokens;
          return Object.keys(next).length ? next : null;
        }
        throw err;
      }
    });
    if (outcome instanceof OAuthError) {
      throw new OAuthCallbackError("LOGIN_REQUIRED", "the refresh token is no longer valid: sign in again", { cause: outcome });
    }
    if (!outcome) throw new OAuthCallbackError("LOGIN_REQUIRED", "not signed in");
    return outcome;
  }

  /**
   * RFC 7009: revokes the refresh and access tokens when the server can, then forgets
   * them. A revocation that fails or times out, or a server that cannot be reached, is
   * reported as `revoked: false` and the tokens are forgotten anyway; `signal` stops the
   * call (`ABORTED`) and keeps them.
   */
  async logout(options: CallOptions = {}): Promise<{ revoked: boolean }> {
    const { signal } = options;
    throwIfAborted(signal);
    const tokens = await untilAborted(this.getTokens(), signal);
    let revoked = false;
    const failed = (err: unknown) => {
      if (signal?.aborted) throw aborted(signal);
      revoked = false;
      this.#emit({ type: "info", step: "revocation", message: `revocation failed: ${err instanceof Error ? err.message : String(err)}` });
    };
    if (tokens) {
      try {
        // An unreachable server does not keep the tokens here: revoking is best effort.
        const meta = await this.discover(options);
        // Revoking needs the client the tokens were issued to; never register one for it.
        const known = this.#o.clientId !== undefined || (await untilAborted(this.#store.getClient(this.#key), signal)) !== null;
        if (meta.revocationEndpoint && known) {
          const client = await untilAborted(this.#client(meta, undefined, []), signal);
          revoked = true;
          for (const [token, hint] of [[tokens.refreshToken, "refresh_token"], [tokens.accessToken, "access_token"]] as const) {
            if (!token) continue;
            await this.#exchange("revocation", steps.revocation(meta.revocationEndpoint, client, token, hint), signal, (status, body) => steps.processRevocation(status, body)).catch(failed);
          }
        }
      } catch (err) {
        failed(err);
      }
    }
    throwIfAborted(signal);
    await this.#store.update(this.#key, (e) => {
      if (!e?.tokens) return undefined;
      const next = { ...e };
      delete next.tokens;
      delete next.codeVerifier;
      return Object.keys(next).length ? next : null;
    });
    this.#claims = undefined;
    return { revoked };
  }
}
