#!/usr/bin/env node
// An MCP client that connects in one call: signs in through the browser when the server
// asks for it (the URL is printed when no browser can open), keeps the login in a token
// file keyed by server, refreshes it before it expires, and lists or calls tools.
//
//   node examples/mcp-client.mjs <mcp-server-url> [--call <tool>] [--store <file>]
//
// Against the test server (tests/mcp/servers.mjs, an MCP server built from the SDK's own
// server pieces, with its own authorization server):
//
//   node -e 'import("./tests/mcp/servers.mjs").then(async (m) => console.log((await m.startMcpServer()).url))'
//
// then run this file with the printed URL; the "Allow" button is the whole sign-in.
import { connectWithBrowserAuth, fileStore } from "oauth-callback-rs/mcp";

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const tool = option("--call");
const storePath = option("--store");
const [serverUrl] = args;
if (!serverUrl) {
  console.error("usage: node examples/mcp-client.mjs <mcp-server-url> [--call <tool>] [--store <file>]");
  process.exit(2);
}

// One call: discovery, registration, the browser login on a free loopback port, the
// code exchange, the MCP handshake. The store key is the server's URL, so one file
// holds logins for many servers; several processes share it safely.
const client = await connectWithBrowserAuth(serverUrl, {
  store: storePath ? fileStore(storePath) : fileStore(),
  clientName: "oauth-callback-rs example",
});
try {
  const { tools } = await client.listTools();
  console.log(`connected to ${client.getServerVersion()?.name ?? serverUrl}; tools: ${tools.map((t) => t.name).join(", ") || "(none)"}`);
  if (tool) {
    const result = await client.callTool({ name: tool, arguments: {} });
    for (const part of result.content ?? []) console.log(part.type === "text" ? part.text : JSON.stringify(part));
  }
} finally {
  await client.close();
}
