/**
 * The shapes of the MCP SDK's `OAuthClientProvider` (1.32) that `browserAuth` implements,
 * declared here so the package needs no runtime dependency on the SDK (TypeScript checks
 * them structurally against the SDK's own types).
 */
import type { OAuthEvent } from "../client/http.js";
import type { TokenStore } from "../store/types.js";

/** OAuth tokens as the MCP SDK passes them (RFC 6749 §5.1 names). */
export interface McpOAuthTokens {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  id_token?: string;
  /** The authorization server the tokens came from; the SDK stamps it and compares it on reuse. */
  issuer?: string;
}

/** Client information as the MCP SDK passes it (RFC 7591 names), every field kept. */
export interface McpClientInformation {
  client_id: string;
  client_secret?: string;
  client_id_issued_at?: number;
  client_secret_expires_at?: number;
  redirect_uris?: string[];
  grant_types?: string[];
  token_endpoint_auth_method?: string;
  /** The authorization server the client is registered with (stamped by the SDK). */
  issuer?: string;
  [field: string]: unknown;
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

/** RFC 9728 protected resource metadata, as the SDK discovered it. */
export interface McpProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[] | undefined;
  scopes_supported?: string[] | undefined;
  [field: string]: unknown;
}

/** RFC 8414 / OpenID Connect authorization server metadata, as the SDK discovered it. */
export interface McpAuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  response_types_supported: string[];
  [field: string]: unknown;
}

/** The SDK's `OAuthDiscoveryState`: what `auth()` found, kept so it need not look again. */
export interface McpDiscoveryState {
  authorizationServerUrl: string;
  resourceMetadataUrl?: string;
  resourceMetadata?: McpProtectedResourceMetadata;
  authorizationServerMetadata?: McpAuthorizationServerMetadata;
}

/** What `invalidateCredentials` may be asked to forget. */
export type McpCredentialScope = "all" | "client" | "tokens" | "verifier" | "discovery";

/** Options of `browserAuth`; `oauth-callback`'s options keep their meaning. */
export interface BrowserAuthOptions {
  /**
   * The MCP server (its URL as given to the transport). The store key defaults to its
   * canonical URL, so two servers never share tokens; without it (and without
   * `storeKey`) the key is learned from the first discovery in each process.
   */
  serverUrl?: string | URL;
  /** A pre-registered client; without it the SDK registers one (stored and reused). */
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  /**
   * Loopback port. Omitted or 0: a free port is picked before the SDK registers and held
   * until the login is done; a registered client keeps its port across restarts. With
   * `clientId` and no port, 3000 (as in `oauth-callback`).
   */
  port?: number;
  /** Loopback host of the redirect (default `"localhost"`: 127.0.0.1 and ::1). */
  hostname?: string;
  callbackPath?: string;
  /** Where tokens, the registration and discovery live (default: in memory). */
  store?: TokenStore;
  /** The key in the store (default: the MCP server's canonical URL). */
  storeKey?: string;
  /** Opens the authorization URL; omit it for the system browser (the URL is printed when none opens). */
  launch?: (url: string) => unknown;
  /** Milliseconds to wait for the user (default 300000). */
  authTimeout?: number;
  successHtml?: string;
  errorHtml?: string;
  onRequest?: (req: Request) => void;
  /**
   * The authorization server, for the provider's own requests before the SDK has
   * discovered one (afterwards its discovery state is used). Never guessed from a URL's origin.
   */
  authServerUrl?: string | URL;
  /** Name used when registering (default `"oauth-callback-rs MCP client"`). */
  clientName?: string;
  /**
   * SEP-991: the https URL of this client's metadata document (`clientMetadataDocument()`
   * writes it), the client ID where the server advertises
   * `client_id_metadata_document_supported`; elsewhere the SDK registers. Checked here:
   * https, a path, no fragment (`INVALID_URL`).
   */
  clientMetadataUrl?: string;
  /** Milliseconds each request to the authorization server may take, headers and body (default 10000). */
  requestTimeoutMs?: number;
  /** Aborts the provider's requests and logins. */
  signal?: AbortSignal;
  /** The trace of the provider's own OAuth messages, secrets redacted. */
  onEvent?: (event: OAuthEvent) => void;
}
