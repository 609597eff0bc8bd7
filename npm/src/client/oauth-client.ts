/**
 * `OAuthClient`: sign in through the browser and a loopback redirect (or the device
 * flow), keep tokens fresh, log out. Protocol decisions are core steps; this class
 * sequences them, keeps state in the store, and moves bytes with `fetch`.
 */
import type { CallbackResult, GetAuthCodeOptions } from "../auth-code.js";
import { OAuthCallbackError, OAuthError, expectString } from "../errors.js";
import { openBrowser } from "../launcher.js";
import { buildAuthorizationUrl, checkedEndpoint, generatePkce, generateState, asList as list } from "../protocol.js";
import type { ClientInfo, OAuthStore, TokenStore, Tokens } from "../store/types.js";
import { discoverMetadata } from "./discovery.js";
import { observer } from "../observer.js";
import { aborted, checkTimeout, exchange, throwIfAborted, untilAborted, type Emit, type OAuthEvent } from "./http.js";
import { asOAuthStore } from "./plain-store.js";
import { steps, type ClientCredentials, type CoreRequest, type DeviceAuthorization, type ServerMetadata } from "./steps.js";

/** Options of `OAuthClient`. */
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
    /** The server sends RFC 9207 `iss` in redirects (then it is required). */
    issParameterSupported?: boolean;
    tokenEndpointAuthMethods?: string[];
  };
  /** Pre-registered client; without it the client registers itself (RFC 7591) once. */
  clientId?: string;
  /** For confidential clients: sent with client_secret_basic or _post as the server says. */
  clientSecret?: string;
  /** Name sent when registering (default `"oauth-callback-rs client"`). */
  clientName?: string;
  /** Scopes to ask for. */
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
  storage?: OAuthStore | TokenStore;
  /** The key in the store (default: the issuer). */
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
   * exchange, refresh, device authorization and each poll, revocation), headers and body
   * together, in ms (default 30000). Past it the call rejects with `TIMEOUT`.
   */
  requestTimeoutMs?: number;
  /** Loopback port (default 0: a free one). */
  callbackPort?: number;
  /** Loopback host (default `"127.0.0.1"`, RFC 8252 §8.3). */
  callbackHostname?: string;
  /** Callback path (default `"/callback"`). */
  callbackPath?: string;
  /** Open the system browser (default true); false prints the URL instead. */
  openBrowser?: boolean;
  /** Opens the authorization URL yourself (a test's browser, an Electron window). */
  launch?: (url: string) => unknown;
  /** Milliseconds to wait for the user (default 300000). */
  timeout?: number;
  /** Extra authorization request parameters (`prompt`, `login_hint`...). */
  extraAuthorizationParams?: Readonly<Record<string, string>>;
  /** The trace of every OAuth message, secrets redacted. Errors it throws are ignored. */
  onEvent?: (event: OAuthEvent) => void;
  /** `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
}

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

/** Tokens from a token response, with when they arrived (their lifetime, with `expiresAt`). */
function receivedTokens(status: number, body: string): Tokens {
  const now = Date.now();
  const tokens = steps.processTokens(status, body, now);
  if (tokens.expiresAt !== undefined) tokens.issuedAt = now;
  return tokens;
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
function configuredMetadata(o: OAuthClientOptions): ServerMetadata {
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
  };
}

/** The client, minus how the loopback login runs (each runtime's entry supplies it). */
export class BaseOAuthClient {
  readonly #o: OAuthClientOptions;
  readonly #store: OAuthStore;
  readonly #key: string;
  readonly #fetch: typeof fetch;
  readonly #getAuthCode: GetAuthCode;
  readonly #emit: Emit;
  readonly #timeoutMs: number;
  #metadata: Promise<ServerMetadata> | undefined;
  #refreshing: Flight | undefined;

  constructor(options: OAuthClientOptions, getAuthCode: GetAuthCode) {
    if (typeof options !== "object" || options === null || typeof options.issuer !== "string") {
      throw new OAuthCallbackError("INVALID_PARAMETER", "OAuthClient needs { issuer }");
    }
    this.#o = options;
    this.#store = asOAuthStore(options.storage);
    this.#key = options.storageKey ?? options.issuer;
    this.#timeoutMs = checkTimeout("requestTimeoutMs", options.requestTimeoutMs);
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new OAuthCallbackError("INVALID_PARAMETER", "no fetch available: pass options.fetch");
    this.#fetch = f.bind(globalThis);
    this.#getAuthCode = getAuthCode;
    this.#emit = observer(options.onEvent);
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
      const request = steps.registration(meta.registrationEndpoint as string, this.#o.clientName ?? "oauth-callback-rs client", redirects, register, list(this.#o.scopes).join(" ") || undefined);
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
   * `signal` cancels every step: discovery, registration, the wait and the exchange.
   */
  async authenticate(options: CallOptions = {}): Promise<Tokens> {
    throwIfAborted(options.signal);
    const meta = await this.discover(options);
    if (!meta.authorizationEndpoint) throw new OAuthCallbackError("INVALID_RESPONSE", "the server has no authorization endpoint");
    const pkce = generatePkce();
    const state = generateState();
    const abort = new AbortController();
    const onAbort = () => abort.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    let prepared: Promise<{ client: ClientCredentials; redirectUri: string }> | undefined;
    let preparationFailed = false;
    let verifierStored = false;
    try {
      const result = await this.#getAuthCode({
        port: this.#o.callbackPort ?? 0,
        hostname: this.#o.callbackHostname ?? "127.0.0.1",
        callbackPath: this.#o.callbackPath ?? "/callback",
        timeout: this.#o.timeout ?? 300_000,
        expectedState: state,
        // RFC 9207, checked before the page is chosen (again in validateCallback below).
        expectedIssuer: meta.issuer,
        issuerRequired: meta.issParameterSupported === true,
        signal: abort.signal,
        onListening: ({ redirectUri }) => {
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
              scope: list(this.#o.scopes),
              state,
              codeChallenge: pkce.challenge,
              resource: list(this.#o.resource),
              ...(this.#o.extraAuthorizationParams ? { extraParams: this.#o.extraAuthorizationParams } : {}),
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
        throw preparationFailed ? abort.signal.reason : err;
      });
      const { client, redirectUri } = await (prepared as NonNullable<typeof prepared>);
      this.#emit({ type: "response", step: "authorization", status: 303, body: steps.redactBody(new URLSearchParams(result as Record<string, string>).toString()) });
      const code = steps.validateCallback(result, state, meta.issuer, meta.issParameterSupported);
      const request = steps.codeExchange(meta.tokenEndpoint, client, code, redirectUri, pkce.verifier, list(this.#o.resource));
      return await this.#saveTokens(await this.#exchange("token", request, options.signal, receivedTokens));
    } catch (err) {
      // A sign-in that failed leaves no verifier behind (the tokens are untouched).
      if (verifierStored) await this.#forgetVerifier(pkce.verifier).catch(() => undefined);
      throw err;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
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

  async #launch(url: string): Promise<void> {
    if (this.#o.launch) {
      await Promise.resolve(this.#o.launch(url)).catch(() => undefined);
      return;
    }
    const launch = this.#o.openBrowser === false ? { opened: false as const, reason: "openBrowser is false" } : await openBrowser(url);
    if (!launch.opened) {
      this.#emit({ type: "info", step: "authorization", message: `open this URL to sign in: ${url}` });
      if (!this.#o.onEvent) console.error(`Open this URL in your browser to sign in:\n  ${url}`);
    }
  }

  /** RFC 8628: sign in on another device. `onUserCode` shows the code and the URL. */
  async authenticateWithDeviceCode(options: { onUserCode: (prompt: DeviceCodePrompt) => void; signal?: AbortSignal }): Promise<Tokens> {
    const { signal } = options;
    throwIfAborted(signal);
    const meta = await this.discover(options);
    if (!meta.deviceAuthorizationEndpoint) throw new OAuthCallbackError("MISSING_PARAMETER", "the server has no device authorization endpoint (RFC 8628)");
    const client = await untilAborted(this.#client(meta, undefined, [DEVICE_GRANT], [DEVICE_GRANT, "refresh_token"], signal), signal);
    const scope = list(this.#o.scopes).join(" ") || undefined;
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
        // Servers that do not rotate keep the old refresh token valid (RFC 6749 §6).
        const tokens: Tokens = { ...fresh, refreshToken: fresh.refreshToken ?? current.refreshToken };
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
    return { revoked };
  }
}
