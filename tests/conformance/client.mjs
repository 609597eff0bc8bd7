#!/usr/bin/env node
// The client the MCP conformance suite runs (`conformance client --command "node
// tests/conformance/client.mjs"`): the suite starts a mock MCP server and authorization
// server per scenario, appends the MCP server's URL to the command, names the scenario in
// MCP_CONFORMANCE_SCENARIO and puts its credentials (client ID, secret, private key, ID
// token...) in MCP_CONFORMANCE_CONTEXT.
//
// Built only on the package's public API: one connectWithBrowserAuth() call, with
// browserAuth for the sign-in scenarios and clientCredentialsAuth / enterpriseManagedAuth
// as its authProvider for the machine ones; then tools/list and tools/call, as the
// suite's reference client does. The user in the browser is `launch`: the suite's
// authorization server approves at once and redirects to the loopback server, and fetch
// follows that redirect as a browser would.
//
// The last line on stdout is `RESULT {"ok":...}` for the test that runs the suite.
import { clientCredentialsAuth, connectWithBrowserAuth, enterpriseManagedAuth } from "oauth-callback-rs/mcp";

/** The client ID metadata document URL the suite expects (its authorization server does not fetch it). */
const CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";

const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}");
const serverUrl = process.argv[2];

async function launch(url) {
  const response = await fetch(url);
  await response.text();
  if (!response.ok) throw new Error(`the authorization page answered ${response.status}`);
}

function options() {
  switch (scenario) {
    case "auth/client-credentials-basic":
      return { authProvider: clientCredentialsAuth({ clientId: context.client_id, clientSecret: context.client_secret }) };
    case "auth/client-credentials-jwt":
      return { authProvider: clientCredentialsAuth({ clientId: context.client_id, privateKey: context.private_key_pem, privateKeyAlgorithm: context.signing_algorithm }) };
    case "auth/cross-app-access-complete-flow":
      return {
        authProvider: enterpriseManagedAuth({
          clientId: context.client_id,
          clientSecret: context.client_secret,
          idToken: context.idp_id_token,
          idp: { issuer: context.idp_issuer, clientId: context.idp_client_id },
        }),
      };
    default:
      return {
        launch,
        clientMetadataUrl: CLIENT_METADATA_URL,
        // Pre-registration: the suite hands over the client; a free loopback port.
        ...(context.client_id ? { clientId: context.client_id, clientSecret: context.client_secret, port: 0 } : {}),
      };
  }
}

let result;
try {
  const client = await connectWithBrowserAuth(serverUrl, { ...options(), clientInfo: { name: "oauth-callback-rs conformance client", version: "1.0.0" } });
  const { tools } = await client.listTools();
  await client.callTool({ name: tools[0]?.name ?? "test-tool", arguments: {} });
  await client.close();
  result = { ok: true };
} catch (err) {
  console.error(err);
  result = { ok: false, name: err?.name, code: err?.code, message: String(err?.message ?? err) };
}
console.log(`RESULT ${JSON.stringify(result)}`);
process.exit(result.ok ? 0 : 1);
