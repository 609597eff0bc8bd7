/**
 * `connectWithBrowserAuth`: an MCP SDK `Client` connected to a server over Streamable
 * HTTP with `browserAuth`, signing in through the browser when needed. The app never sees
 * the SDK's `UnauthorizedError`: after a login the connection is simply made again, and
 * the number of logins per call is capped, so a server that keeps refusing fresh tokens
 * cannot send the user to the browser in a loop.
 *
 * The SDK is an optional peer dependency: its classes are imported on first use (from
 * the copy the app resolves), or passed in as `options.sdk`.
 */
import { OAuthCallbackError } from "../errors.js";
import { BrowserOAuthProvider, limitLogins } from "./browser-auth.js";
import type { MachineOAuthProvider } from "./machine-auth.js";
import type { BrowserAuthOptions } from "./types.js";

/** A provider of this package: `browserAuth`, `clientCredentialsAuth` or `enterpriseManagedAuth`. */
export type McpAuthProvider = BrowserOAuthProvider | MachineOAuthProvider;

/** What the helper needs of an SDK transport (`StreamableHTTPClientTransport`). */
export interface McpTransportLike {
  start(): Promise<void>;
  close(): Promise<void>;
  send(message: unknown, options?: unknown): Promise<void>;
}

/** What the helper needs of an SDK `Client`. */
export interface McpClientLike {
  connect(transport: McpTransportLike, options?: { signal?: AbortSignal }): Promise<void>;
}

/** Options passed on to `StreamableHTTPClientTransport` (besides `authProvider`). */
export interface McpTransportOptions {
  requestInit?: RequestInit;
  fetch?: (url: string | URL, init?: RequestInit) => Promise<Response>;
  sessionId?: string;
}

/** The SDK classes the helper uses; pass them to avoid the dynamic import. */
export interface McpSdkClasses<C extends McpClientLike = McpClientLike> {
  Client: new (info: { name: string; version: string }) => C;
  StreamableHTTPClientTransport: new (url: URL, options: McpTransportOptions & { authProvider: McpAuthProvider }) => McpTransportLike;
  /** For `instanceof`: the SDK's `UnauthorizedError` class. */
  UnauthorizedError: abstract new (...args: never[]) => Error;
}

/** Options of `connectWithBrowserAuth`: `browserAuth`'s, plus the connection's. */
export interface ConnectWithBrowserAuthOptions<C extends McpClientLike = McpClientLike> extends BrowserAuthOptions {
  /** The SDK `Client` to connect (default: a new one named by `clientInfo`). */
  client?: C;
  /** Name and version of the new `Client` (default `{ name: clientName ?? "oauth-callback-rs", version: "1.0.0" }`). */
  clientInfo?: { name: string; version: string };
  /**
   * A provider to use instead of `browserAuth(options)`: another `browserAuth`, or a
   * machine client's (`clientCredentialsAuth`, `enterpriseManagedAuth`).
   */
  authProvider?: McpAuthProvider;
  /**
   * Browser logins this call may start (default 1); one more is refused with
   * `LOGIN_REQUIRED`. Later requests on the connection that the server refuses (a 401, or
   * a 403 asking for more scope) may each start as many, then are retried once per login.
   */
  maxLogins?: number;
  /** Passed to the transport. */
  transport?: McpTransportOptions;
  /** The SDK's classes, when the app wants to supply them. */
  sdk?: Partial<McpSdkClasses<C>>;
}

type MakeProvider = (options: BrowserAuthOptions) => BrowserOAuthProvider;

// A specifier in a variable: bundlers leave the optional peer to be resolved at run time.
const importOptional = (specifier: string): Promise<Record<string, unknown>> => import(specifier) as Promise<Record<string, unknown>>;

async function loadSdk(): Promise<McpSdkClasses> {
  const base = "@modelcontextprotocol/sdk/client";
  try {
    const [client, transport, auth] = await Promise.all([importOptional(`${base}/index.js`), importOptional(`${base}/streamableHttp.js`), importOptional(`${base}/auth.js`)]);
    return {
      Client: client.Client as McpSdkClasses["Client"],
      StreamableHTTPClientTransport: transport.StreamableHTTPClientTransport as McpSdkClasses["StreamableHTTPClientTransport"],
      UnauthorizedError: auth.UnauthorizedError as McpSdkClasses["UnauthorizedError"],
    };
  } catch (err) {
    throw new OAuthCallbackError("MISSING_PARAMETER", "connectWithBrowserAuth needs @modelcontextprotocol/sdk: install it, or pass its classes as options.sdk", { cause: err });
  }
}

/** The helper, minus how the provider is made (each runtime's entry supplies `browserAuth`). */
export async function connectWith<C extends McpClientLike>(makeProvider: MakeProvider, serverUrl: string | URL, options: ConnectWithBrowserAuthOptions<C>): Promise<C> {
  let url: URL;
  try {
    url = new URL(String(serverUrl));
  } catch {
    throw new OAuthCallbackError("INVALID_URL", "connectWithBrowserAuth needs the MCP server's absolute URL");
  }
  const maxLogins = options.maxLogins ?? 1;
  if (!Number.isInteger(maxLogins) || maxLogins < 0) throw new OAuthCallbackError("INVALID_PARAMETER", "maxLogins must be a non-negative integer");
  const given = options.sdk ?? {};
  const needed = (given.Client === undefined && options.client === undefined) || given.StreamableHTTPClientTransport === undefined || given.UnauthorizedError === undefined;
  const sdk = { ...(needed ? ((await loadSdk()) as unknown as McpSdkClasses<C>) : {}), ...given } as McpSdkClasses<C>;
  const { client: _c, clientInfo, authProvider, maxLogins: _m, transport: transportOptions, sdk: _s, ...authOptions } = options;
  const provider = authProvider ?? makeProvider({ ...authOptions, serverUrl: options.serverUrl ?? url });
  const client = options.client ?? new sdk.Client(clientInfo ?? { name: options.clientName ?? "oauth-callback-rs", version: "1.0.0" });
  const signal = options.signal;
  const browser = provider instanceof BrowserOAuthProvider ? provider : undefined;
  // At most `maxLogins` browser logins until the server accepts a request; every accepted
  // request allows as many again (so a step-up later on may sign in once more).
  const refill = browser ? () => limitLogins(browser, maxLogins) : () => 0;
  const before = refill();
  let connected = false;
  try {
    // Each failed attempt either ran a login (capped above), adopted another process's,
    // or refreshed: a few attempts always suffice unless the server refuses every token.
    for (let attempt = 0; attempt < maxLogins + 3; attempt++) {
      const transport = retryAfterLogin(new sdk.StreamableHTTPClientTransport(url, { ...transportOptions, authProvider: provider }), sdk.UnauthorizedError, maxLogins, refill);
      try {
        await client.connect(transport, signal ? { signal } : undefined);
        connected = true;
        return client;
      } catch (err) {
        if (!(err instanceof sdk.UnauthorizedError)) throw err;
        await transport.close().catch(() => undefined);
      }
    }
    const logins = browser ? limitLogins(browser, undefined) - before : 0;
    throw new OAuthCallbackError("LOGIN_REQUIRED", `the MCP server still refuses the connection (${logins} sign-in${logins === 1 ? "" : "s"} in this call)`);
  } finally {
    if (browser && !connected) limitLogins(browser, undefined);
  }
}

/**
 * The SDK's transport throws `UnauthorizedError` from a request once its `auth()` has
 * sent the user to the browser (a 401, or a 403 `insufficient_scope` step-up). The
 * provider keeps the code of that login and exchanges it on the next `tokens()`, so the
 * request is sent again, on the same transport: its guard against asking twice for the
 * same scope stays in force. The provider refuses a login past the budget (`LOGIN_REQUIRED`,
 * no browser), which `refill` restores whenever the server accepts a request.
 */
function retryAfterLogin<T extends McpTransportLike>(transport: T, unauthorized: McpSdkClasses["UnauthorizedError"], maxLogins: number, refill: () => number): T {
  const send = transport.send.bind(transport);
  transport.send = async (message: unknown, options?: unknown): Promise<void> => {
    // Each retry follows a login (or another process's, adopted): bounded by the budget;
    // the count bounds it when the provider is not this package's browserAuth.
    for (let attempt = 0; ; attempt++) {
      try {
        await send(message, options);
        refill();
        return;
      } catch (err) {
        if (!(err instanceof unauthorized)) throw err;
        if (attempt >= maxLogins) {
          throw new OAuthCallbackError("LOGIN_REQUIRED", `the MCP server still refuses the request after ${attempt + 1} sign-in${attempt === 0 ? "" : "s"}`, { cause: err });
        }
      }
    }
  };
  return transport;
}
