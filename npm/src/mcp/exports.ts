/** What `oauth-callback-rs/mcp` (and the root's `mcp` namespace) export alike. */
export { inMemoryStore } from "../store/memory.js";
export { OAuthStoreBrand, type Tokens, type TokenStore, type ClientInfo, type OAuthStore } from "../store/types.js";
export type {
  BrowserAuthOptions,
  McpOAuthTokens,
  McpClientInformation,
  McpClientMetadata,
  McpDiscoveryState,
  McpProtectedResourceMetadata,
  McpAuthorizationServerMetadata,
  McpCredentialScope,
} from "./types.js";
export type { BrowserOAuthProvider } from "./browser-auth.js";
export type { ConnectWithBrowserAuthOptions, McpClientLike, McpTransportLike, McpTransportOptions, McpSdkClasses } from "./connect.js";
