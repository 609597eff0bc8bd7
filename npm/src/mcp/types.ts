/**
 * The shapes of the MCP SDK's `OAuthClientProvider` that `browserAuth` implements,
 * declared here so the package needs no runtime dependency on the SDK (TypeScript checks
 * them structurally against the SDK's own types).
 */
import type { TokenStore } from "../store/types.js";

/** OAuth tokens as the MCP SDK passes them (RFC 6749 §5.1 names). */
export interface McpOAuthTokens {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
}

/** Client information as the MCP SDK passes it (RFC 7591 names). */
export interface McpClientInformation {
  client_id: string;
  client_secret?: string;
  client_id_issued_at?: number;
  client_secret_expires_at?: number;
  redirect_uris?: string[];
}

/** Client metadata for dynamic registration (RFC 7591 §2). */
export interface McpClientMetadata {
  redirect_uris: string[];
  client_name?: string;
  grant_types?: string[];
  response_types?: string[];
  token_endpoint_auth_method?: string;
  scope?: string;
  application_type?: string;
}

/** Options of `browserAuth`, compatible with `oauth-callback`'s. */
export interface BrowserAuthOptions {
  /** A pre-registered client; without it the SDK registers one (stored and reused). */
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  /** Loopback port (default 3000); must match the registered redirect URI. */
  port?: number;
  hostname?: string;
  callbackPath?: string;
  /** Where tokens, the registration and the PKCE verifier live (default: in memory). */
  store?: TokenStore;
  /** The key in the store (default `"mcp-tokens"`). */
  storeKey?: string;
  /** Opens the authorization URL; omit it for the built-in launcher. */
  launch?: (url: string) => unknown;
  /** Milliseconds to wait for the user (default 300000). */
  authTimeout?: number;
  successHtml?: string;
  errorHtml?: string;
  onRequest?: (req: Request) => void;
  /** The authorization server, when the redirect's `iss` does not name it (default: the authorization URL's origin). */
  authServerUrl?: string | URL;
  /** Name used when registering (default `"oauth-callback-rs MCP client"`). */
  clientName?: string;
}
