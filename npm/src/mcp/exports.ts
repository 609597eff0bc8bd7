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
export type { McpAuthProvider } from "./connect.js";
export { clientCredentialsAuth, enterpriseManagedAuth } from "./machine-auth.js";
export type { MachineOAuthProvider, MachineAuthBaseOptions, ClientCredentialsAuthOptions, EnterpriseManagedAuthOptions, IdentityProviderOptions } from "./machine-auth.js";
export type { MachineCredentials, MachineAuthMethod } from "../client/client-credentials.js";
export { clientMetadataDocument, type ClientMetadataDocumentOptions } from "../client/client-metadata-document.js";
