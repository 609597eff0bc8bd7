/** The MCP side of oauth-callback-rs for Node and Bun: `browserAuth` and the stores. */
import { getAuthCode } from "../runtime.node.js";
import { BrowserOAuthProvider } from "./browser-auth.js";
import type { BrowserAuthOptions } from "./types.js";

export * from "./exports.js";
export { fileStore } from "../store/file-native.js";

/** An MCP SDK `OAuthClientProvider` that signs in through the browser and a loopback redirect. */
export function browserAuth(options: BrowserAuthOptions = {}): BrowserOAuthProvider {
  return new BrowserOAuthProvider(options, getAuthCode);
}
