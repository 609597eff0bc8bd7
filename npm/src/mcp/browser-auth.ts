/**
 * `browserAuth`: an MCP SDK `OAuthClientProvider` (1.32) that signs in through the system
 * browser and the hardened loopback server and keeps everything the SDK hands it in a
 * store keyed by MCP server.
 *
 * - `tokens()` refreshes before expiry, one refresh at a time in a process and, under the
 *   store's lock, across processes: a waiter re-reads and adopts what the winner saved, so
 *   a rotated refresh token is never spent twice. Only `invalid_grant` leads to a login;
 *   a network error, timeout or 5xx is thrown.
 * - `redirectToAuthorization` runs the browser login (one per server at a time across
 *   processes: see login-lease.ts) and keeps the checked code; the code goes to the app
 *   for `transport.finishAuth(code)` (`waitForAuthorizationCode()`), or, when nobody asks
 *   for it, the next `tokens()` exchanges it, so reconnecting is enough.
 * - Port 0 or none: a free loopback port is bound before the SDK registers and held until
 *   the login; a registration keeps its port across restarts.
 */
import type { CallbackResult, GetAuthCodeOptions } from "../auth-code.js";
import { discoverMetadata } from "../client/discovery.js";
import { checkTimeout, send, type Emit, type SendOptions } from "../client/http.js";
import { machineSteps } from "../client/machine-steps.js";
import { steps, type ClientCredentials, type ServerMetadata } from "../client/steps.js";
import { OAuthCallbackError, OAuthError } from "../errors.js";
import { openBrowser } from "../launcher.js";
import type { LoopbackListener, LoopbackOptions } from "../listener.js";
import { observer } from "../observer.js";
import { challengeFromVerifier, generateState, getRedirectUrl } from "../protocol.js";
import { inMemoryStore } from "../store/memory.js";
import { OAuthStoreBrand, type OAuthStore, type StoreEntry, type TokenStore, type Tokens } from "../store/types.js";
import { LeaseHost, awaitLease } from "./login-lease.js";
import { checkedServer } from "./server-metadata.js";
import {
  canonicalUrl,
  fromSdkClient,
  fromSdkTokens,
  isEmpty,
  jwtClaims,
  lifetimeOf,
  mcpRecord,
  sameIssuer,
  toSdkClient,
  toSdkTokens,
  withRecord,
  type LoginLease,
  type McpRecord,
} from "./record.js";
import type {
  BrowserAuthOptions,
  McpClientInformation,
  McpClientMetadata,
  McpCredentialScope,
  McpDiscoveryState,
  McpOAuthTokens,
} from "./types.js";

/** What each runtime supplies: its loopback login and socket binding. */
export interface BrowserAuthRuntime {
  getAuthCode(input: GetAuthCodeOptions): Promise<CallbackResult>;
  bindLoopback(options: LoopbackOptions): LoopbackListener;
}

/** The single key `oauth-callback` keeps its one server's tokens under. */
const LEGACY_KEY = "mcp-tokens";
/** `oauth-callback`'s port, for pre-registered clients and its registrations. */
const PEER_PORT = 3000;
const REFRESH_MARGIN_MS = 60_000;

/** Refresh this long before expiry: a minute, or half the lifetime of shorter-lived tokens. */
export function refreshMargin(lifetimeMs: number | undefined): number {
  return lifetimeMs === undefined ? REFRESH_MARGIN_MS : Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
}

type Update = (entry: StoreEntry | null) => StoreEntry | null | undefined | Promise<StoreEntry | null | undefined>;
interface EntryStore {
  getEntry(key: string): Promise<StoreEntry | null>;
  update(key: string, fn: Update): Promise<StoreEntry | null>;
}

const isOAuthStore = (s: TokenStore): s is OAuthStore => (s as Partial<OAuthStore>)[OAuthStoreBrand] === true;

/** `oauth-callback`'s plain `TokenStore` (get/set/delete): tokens there, the rest in this process's memory. */
function entryStore(store: TokenStore): EntryStore {
  if (isOAuthStore(store)) return store;
  const extras = new Map<string, StoreEntry>();
  let tail: Promise<unknown> = Promise.resolve();
  const read = async (key: string): Promise<StoreEntry | null> => {
    const tokens = await store.get(key);
    const x = extras.get(key);
    if (!tokens && !x) return null;
    return { ...(x ? structuredClone(x) : {}), ...(tokens ? { tokens } : {}) };
  };
  return {
    getEntry: read,
    update(key, fn) {
      const run = tail.then(async () => {
        const before = await read(key);
        const after = await fn(before);
        if (after === undefined) return before;
        const { tokens, ...rest } = after ?? {};
        if (tokens) await store.set(key, tokens);
        else if (before?.tokens) await store.delete(key);
        if (after === null || isEmpty(rest)) extras.delete(key);
        else extras.set(key, structuredClone(rest));
        return after;
      });
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

/** A checked code from the loopback redirect, until it is exchanged. */
interface PendingCode {
  code: string;
  verifier: string;
  redirectUri: string;
  resource: string[];
  /** The client the code was issued to: the tokens belong to it. */
  client: McpClientInformation;
  /** Handed to the app for `finishAuth`: the provider must not exchange it. */
  taken: boolean;
  exchange?: Promise<void>;
  lease: LeaseHost;
}

type RefreshOutcome = { kind: "fresh" | "adopted"; tokens: Tokens } | { kind: "invalid" | "none" | "cannot" };

let setBudget: (p: BrowserOAuthProvider, logins: number | undefined) => number;

/** Limits the browser logins a provider may start from now on; returns how many it started so far. @internal */
export function limitLogins(p: BrowserOAuthProvider, logins: number | undefined): number {
  return setBudget(p, logins);
}

/** The provider; create it with `browserAuth(options)`. */
export class BrowserOAuthProvider {
  readonly #o: BrowserAuthOptions;
  readonly #rt: BrowserAuthRuntime;
  readonly #store: EntryStore;
  readonly #resource: string | undefined;
  readonly #hostname: string;
  readonly #path: string;
  readonly #emit: Emit;
  readonly #fetch: typeof fetch;
  /** Bounds of every request to the authorization server. */
  readonly #bounds: SendOptions;
  #learnedKey: string | undefined;
  #legacyChecked = false;
  /** The redirect URI of the stored registration, when this provider can use it. */
  #registered: string | undefined;
  /** A port picked before registration, held until a login takes it over. */
  #held: LoopbackListener | undefined;
  /** The redirect URI of the login in progress. */
  #loginRedirect: string | undefined;
  #verifiers: string[] = [];
  #pending: PendingCode | undefined;
  #loginFlight: Promise<void> | undefined;
  /** The lease this provider holds while its login runs. */
  #ownLease: string | undefined;
  #refreshFlight: Promise<RefreshOutcome> | undefined;
  /** The tokens `tokens()` last gave the SDK: only these may be invalidated. */
  #handedTokens: Tokens | undefined;
  #handedClient: string | undefined;
  /** Every registration the SDK made in this process, by client ID (a race may store another). */
  readonly #clients = new Map<string, McpClientInformation>();
  #logins = 0;
  #loginBudget: number | undefined;
  /** SEP-991: the client ID document's URL, when configured. */
  readonly clientMetadataUrl?: string;

  static {
    setBudget = (p, logins) => {
      p.#loginBudget = logins === undefined ? undefined : p.#logins + logins;
      return p.#logins;
    };
  }

  constructor(options: BrowserAuthOptions, runtime: BrowserAuthRuntime) {
    if (typeof options !== "object" || options === null) throw new OAuthCallbackError("INVALID_PARAMETER", "browserAuth options must be an object");
    if (options.storeKey !== undefined && (typeof options.storeKey !== "string" || options.storeKey === "")) {
      throw new OAuthCallbackError("INVALID_PARAMETER", "storeKey must be a non-empty string");
    }
    this.#o = options;
    this.#rt = runtime;
    this.#store = entryStore(options.store ?? inMemoryStore());
    try {
      this.#resource = options.serverUrl === undefined ? undefined : canonicalUrl(options.serverUrl);
    } catch {
      throw new OAuthCallbackError("INVALID_URL", "serverUrl must be an absolute URL");
    }
    if (options.clientMetadataUrl !== undefined) {
      if (typeof options.clientMetadataUrl !== "string") throw new OAuthCallbackError("INVALID_PARAMETER", "clientMetadataUrl must be a string");
      this.clientMetadataUrl = machineSteps.checkClientIdUrl(options.clientMetadataUrl);
    }
    this.#hostname = options.hostname ?? "localhost";
    this.#path = options.callbackPath ?? "/callback";
    this.#emit = observer(options.onEvent);
    this.#fetch = globalThis.fetch.bind(globalThis);
    // A refresh runs under the store's lock, which other processes wait for (10 s by
    // default): the request is bounded below that.
    this.#bounds = { timeoutMs: options.requestTimeoutMs === undefined ? 10_000 : checkTimeout("requestTimeoutMs", options.requestTimeoutMs), signal: options.signal };
  }

  /** The store key: `storeKey`, else the MCP server's canonical URL (given or discovered). */
  #key(): string | undefined {
    return this.#o.storeKey ?? this.#resource ?? this.#learnedKey;
  }

  #requireKey(): string {
    return this.#key() ?? LEGACY_KEY;
  }

  #uri(port: number): string {
    return getRedirectUrl({ hostname: this.#hostname, port, callbackPath: this.#path });
  }

  /**
   * A registered redirect URI, when it is one this provider can serve (any port unless
   * one is configured). None recorded: `oauth-callback` registered its port, 3000.
   */
  #usableRedirect(registered: string | undefined): string | undefined {
    const explicit = this.#o.port;
    const uri = registered ?? this.#uri(explicit || PEER_PORT);
    try {
      const port = Number(new URL(uri).port || 80);
      if (explicit && port !== explicit) return undefined;
      return this.#uri(port) === uri ? uri : undefined;
    } catch {
      return undefined;
    }
  }

  #noteRegistration(entry: StoreEntry | null): void {
    if (this.#o.clientId !== undefined) return;
    const c = entry?.client;
    this.#registered = c && !this.#isDocumentClient(c.clientId) ? this.#usableRedirect(c.redirectUris?.[0]) : undefined;
  }

  /**
   * A client whose ID is this provider's client metadata document: nothing was registered,
   * and the document's loopback redirect allows any port, so no port is kept for it.
   */
  #isDocumentClient(clientId: string | undefined): boolean {
    return clientId !== undefined && clientId === this.clientMetadataUrl;
  }

  #releaseHeld(): void {
    this.#held?.close();
    this.#held = undefined;
  }

  async #read(): Promise<{ key: string; entry: StoreEntry | null } | undefined> {
    const key = this.#key();
    if (key === undefined) return undefined;
    if (!this.#legacyChecked) {
      this.#legacyChecked = true;
      await this.#adoptLegacy(key);
    }
    const entry = await this.#store.getEntry(key);
    this.#noteRegistration(entry);
    return { key, entry };
  }

  /**
   * `oauth-callback` keeps one server's login under `mcp-tokens`. It moves to this
   * server's key only when it demonstrably belongs here: its recorded (or, for a JWT
   * access token, claimed) issuer or resource is this server's.
   */
  async #adoptLegacy(key: string): Promise<void> {
    if (key === LEGACY_KEY || this.#o.storeKey !== undefined) return;
    const [mine, legacy] = await Promise.all([this.#store.getEntry(key), this.#store.getEntry(LEGACY_KEY)]);
    if (!legacy?.tokens || mine?.tokens || mine?.client) return;
    const lr = mcpRecord(legacy);
    const resource = this.#resource ?? mcpRecord(mine).resource;
    const issuer = mcpRecord(mine).issuer;
    const claims = jwtClaims(legacy.tokens.accessToken);
    const ofResource = resource !== undefined && ((lr.resource !== undefined && sameIssuer(lr.resource, resource)) || (claims?.aud.some((a) => sameIssuer(a, resource)) ?? false));
    const ofIssuer = issuer !== undefined && ((lr.issuer !== undefined && sameIssuer(lr.issuer, issuer)) || (claims?.iss !== undefined && sameIssuer(claims.iss, issuer)));
    if (!ofResource && !ofIssuer) return;
    await this.#store.update(key, (e) => {
      if (e?.tokens || e?.client) return undefined;
      const next: StoreEntry = { ...(e ?? {}), tokens: legacy.tokens as Tokens };
      if (legacy.client) next.client = legacy.client;
      const { login: _, ...carried } = lr;
      return withRecord(next, (r) => ({ ...carried, ...r }));
    });
  }

  /** RFC 8252 §7.3 loopback redirect; a port is picked (and held) here when none is known yet. */
  get redirectUrl(): string {
    const port = this.#o.port;
    if (port !== undefined && port !== 0) return this.#uri(port);
    if (this.#loginRedirect) return this.#loginRedirect;
    if (this.#o.clientId === undefined) {
      // The registration the SDK uses now: its own from this process (a race may have
      // stored another process's), else the stored one.
      const own = this.#handedClient === undefined || this.#isDocumentClient(this.#handedClient) ? undefined : this.#clients.get(this.#handedClient);
      const registered = own ? this.#usableRedirect(own.redirect_uris?.[0]) : this.#registered;
      if (registered) return registered;
    } else if (port === undefined) return this.#uri(PEER_PORT);
    this.#held ??= this.#rt.bindLoopback({ hostname: this.#hostname, port: 0 });
    return this.#uri(this.#held.port);
  }

  get clientMetadata(): McpClientMetadata {
    const m: McpClientMetadata = {
      client_name: this.#o.clientName ?? "oauth-callback-rs MCP client",
      redirect_uris: [this.redirectUrl],
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
    if (this.#o.clientId !== undefined) {
      const c: McpClientInformation = { client_id: this.#o.clientId };
      if (this.#o.clientSecret) c.client_secret = this.#o.clientSecret;
      if (this.#o.authServerUrl !== undefined) c.issuer = String(this.#o.authServerUrl);
      return c;
    }
    // While a code waits for `finishAuth`, the client it was issued to.
    if (this.#pending) return this.#pending.client;
    const read = await this.#read();
    const c = read?.entry?.client;
    if (!read || !c || (!this.#registered && !this.#isDocumentClient(c.clientId))) return undefined;
    this.#handedClient = c.clientId;
    return toSdkClient(c, mcpRecord(read.entry));
  }

  async saveClientInformation(info: McpClientInformation): Promise<void> {
    const key = this.#requireKey();
    const copy = JSON.parse(JSON.stringify(info)) as McpClientInformation;
    if (copy.redirect_uris === undefined) copy.redirect_uris = [this.#loginRedirect ?? this.redirectUrl];
    this.#clients.set(copy.client_id, copy);
    // Stored tokens belong to the stored client: another registration (a second process
    // registering at the same moment) does not replace it; it is kept with its tokens
    // if its own login is the one that completes.
    const entry = await this.#store.update(key, (e) => (e?.tokens && e.client && e.client.clientId !== copy.client_id ? undefined : this.#withClient(e, copy)));
    this.#noteRegistration(entry);
    this.#handedClient = copy.client_id;
  }

  #withClient(e: StoreEntry | null, info: McpClientInformation): StoreEntry {
    const { client, extras } = fromSdkClient(info, info.redirect_uris?.[0] ?? "");
    return withRecord({ ...(e ?? {}), client }, (r) => ({ ...r, clientExtras: extras }));
  }

  async discoveryState(): Promise<McpDiscoveryState | undefined> {
    const read = await this.#read();
    return read ? mcpRecord(read.entry).state : undefined;
  }

  /**
   * Keeps what the SDK discovered, after the core checked it: metadata whose `issuer` is
   * not the server the resource named (RFC 8414 §3.3) fails the SDK's `auth()` with
   * `ISSUER_MISMATCH` before anything is sent there; only without RFC 9728 metadata (MCP
   * 2025-03-26) may the issuer differ, within the MCP server's own origin.
   */
  async saveDiscoveryState(state: McpDiscoveryState): Promise<void> {
    checkedServer(state);
    let learned = false;
    if (this.#key() === undefined) {
      this.#learnedKey = canonicalUrl(state.resourceMetadata?.resource ?? state.authorizationServerUrl);
      learned = true;
    }
    const key = this.#requireKey();
    const resource = this.#resource ?? (state.resourceMetadata ? canonicalUrl(state.resourceMetadata.resource) : undefined);
    const saved = JSON.parse(JSON.stringify(state)) as McpDiscoveryState;
    const entry = await this.#store.update(key, (e) =>
      withRecord(e, (r) => ({ ...r, state: saved, issuer: state.authorizationServerUrl, ...(r.resource ?? resource ? { resource: r.resource ?? resource } : {}) })),
    );
    // The issuer is known now: a login `oauth-callback` left may be shown to be this server's.
    if (learned || !entry?.tokens) {
      this.#legacyChecked = true;
      await this.#adoptLegacy(key);
    }
  }

  #stale(t: Tokens): boolean {
    return steps.needsRefresh(t.expiresAt, Date.now(), refreshMargin(lifetimeOf(t)));
  }

  #usable(t: Tokens | undefined): boolean {
    return t !== undefined && !this.#stale(t);
  }

  /**
   * True when the stored tokens belong to another client than the one the SDK last got
   * (it registered its own while another process's login won): the SDK would present
   * their refresh token with the wrong client, be refused, and discard good tokens.
   */
  #foreignClient(entry: StoreEntry | null): boolean {
    return this.#o.clientId === undefined && this.#handedClient !== undefined && entry?.client !== undefined && entry.client.clientId !== this.#handedClient;
  }

  #hand(entry: StoreEntry | null, t: Tokens | undefined): McpOAuthTokens | undefined {
    this.#handedTokens = t;
    if (!t) return undefined;
    const out = toSdkTokens(t, mcpRecord(entry), Date.now());
    // This provider refreshes them itself; the SDK must not try with its other client.
    if (this.#foreignClient(entry)) delete out.refresh_token;
    return out;
  }

  /** Takes the stored tokens and the client they belong to as this process's own. */
  #adopt(entry: StoreEntry | null): true {
    if (entry?.client && this.#o.clientId === undefined) this.#handedClient = entry.client.clientId;
    this.#handedTokens = undefined;
    this.#releaseHeld();
    return true;
  }

  #leaseIsOthers(l: LoginLease | undefined): l is LoginLease {
    return l !== undefined && l.until > Date.now() && l.id !== this.#pending?.lease.id && l.id !== this.#ownLease;
  }

  /**
   * The tokens to send: refreshed first when they expire within the margin. `undefined`
   * when there are none, or they expired and cannot be refreshed (`invalid_grant`), so
   * the SDK signs in. Expired tokens keep their refresh token when this provider cannot
   * refresh yet (no discovery so far), so the SDK refreshes them.
   */
  async tokens(): Promise<McpOAuthTokens | undefined> {
    const read = await this.#read();
    if (!read) return undefined;
    const { key } = read;
    let { entry } = read;
    if (this.#pending && !this.#pending.taken) {
      await this.#exchangePending(key, this.#pending);
      entry = await this.#store.getEntry(key);
    } else if (!this.#usable(entry?.tokens) && !entry?.tokens?.refreshToken) {
      const lease = mcpRecord(entry).login;
      if (this.#leaseIsOthers(lease)) {
        await this.#awaitLogin(lease);
        entry = await this.#store.getEntry(key);
      }
    }
    let t = entry?.tokens;
    if (!t) return this.#hand(entry, undefined);
    if (this.#stale(t)) {
      if (!t.refreshToken) return this.#hand(entry, undefined);
      const r = await this.#refresh(key, t, false);
      if (r.kind === "invalid" || r.kind === "none") return this.#hand(entry, undefined);
      if (r.kind === "fresh" || r.kind === "adopted") {
        t = r.tokens;
        entry = await this.#store.getEntry(key);
      }
    }
    return this.#hand(entry, t);
  }

  async #awaitLogin(lease: LoginLease): Promise<void> {
    const outcome = await awaitLease(lease, this.#o.signal);
    if (outcome === "failed") throw new OAuthCallbackError("LOGIN_REQUIRED", "the sign-in another process ran for this server did not complete");
  }

  async saveTokens(tokens: McpOAuthTokens): Promise<void> {
    const key = this.#requireKey();
    const { tokens: t, extras } = fromSdkTokens(tokens, Date.now());
    const p = this.#pending;
    const entry = await this.#store.update(key, (e) => this.#withTokens(e, t, extras, tokens.issuer, p?.lease.id, p?.client));
    this.#noteRegistration(entry);
    this.#handedTokens = t;
    if (p && this.#pending === p) this.#finishLogin(p, "done");
    this.#releaseHeld();
  }

  /** The entry with new tokens, their extras, the client of a new grant, and the finished login's lease removed. */
  #withTokens(e: StoreEntry | null, t: Tokens, extras: NonNullable<McpRecord["tokenExtras"]>, issuer: string | undefined, leaseId: string | undefined, client?: McpClientInformation): StoreEntry {
    const next: StoreEntry = { ...(client && this.#o.clientId === undefined ? this.#withClient(e, client) : (e ?? {})), tokens: t };
    delete next.codeVerifier;
    return withRecord(next, (r) => ({
      ...r,
      tokenExtras: extras,
      ...(issuer ? { issuer } : {}),
      login: r.login && r.login.id === leaseId ? undefined : r.login,
    }));
  }

  #finishLogin(p: PendingCode, outcome: "done" | "failed"): void {
    if (this.#pending === p) this.#pending = undefined;
    this.#loginRedirect = undefined;
    p.lease.end(outcome);
  }

  async saveCodeVerifier(verifier: string): Promise<void> {
    // In memory: the code comes back to this process's loopback server, so the verifier
    // never needs to outlive it (and another process's flow cannot overwrite it).
    this.#verifiers = [verifier, ...this.#verifiers.slice(0, 7)];
  }

  async codeVerifier(): Promise<string> {
    const v = this.#pending?.verifier ?? this.#verifiers[0];
    if (!v) throw new OAuthCallbackError("MISSING_PARAMETER", "no PKCE code verifier was saved for this flow");
    return v;
  }

  /** The verifier whose S256 challenge the URL carries (concurrent `auth()` calls each save one). */
  #verifierFor(url: URL): string {
    const challenge = url.searchParams.get("code_challenge");
    const v = this.#verifiers.find((x) => challenge !== null && challengeFromVerifier(x) === challenge);
    if (!v) throw new OAuthCallbackError("MISSING_PARAMETER", "no saved PKCE code verifier matches the authorization URL's code_challenge");
    return v;
  }

  /**
   * Runs the browser login for `authorizationUrl` (concurrent calls share one) and keeps
   * the authorization code, checked (`state`, RFC 9207 `iss`). No browser opens when
   * usable tokens are there (another process signed in, or the SDK's refresh failed for
   * a reason other than `invalid_grant`: then this provider refreshes, and a network
   * error is thrown rather than sending the user to the browser).
   */
  redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.#loginFlight ??= this.#login(new URL(String(authorizationUrl))).finally(() => (this.#loginFlight = undefined));
    return this.#loginFlight;
  }

  /**
   * After the SDK threw `UnauthorizedError`: the authorization code of the login that
   * `redirectToAuthorization` ran, for `transport.finishAuth(code)`; the provider then
   * leaves the exchange to the SDK. `undefined` when no code is waiting (tokens came from
   * another process, or were refreshed): connect again.
   */
  async waitForAuthorizationCode(): Promise<string | undefined> {
    await this.#loginFlight;
    const p = this.#pending;
    if (!p || p.taken || p.exchange) return undefined;
    p.taken = true;
    return p.code;
  }

  async #login(url: URL): Promise<void> {
    const key = this.#requireKey();
    const state = url.searchParams.get("state");
    if (!state) throw new OAuthCallbackError("MISSING_PARAMETER", "the authorization URL has no state");
    const verifier = this.#verifierFor(url);
    // Tokens to use after all (adopted or refreshed): the picked port is not needed.
    if (await this.#tokensWithoutLogin(key)) return;
    const lease = await this.#acquireLease(key);
    if (!lease) return;
    let kept = false;
    try {
      if (this.#loginBudget !== undefined && this.#logins >= this.#loginBudget) {
        throw new OAuthCallbackError("LOGIN_REQUIRED", "the server still refuses access after the sign-ins allowed for this connection; not opening the browser again");
      }
      if (this.#pending) this.#finishLogin(this.#pending, "failed");
      const redirectUri = url.searchParams.get("redirect_uri") ?? this.redirectUrl;
      this.#loginRedirect = redirectUri;
      const client = await this.#clientOf(key, url);
      const options = this.#authCodeOptions(url, state, redirectUri, this.#serverOf(await this.#store.getEntry(key)));
      this.#logins++;
      const result = await this.#rt.getAuthCode(options);
      const code = await this.#checkCallback(key, result, state);
      this.#pending = { code, verifier, redirectUri, resource: url.searchParams.getAll("resource"), client, taken: false, lease };
      kept = true;
    } finally {
      this.#ownLease = undefined;
      if (!kept) {
        this.#loginRedirect = undefined;
        await this.#clearLease(key, lease.id).finally(() => lease.end("failed"));
      }
    }
  }

  #authCodeOptions(url: URL, state: string, redirectUri: string, meta: ServerMetadata | undefined): GetAuthCodeOptions {
    const port = Number(new URL(redirectUri).port || 80);
    const o = this.#o;
    const options: GetAuthCodeOptions = {
      authorizationUrl: url.href,
      // `openBrowser` is getAuthCode's built-in launcher: it prints the URL when no browser opens.
      launch: o.launch ?? openBrowser,
      hostname: this.#hostname,
      callbackPath: this.#path,
      timeout: o.authTimeout ?? 300_000,
      expectedState: state,
    };
    const held = this.#held;
    this.#held = undefined;
    // The port picked before registration: the callback server takes over its sockets.
    if (held?.listening && held.port === port) options.listener = held;
    else {
      held?.close();
      options.port = port;
    }
    // RFC 9207 at the loopback server already, so a mismatch shows the user an error page.
    if (meta) {
      options.expectedIssuer = meta.issuer;
      options.issuerRequired = meta.issParameterSupported;
    }
    if (o.successHtml !== undefined) options.successHtml = o.successHtml;
    if (o.errorHtml !== undefined) options.errorHtml = o.errorHtml;
    if (o.onRequest) options.onRequest = o.onRequest;
    if (o.signal) options.signal = o.signal;
    return options;
  }

  /** RFC 9207 and `state`, checked by the core against the discovered issuer. */
  async #checkCallback(key: string, result: CallbackResult, state: string): Promise<string> {
    const meta = await this.#server(await this.#store.getEntry(key));
    return steps.validateCallback(result, state, meta.issuer, meta.issParameterSupported);
  }

  /** The authorization server the SDK discovered (its URL including the path), checked by the core. */
  #serverOf(entry: StoreEntry | null): ServerMetadata | undefined {
    const state = mcpRecord(entry).state;
    return state ? checkedServer(state) : undefined;
  }

  /**
   * The server for the provider's own requests: what the SDK discovered; before any
   * discovery only an explicitly configured `authServerUrl` (discovered strictly). It is
   * never guessed from a URL's origin.
   */
  async #server(entry: StoreEntry | null): Promise<ServerMetadata> {
    const found = this.#serverOf(entry);
    if (found) return found;
    if (this.#o.authServerUrl !== undefined) return discoverMetadata(String(this.#o.authServerUrl).replace(/\/$/, ""), this.#fetch, this.#emit, this.#bounds);
    throw new OAuthCallbackError("MISSING_PARAMETER", "no discovery state for this server yet: let the SDK's auth() discover it (or give authServerUrl)");
  }

  /** True when no browser is needed: newer tokens are stored, or the held refresh token still works. */
  async #tokensWithoutLogin(key: string): Promise<boolean> {
    const entry = await this.#store.getEntry(key);
    const t = entry?.tokens;
    if (!t) return false;
    const handed = this.#handedTokens;
    if (this.#usable(t) && (t.accessToken !== handed?.accessToken || this.#foreignClient(entry))) return this.#adopt(entry);
    if (t.refreshToken && handed?.refreshToken === t.refreshToken) {
      // The SDK refreshed with these and did not report them invalid (it calls
      // invalidateCredentials for invalid_grant): its refresh failed otherwise. Refresh here:
      // only invalid_grant ends in the browser; any other failure is thrown.
      const r = await this.#refresh(key, t, true);
      return r.kind === "fresh" || r.kind === "adopted" ? this.#adopt(await this.#store.getEntry(key)) : false;
    }
    return false;
  }

  /** Takes the login lease for this server, or waits for another process's login and returns undefined to adopt it. */
  async #acquireLease(key: string): Promise<LeaseHost | undefined> {
    const host = await LeaseHost.open(generateState());
    let stale: string | undefined;
    let adopted: StoreEntry | null = null;
    try {
      for (;;) {
        let wait: LoginLease | undefined;
        let adopt = false;
        await this.#store.update(key, (e) => {
          const t = e?.tokens;
          if (t && this.#usable(t) && (t.accessToken !== this.#handedTokens?.accessToken || this.#foreignClient(e))) {
            adopt = true;
            adopted = e;
            return undefined;
          }
          const l = mcpRecord(e).login;
          if (this.#leaseIsOthers(l) && l.id !== stale) {
            wait = l;
            return undefined;
          }
          const until = Date.now() + (this.#o.authTimeout ?? 300_000) + 120_000;
          return withRecord(e, (r) => ({ ...r, login: { id: host.id, port: host.port, until } }));
        });
        if (adopt) break;
        if (!wait) {
          this.#ownLease = host.id;
          return host;
        }
        const seen: LoginLease = wait;
        await this.#awaitLogin(seen);
        // Ended ("done": adopt what it saved) or gone (its holder died): look again, past it.
        stale = seen.id;
      }
    } catch (err) {
      host.end("failed");
      throw err;
    }
    host.end("failed");
    this.#adopt(adopted);
    return undefined;
  }

  async #clearLease(key: string, id: string): Promise<void> {
    await this.#store.update(key, (e) => (mcpRecord(e).login?.id === id ? withRecord(e, (r) => ({ ...r, login: undefined })) : undefined));
  }

  /** The client an authorization URL names: registered in this process, stored, or configured. */
  async #clientOf(key: string, url: URL): Promise<McpClientInformation> {
    const id = url.searchParams.get("client_id");
    if (this.#o.clientId !== undefined && id === this.#o.clientId) return (await this.clientInformation()) as McpClientInformation;
    const mine = id === null ? undefined : this.#clients.get(id);
    if (mine) return mine;
    const entry = await this.#store.getEntry(key);
    if (entry?.client && entry.client.clientId === id) return toSdkClient(entry.client, mcpRecord(entry));
    throw new OAuthCallbackError("MISSING_PARAMETER", "the authorization URL names a client this provider has no registration for");
  }

  #credentials(client: McpClientInformation, meta: ServerMetadata): ClientCredentials {
    const authMethods = typeof client.token_endpoint_auth_method === "string" ? [client.token_endpoint_auth_method] : meta.tokenEndpointAuthMethods;
    return { clientId: client.client_id, clientSecret: client.client_secret, authMethods };
  }

  async #clientFor(entry: StoreEntry | null): Promise<McpClientInformation | undefined> {
    if (this.#o.clientId !== undefined) return this.clientInformation();
    return entry?.client ? toSdkClient(entry.client, mcpRecord(entry)) : undefined;
  }

  /** The provider's own code exchange, when the app reconnects instead of calling `finishAuth`. */
  #exchangePending(key: string, p: PendingCode): Promise<void> {
    p.exchange ??= (async () => {
      try {
        const entry = await this.#store.getEntry(key);
        const record = mcpRecord(entry);
        const meta = await this.#server(entry);
        const request = steps.codeExchange(meta.tokenEndpoint, this.#credentials(p.client, meta), p.code, p.redirectUri, p.verifier, p.resource);
        const { status, body } = await send(this.#fetch, request, "token", this.#emit, this.#bounds);
        const now = Date.now();
        const t = steps.processTokens(status, body, now);
        if (t.expiresAt !== undefined) t.issuedAt = now;
        const issuer = record.state?.authorizationServerUrl ?? record.issuer;
        const extras = this.#extrasFor(t, issuer);
        const saved = await this.#store.update(key, (e) => this.#withTokens(e, t, extras, issuer, p.lease.id, p.client));
        this.#noteRegistration(saved);
        this.#finishLogin(p, "done");
        this.#releaseHeld();
      } catch (err) {
        await this.#clearLease(key, p.lease.id).catch(() => undefined);
        this.#finishLogin(p, "failed");
        throw err;
      }
    })();
    return p.exchange;
  }

  /** Extras for tokens this provider obtained itself: the SDK's `issuer` stamp. */
  #extrasFor(t: Tokens, issuer: string | undefined): NonNullable<McpRecord["tokenExtras"]> {
    return fromSdkTokens({ access_token: t.accessToken, token_type: t.tokenType ?? "Bearer", ...(issuer ? { issuer } : {}) }, Date.now()).extras;
  }

  /** One refresh at a time in this process; across processes, under the store's lock. */
  #refresh(key: string, stale: Tokens, force: boolean): Promise<RefreshOutcome> {
    this.#refreshFlight ??= this.#refreshLocked(key, stale, force).finally(() => (this.#refreshFlight = undefined));
    return this.#refreshFlight;
  }

  /**
   * RFC 6749 §6 under the store's lock: re-reads first and adopts tokens another process
   * saved meanwhile, spends only the refresh token stored now, and writes the rotated one
   * before the lock is released. `invalid_grant` removes exactly the tokens it was sent for.
   */
  async #refreshLocked(key: string, stale: Tokens, force: boolean): Promise<RefreshOutcome> {
    const entry = await this.#store.getEntry(key);
    const record = mcpRecord(entry);
    const meta = this.#serverOf(entry);
    const client = await this.#clientFor(entry);
    if (!meta || !client) return { kind: "cannot" };
    const resource = record.state?.resourceMetadata?.resource;
    let outcome = { kind: "none" } as RefreshOutcome;
    await this.#store.update(key, async (e) => {
      const cur = e?.tokens;
      if (!cur) return undefined;
      const changed = cur.accessToken !== stale.accessToken || cur.refreshToken !== stale.refreshToken;
      if ((changed || !force) && this.#usable(cur)) {
        outcome = { kind: "adopted", tokens: cur };
        return undefined;
      }
      if (!cur.refreshToken) return undefined;
      const request = steps.refresh(meta.tokenEndpoint, this.#credentials(client, meta), cur.refreshToken, resource ? [resource] : []);
      const { status, body } = await send(this.#fetch, request, "refresh", this.#emit, this.#bounds);
      const now = Date.now();
      let fresh: Tokens;
      try {
        fresh = steps.processTokens(status, body, now);
      } catch (err) {
        if (!(err instanceof OAuthError) || !["invalid_grant", "invalid_client", "unauthorized_client"].includes(err.error)) throw err;
        outcome = { kind: "invalid" };
        let next: StoreEntry = { ...(e as StoreEntry) };
        delete next.tokens;
        next = withRecord(next, (r) => ({ ...r, tokenExtras: undefined }));
        // The client itself is refused: register again rather than sign in with it.
        if (err.error !== "invalid_grant") {
          delete next.client;
          next = withRecord(next, (r) => ({ ...r, clientExtras: undefined }));
        }
        return isEmpty(next) ? null : next;
      }
      const tokens: Tokens = { ...fresh, refreshToken: fresh.refreshToken ?? cur.refreshToken };
      if (fresh.expiresAt !== undefined) tokens.issuedAt = now;
      outcome = { kind: "fresh", tokens };
      const issuer = mcpRecord(e).state?.authorizationServerUrl ?? mcpRecord(e).issuer;
      return this.#withTokens(e, tokens, this.#extrasFor(tokens, issuer), issuer, undefined);
    });
    return outcome;
  }

  /**
   * Forgets what the SDK reports as no longer valid, and only that: tokens or a client
   * that another process stored after the ones that failed are kept.
   */
  async invalidateCredentials(scope: McpCredentialScope): Promise<void> {
    const all = scope === "all";
    if (all || scope === "verifier") {
      this.#verifiers = [];
      const p = this.#pending;
      if (p && !p.exchange) {
        const key = this.#key();
        if (key !== undefined) await this.#clearLease(key, p.lease.id).catch(() => undefined);
        this.#finishLogin(p, "failed");
      }
    }
    const key = this.#key();
    if (key === undefined) return;
    const handedTokens = this.#handedTokens;
    const handedClient = this.#handedClient;
    const entry = await this.#store.update(key, (e) => {
      if (!e) return undefined;
      let next: StoreEntry = { ...e };
      // Only the tokens the SDK was given, and only if it used them with their own client.
      if ((all || scope === "tokens") && handedTokens && e.tokens?.accessToken === handedTokens.accessToken && !this.#foreignClient(e)) {
        delete next.tokens;
        next = withRecord(next, (r) => ({ ...r, tokenExtras: undefined }));
      }
      if ((all || scope === "client") && handedClient !== undefined && e.client?.clientId === handedClient) {
        delete next.client;
        next = withRecord(next, (r) => ({ ...r, clientExtras: undefined }));
      }
      if (all || scope === "discovery") next = withRecord(next, (r) => ({ ...r, state: undefined }));
      // Everything of this provider's but another process's login in progress.
      if (all && !next.tokens && !next.client) next = withRecord(next, (r) => ({ login: r.login }));
      if (all || scope === "verifier") delete next.codeVerifier;
      return isEmpty(next) ? null : next;
    });
    if (all || scope === "tokens") this.#handedTokens = undefined;
    if (all || scope === "client") this.#handedClient = undefined;
    this.#noteRegistration(entry);
  }

  /** What `console.log` and `util.inspect` show: where, never a secret. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `BrowserOAuthProvider { storeKey: ${JSON.stringify(this.#key() ?? "(from the first discovery)")}, hostname: ${JSON.stringify(this.#hostname)}, callbackPath: ${JSON.stringify(this.#path)} }`;
  }

  toJSON(): { storeKey: string | undefined; hostname: string; callbackPath: string } {
    return { storeKey: this.#key(), hostname: this.#hostname, callbackPath: this.#path };
  }
}
