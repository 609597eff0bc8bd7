/**
 * Sign-in for single-page apps (OAuth 2.1 §7.1, browser-based apps): the page redirects
 * to the authorization server and back. `startLogin` keeps the PKCE verifier and `state`
 * in `sessionStorage` (this tab only); `completeLogin` checks `state` and `iss` in the
 * core, exchanges the code with `fetch` and removes the code from the address bar.
 */
import { OAuthCallbackError, expectString } from "../errors.js";
import { asList as list, authorizationUrl, generatePkce, generateState } from "../protocol.js";
import type { Tokens } from "../store/types.js";
import { loadClientModule } from "../client-module.js";
import { discoverMetadata } from "./discovery.js";
import { observer } from "../observer.js";
import { checkTimeout, exchange, throwIfAborted, untilAborted, type Emit, type OAuthEvent } from "./http.js";
import { resolveOptions } from "./client-options.js";
import { requestUserInfo } from "./oidc.js";
import { validateCallback, codeExchange, processTokens, type ServerMetadata, type UserInfo } from "./steps.js";

/**
 * Options of `BrowserOAuthClient`, named as in `OAuthClient`; `scopes` and `storage`
 * are aliases of `scope` and `store` (not both). An unknown key is `UNKNOWN_OPTION`.
 */
export interface BrowserOAuthClientOptions {
  issuer: string;
  clientId: string;
  /** This page's URL as registered with the server. */
  redirectUri: string;
  /** Scopes to ask for (default: none). */
  scope?: string | readonly string[];
  /** Alias of `scope`. */
  scopes?: string | readonly string[];
  resource?: string | readonly string[];
  /** Where the in-flight verifier and state live (default `sessionStorage`). */
  store?: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Alias of `store`. */
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  fetch?: typeof fetch;
  onEvent?: (event: OAuthEvent) => void;
  /**
   * Bound of each request (discovery, code exchange), headers and body, in ms (default
   * 30000); past it: `TIMEOUT`. The client module's download and compile get the same bound
   * (the first client to load it sets it; clients share one load).
   */
  requestTimeoutMs?: number;
}

/** What a call accepts to be cancelled: aborting rejects with `ABORTED`. */
export interface BrowserCallOptions {
  signal?: AbortSignal;
}

interface Pending {
  verifier: string;
  state: string;
  redirectUri: string;
}

const BROWSER_CLIENT_OPTIONS = ["issuer", "clientId", "redirectUri", "scope", "scopes", "resource", "store", "storage", "fetch", "onEvent", "requestTimeoutMs"] as const;
const BROWSER_ALIASES = [
  ["scope", "scopes"],
  ["store", "storage"],
] as const;

/** Redirect-based login for a page. Tokens are returned, not stored: keep them in memory. */
export class BrowserOAuthClient {
  readonly #o: Omit<BrowserOAuthClientOptions, "scopes" | "storage">;
  readonly #fetch: typeof fetch;
  readonly #key: string;
  readonly #emit: Emit;
  readonly #timeoutMs: number;
  #metadata: Promise<ServerMetadata> | undefined;

  constructor(input: BrowserOAuthClientOptions) {
    if (typeof input !== "object" || input === null) throw new OAuthCallbackError("INVALID_PARAMETER", "BrowserOAuthClient needs { issuer, clientId, redirectUri }");
    const options = resolveOptions("BrowserOAuthClient", input, BROWSER_CLIENT_OPTIONS, BROWSER_ALIASES);
    if (typeof options.issuer !== "string" || typeof options.clientId !== "string" || typeof options.redirectUri !== "string") {
      throw new OAuthCallbackError("INVALID_PARAMETER", "BrowserOAuthClient needs { issuer, clientId, redirectUri }");
    }
    this.#o = options;
    this.#fetch = (options.fetch ?? globalThis.fetch).bind(globalThis);
    this.#key = `oauth-callback-rs:pending:${options.issuer}`;
    this.#emit = observer(options.onEvent);
    this.#timeoutMs = checkTimeout("requestTimeoutMs", options.requestTimeoutMs);
    // Every sign-in needs the client module: start fetching it now, so the click that
    // starts the login does not wait for it. A failure here is reported by the first call.
    loadClientModule(this.#timeoutMs).catch(() => {});
  }


  #storage() {
    const s = this.#o.store ?? globalThis.sessionStorage;
    if (!s) throw new OAuthCallbackError("INVALID_PARAMETER", "no sessionStorage here: pass options.store");
    return s;
  }

  /** Discovers the server (cached, shared; `signal` stops this caller's wait). */
  discover(options: BrowserCallOptions = {}): Promise<ServerMetadata> {
    if (!this.#metadata) {
      const metadata = loadClientModule(this.#timeoutMs).then(() => discoverMetadata(this.#o.issuer, this.#fetch, this.#emit, { timeoutMs: this.#timeoutMs }));
      this.#metadata = metadata;
      metadata.catch(() => {
        if (this.#metadata === metadata) this.#metadata = undefined;
      });
    }
    return untilAborted(this.#metadata, options.signal);
  }

  /** Builds the authorization URL and remembers this attempt; navigate to the result. */
  async startLogin(extraParams?: Readonly<Record<string, string>>, options: BrowserCallOptions = {}): Promise<string> {
    throwIfAborted(options.signal);
    const meta = await this.discover(options);
    if (!meta.authorizationEndpoint) throw new OAuthCallbackError("INVALID_RESPONSE", "the server has no authorization endpoint");
    const pkce = generatePkce();
    const state = generateState();
    const pending: Pending = { verifier: pkce.verifier, state, redirectUri: this.#o.redirectUri };
    this.#storage().setItem(this.#key, JSON.stringify(pending));
    return authorizationUrl(meta.authorizationEndpoint, this.#o.clientId, this.#o.redirectUri, list(this.#o.scope), state, pkce.challenge, list(this.#o.resource), extraParams);
  }

  /** Whether `url` is a redirect back from the server for an attempt of this tab. */
  isCallback(url: string | URL): boolean {
    const q = new URL(url).searchParams;
    return (q.has("code") || q.has("error")) && q.has("state") && this.#storage().getItem(this.#key) !== null;
  }

  /**
   * Finishes the login on the redirect page: checks `state` and `iss`, exchanges the code.
   * The attempt is forgotten whatever happens, so a URL cannot be replayed.
   */
  async completeLogin(url: string | URL, options: BrowserCallOptions = {}): Promise<Tokens> {
    throwIfAborted(options.signal);
    const storage = this.#storage();
    const raw = storage.getItem(this.#key);
    storage.removeItem(this.#key);
    if (raw === null) throw new OAuthCallbackError("RESPONSE_MISMATCH", "no sign-in was started in this tab (or it was already completed)");
    let pending: Pending;
    try {
      pending = JSON.parse(raw) as Pending;
    } catch {
      throw new OAuthCallbackError("STORE_CORRUPT", "the pending sign-in in sessionStorage is damaged");
    }
    const meta = await this.discover(options);
    const params: Record<string, string> = {};
    for (const [k, v] of new URL(url).searchParams) params[k] = v;
    const code = validateCallback(params, pending.state, meta.issuer, meta.issParameterSupported);
    const request = codeExchange(meta.tokenEndpoint, { clientId: this.#o.clientId, authMethods: meta.tokenEndpointAuthMethods }, code, pending.redirectUri, pending.verifier, list(this.#o.resource));
    return exchange(this.#fetch, request, "token", this.#emit, { signal: options.signal, timeoutMs: this.#timeoutMs }, (status, body) => processTokens(status, body, Date.now()));
  }

  /**
   * OpenID Connect UserInfo (Core §5.3) with `accessToken` as a bearer token: the user's
   * claims. `invalid_token` and `insufficient_scope` are `OAuthError`s; a JWT response is
   * refused with a clear error.
   */
  async fetchUserInfo(accessToken: string, options: BrowserCallOptions = {}): Promise<UserInfo> {
    throwIfAborted(options.signal);
    const meta = await this.discover(options);
    return requestUserInfo(meta, expectString("accessToken", accessToken), undefined, this.#fetch, this.#emit, { signal: options.signal, timeoutMs: this.#timeoutMs });
  }
}
