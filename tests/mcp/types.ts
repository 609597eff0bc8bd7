// The MCP side's public types against the SDK's own (checked by `tsc -p tests/mcp`): the
// provider is an OAuthClientProvider; the helper takes the SDK's classes and Client and
// returns the Client's own type.
import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  browserAuth,
  clientCredentialsAuth,
  clientMetadataDocument,
  connectWithBrowserAuth,
  enterpriseManagedAuth,
  fileStore,
  type BrowserAuthOptions,
  type McpDiscoveryState,
} from "oauth-callback-rs/mcp";
import { mcp } from "oauth-callback-rs";

const options: BrowserAuthOptions = { serverUrl: new URL("https://mcp.example/mcp"), store: fileStore(), requestTimeoutMs: 5000, signal: AbortSignal.timeout(1000) };
const provider: OAuthClientProvider = browserAuth(options);
const fromRoot: OAuthClientProvider = mcp.browserAuth({ port: 0 });

// What the SDK hands to saveDiscoveryState fits ours, and ours fits what it reads back.
declare const sdkState: OAuthDiscoveryState;
const ours: McpDiscoveryState = sdkState;
const back: OAuthDiscoveryState | undefined = await browserAuth().discoveryState();

// The helper with the SDK's classes and its own Client: the result is that Client.
const client: Client = await connectWithBrowserAuth("https://mcp.example/mcp", {
  client: new Client({ name: "x", version: "1" }),
  sdk: { Client, StreamableHTTPClientTransport, UnauthorizedError },
  maxLogins: 1,
});
await client.listTools();
// Without `client`, a minimal client shape comes back.
const minimal = await connectWithBrowserAuth("https://mcp.example/mcp");
await minimal.connect(new StreamableHTTPClientTransport(new URL("https://mcp.example/mcp"), { authProvider: browserAuth() }));

// The machine clients' providers are OAuthClientProviders too (non-interactive: no redirect URL).
const machine: OAuthClientProvider = clientCredentialsAuth({ clientId: "svc", privateKey: "-----BEGIN PRIVATE KEY-----", privateKeyAlgorithm: "ES256" });
const enterprise: OAuthClientProvider = enterpriseManagedAuth({ clientId: "c", clientSecret: "s", idToken: async () => "id-token", idp: { issuer: "https://idp.example", clientId: "idp-client" } });
const viaHelper: Client = await connectWithBrowserAuth("https://mcp.example/mcp", { client: new Client({ name: "x", version: "1" }), authProvider: clientCredentialsAuth({ clientId: "svc", clientSecret: "s" }) });
const document: Record<string, unknown> = clientMetadataDocument({ clientMetadataUrl: "https://app.example/client.json", clientName: "app" });
const withDocument: OAuthClientProvider = browserAuth({ clientMetadataUrl: "https://app.example/client.json" });

void [provider, fromRoot, ours, back, machine, enterprise, viaHelper, document, withDocument];
