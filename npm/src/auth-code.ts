/**
 * `getAuthCode`: the loopback login of RFC 8252, API-compatible with `oauth-callback`
 * 2.2. A driver (the addon's server, or `Deno.listen` in Deno) answers every request through the
 * core's callback handler; this file shapes options and results and owns the JS-only
 * parts (AbortSignal, hooks, the launcher).
 */
import type { CallbackServerConfig, CallbackServerOutcome, StartCallbackServer } from "./callback-driver.js";
import { OAuthCallbackError, OAuthError, TimeoutError, expectPort, expectString } from "./errors.js";
import { openBrowser, type BrowserLaunch } from "./launcher.js";
import type { LoopbackListener } from "./listener.js";
import { observer } from "./observer.js";
import { checkOptions } from "./options.js";
import { checkedEndpoint } from "./protocol.js";

/** What the redirect carried: `code`, `state` and every other query parameter. */
export interface CallbackResult {
  /** Authorization code returned by the authorization server. */
  code?: string;
  /** The `state` parameter, as received. */
  state?: string;
  /** Present only on error results (getAuthCode rejects with `OAuthError` instead). */
  error?: string;
  error_description?: string;
  error_uri?: string;
  /** Any other query parameter (`iss`, `session_state`, ...). */
  [key: string]: string | undefined;
}

/** `oauth-callback`'s server options type, kept for code that names it. */
export interface ServerOptions {
  /** Port number to bind the server to. */
  port: number;
  /** Hostname to bind the server to (default `"localhost"`). */
  hostname?: string;
  /** HTML shown after a successful authorization. */
  successHtml?: string;
  /** HTML shown after an error (`{{error}}`, `{{error_description}}`, `{{error_uri}}`, HTML-escaped). */
  errorHtml?: string;
  /** Aborts the server operation. */
  signal?: AbortSignal;
  /** Called for each HTTP request. */
  onRequest?: (req: Request) => void;
}

/** `oauth-callback`'s callback server type, kept for code that names it. */
export interface CallbackServer {
  start(options: ServerOptions): Promise<void>;
  waitForCallback(path: string, timeout: number): Promise<CallbackResult>;
  stop(): Promise<void>;
}

/** Events of one login, for logs and UIs. */
export type AuthCodeEvent =
  | { readonly type: "listening"; readonly port: number; readonly redirectUri: string }
  | { readonly type: "browser"; readonly launch: BrowserLaunch; readonly url: string };

interface GetAuthCodeOptionsBase {
  /** Port to listen on (default 3000); 0 picks a free one, reported by `onListening`. */
  port?: number;
  /** `"localhost"` (default: 127.0.0.1 and ::1), `"127.0.0.1"` or `"::1"`; nothing else. */
  hostname?: string;
  /** Path of the redirect (default `/callback`); `auth/cb` is served as `/auth/cb`. */
  callbackPath?: string;
  /** Milliseconds to wait, counted from when the server listens (default 30000). */
  timeout?: number;
  /** Page shown after success, served verbatim (no placeholders). */
  successHtml?: string;
  /**
   * Page shown after an OAuth error. Exactly `{{error}}`, `{{error_description}}` and
   * `{{error_uri}}` are replaced, HTML-escaped for element text and quoted attributes
   * (`{{error_uri}}` only when http(s)); any other `{{...}}` stays as written.
   */
  errorHtml?: string;
  /**
   * Aborts the wait: the promise rejects with `OAuthCallbackError` code `ABORTED`,
   * message `"Operation aborted"` (as `oauth-callback`), `cause` the signal's reason,
   * and the port is free when it does.
   */
  signal?: AbortSignal;
  /**
   * A listener from `bindLoopback()` whose port was handed out already (a registered
   * redirect URI, a `port: 0` chosen early): the server takes over its sockets, so the
   * port is never released in between. `hostname` defaults to the listener's.
   */
  listener?: LoopbackListener;
  /** When set, callbacks with another `state` get an error page and the wait goes on (CSRF). */
  expectedState?: string;
  /**
   * RFC 9207: the issuer the authorization request went to. A redirect (success or error)
   * whose `iss` differs ends the flow with the error page and `OAuthCallbackError`
   * `ISSUER_MISMATCH`; checked after `expectedState`.
   */
  expectedIssuer?: string;
  /** With `expectedIssuer`: `iss` must be present (the server advertises `authorization_response_iss_parameter_supported`). */
  issuerRequired?: boolean;
  /** Called once the server listens, with the bound port and the redirect URI. */
  onListening?: (info: { port: number; redirectUri: string }) => void;
  /** Called with each request the server receives (for logging). Errors it throws are ignored. */
  onRequest?: (req: Request) => void;
  /** Called with each event (listening, browser launched or not). Errors it throws are ignored. */
  onEvent?: (event: AuthCodeEvent) => void;
}

type GetAuthCodeOptionsHeadless = GetAuthCodeOptionsBase & { authorizationUrl?: never; launch?: never };
type GetAuthCodeOptionsManaged = GetAuthCodeOptionsBase & {
  /**
   * The authorization URL to open once the server listens, or a function that builds it
   * from the bound redirect URI (so `port: 0` works in managed mode). A `redirect_uri` in
   * it whose port or path is not the server's is a `REDIRECT_URI_MISMATCH` error at once.
   */
  authorizationUrl: string | ((redirectUri: string) => string);
  /** Opens the URL, after the server listens (errors are swallowed). Without it: headless. */
  launch: (url: string) => unknown;
};

/**
 * Options of `getAuthCode`, as in `oauth-callback`: headless (no `launch`: nothing is
 * opened, the caller shows the URL) or managed (`authorizationUrl` and `launch`). The
 * string form `getAuthCode(url)` opens the system browser with the built-in launcher.
 */
export type GetAuthCodeOptions = GetAuthCodeOptionsHeadless | GetAuthCodeOptionsManaged;

const DEFAULTS = { port: 3000, hostname: "localhost", callbackPath: "/callback", timeout: 30_000 } as const;

const KNOWN_OPTIONS = [
  "port",
  "hostname",
  "callbackPath",
  "timeout",
  "successHtml",
  "errorHtml",
  "signal",
  "listener",
  "expectedState",
  "expectedIssuer",
  "issuerRequired",
  "onListening",
  "onRequest",
  "onEvent",
  "authorizationUrl",
  "launch",
] as const;

/**
 * A `redirect_uri` in the authorization URL must come back to this server: the same port
 * and path (the host may be any loopback name, RFC 8252 §7.3). Without this check a
 * mismatch would only show as a timeout.
 */
function checkRedirectTarget(url: string, redirectUri: string): void {
  const sent = new URL(url).searchParams.get("redirect_uri");
  if (sent === null) return;
  let target: URL;
  try {
    target = new URL(sent);
  } catch {
    return;
  }
  const ours = new URL(redirectUri);
  if (target.protocol === "http:" && (target.port !== ours.port || target.pathname !== ours.pathname)) {
    throw new OAuthCallbackError(
      "REDIRECT_URI_MISMATCH",
      `the authorization URL sends the browser back to port ${target.port || "80"} path ${target.pathname}, but the server listens at ${redirectUri}; pass authorizationUrl as a function of the redirect URI, or the same port`,
    );
  }
}

/** `oauth-callback`'s abort message, typed, with the signal's reason kept as `cause`. */
function aborted(signal: AbortSignal): OAuthCallbackError {
  return new OAuthCallbackError("ABORTED", "Operation aborted", { cause: signal.reason });
}

/** The built-in launcher: opens the browser, or prints the URL when it cannot. */
async function launchDefault(url: string, emit: (event: AuthCodeEvent) => void): Promise<void> {
  const tell = (launch: BrowserLaunch) => {
    if (!launch.opened) process.stderr.write(`Open this URL in your browser to sign in:\n  ${url}\n`);
    emit({ type: "browser", launch, url });
  };
  // A launcher that starts and then fails (exits non-zero) is told like one that did not start.
  tell(await openBrowser(url, { onFailure: (reason) => tell({ opened: false, reason }) }));
}

/** The loopback login on the given server driver; the entries export it as `getAuthCode`. */
export async function runAuthCodeFlow(start: StartCallbackServer, input: GetAuthCodeOptions | string): Promise<CallbackResult> {
  // The string form opens the browser (oauth-callback's `open`), as does `launch:
  // openBrowser`, the built-in launcher, which also prints the URL when nothing opened;
  // an options object without `launch` is headless.
  const options = (typeof input === "string" ? { authorizationUrl: input } : input) as GetAuthCodeOptionsBase & {
    authorizationUrl?: string | ((redirectUri: string) => string);
    launch?: unknown;
  };
  if (typeof options !== "object" || options === null) {
    throw new OAuthCallbackError("INVALID_PARAMETER", "getAuthCode needs an authorization URL or an options object");
  }
  checkOptions("getAuthCode", options, KNOWN_OPTIONS);
  const builtInLaunch = typeof input === "string" || options.launch === openBrowser;
  const { listener } = options;
  const port = expectPort("port", options.port ?? listener?.port ?? DEFAULTS.port);
  const hostname = expectString("hostname", options.hostname ?? listener?.hostname ?? DEFAULTS.hostname);
  const callbackPath = expectString("callbackPath", options.callbackPath ?? DEFAULTS.callbackPath);
  const timeout = options.timeout ?? DEFAULTS.timeout;
  if (typeof timeout !== "number" || !(timeout > 0) || !Number.isFinite(timeout)) {
    throw new OAuthCallbackError("INVALID_PARAMETER", "timeout must be a positive number of milliseconds");
  }
  const urlOption = options.authorizationUrl;
  const fixedUrl = urlOption === undefined || typeof urlOption === "function" ? undefined : checkedEndpoint(expectString("authorizationUrl", urlOption));
  const { launch } = options;
  if (launch !== undefined && typeof launch !== "function") throw new OAuthCallbackError("INVALID_PARAMETER", "launch must be a function");
  const { signal } = options;
  const emit = observer(options.onEvent);
  if (signal?.aborted) throw aborted(signal);

  const serverOptions: CallbackServerConfig = { hostname, port, callbackPath, timeoutMs: timeout };
  if (listener !== undefined) serverOptions.listener = listener;
  if (options.expectedState !== undefined) serverOptions.expectedState = expectString("expectedState", options.expectedState);
  if (options.expectedIssuer !== undefined) serverOptions.expectedIssuer = expectString("expectedIssuer", options.expectedIssuer);
  if (options.issuerRequired !== undefined) {
    if (typeof options.issuerRequired !== "boolean") throw new OAuthCallbackError("INVALID_PARAMETER", "issuerRequired must be a boolean");
    serverOptions.issuerRequired = options.issuerRequired;
  }
  if (options.successHtml !== undefined) serverOptions.successHtml = expectString("successHtml", options.successHtml);
  if (options.errorHtml !== undefined) serverOptions.errorHtml = expectString("errorHtml", options.errorHtml);
  const { onRequest } = options;
  if (onRequest !== undefined) {
    if (typeof onRequest !== "function") throw new OAuthCallbackError("INVALID_PARAMETER", "onRequest must be a function");
    serverOptions.onRequest = observer(onRequest);
  }

  const server = start(serverOptions);
  const onAbort = () => server.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const info = { port: server.port, redirectUri: server.redirectUri };
    let url = fixedUrl;
    try {
      options.onListening?.(info);
      if (typeof urlOption === "function") url = checkedEndpoint(expectString("authorizationUrl()", urlOption(server.redirectUri)));
      if (url !== undefined) checkRedirectTarget(url, server.redirectUri);
    } catch (err) {
      // The port is free before the caller hears of the error.
      server.close();
      await server.wait();
      throw err;
    }
    emit({ type: "listening", ...info });
    if (url !== undefined && (launch !== undefined || builtInLaunch)) {
      // Managed mode: launch after the server listens; a failing launcher must not fail
      // the login (the user can still open the URL by hand).
      void Promise.resolve()
        .then(() => (builtInLaunch || typeof launch !== "function" ? launchDefault(url as string, emit) : launch(url)))
        .catch(() => undefined);
    }
    const result = await server.wait();
    return toCallbackResult(result, signal, { timeout, callbackPath: server.callbackPath });
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

function toCallbackResult(r: CallbackServerOutcome, signal: AbortSignal | undefined, wait: { timeout: number; callbackPath: string }): CallbackResult {
  switch (r.kind) {
    case "code": {
      const out: CallbackResult = {};
      for (const [name, value] of r.params) out[name] = value;
      return out;
    }
    case "error": {
      const options = r.errorMessage === undefined ? undefined : { message: r.errorMessage };
      throw new OAuthError(r.error ?? "unknown_error", r.errorDescription, r.errorUri, options);
    }
    case "issuer-mismatch":
      throw new OAuthCallbackError("ISSUER_MISMATCH", r.errorMessage ?? "the authorization response comes from another issuer (RFC 9207)");
    case "timeout":
      throw new TimeoutError(`OAuth callback timeout after ${wait.timeout}ms waiting for ${wait.callbackPath}`);
    default:
      if (signal?.aborted) throw aborted(signal);
      throw new OAuthCallbackError("SERVER_CLOSED", "the callback server was closed before the redirect arrived");
  }
}
