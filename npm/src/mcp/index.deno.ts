/** The MCP side of oauth-callback-rs for Deno: `browserAuth`, the one-call connection, the stores. */
import { bindLoopback, getAuthCode } from "../deno/runtime.js";
import { BrowserOAuthProvider } from "./browser-auth.js";
import { connectWith, type ConnectWithBrowserAuthOptions, type McpClientLike } from "./connect.js";
import type { BrowserAuthOptions } from "./types.js";

export * from "./exports.js";
export { fileStore } from "../deno/file-store.js";

/** An MCP SDK `OAuthClientProvider` that signs in through the browser and a loopback redirect. */
export function browserAuth(options: BrowserAuthOptions = {}): BrowserOAuthProvider {
  return new BrowserOAuthProvider(options, { getAuthCode, bindLoopback });
}

/**
 * An MCP SDK `Client` connected to `serverUrl` (Streamable HTTP) with `browserAuth`,
 * signing in when needed; the app never handles `UnauthorizedError`.
 */
export function connectWithBrowserAuth<C extends McpClientLike = McpClientLike>(serverUrl: string | URL, options: ConnectWithBrowserAuthOptions<C> = {}): Promise<C> {
  return connectWith(browserAuth, serverUrl, options);
}
