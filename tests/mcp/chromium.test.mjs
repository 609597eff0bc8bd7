// The whole MCP sign-in with a real browser: connectWithBrowserAuth opens headless
// Chromium at the authorization server of the MCP server built from the SDK's pieces;
// the user clicks "Allow"; the browser follows the redirect to the loopback server; the
// call returns a connected SDK Client.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connectWithBrowserAuth, inMemoryStore } from "oauth-callback-rs/mcp";
import { launchChromium } from "../browser/chromium.mjs";
import { startMcpServer } from "./servers.mjs";

let browser;
let server;

before(async () => {
  browser = await launchChromium();
  server = await startMcpServer();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("mcp chromium: the user approves in headless Chromium, and the call returns a connected client", async () => {
  const page = await browser.context.newPage();
  let approval;
  const launch = (url) => {
    approval = (async () => {
      await page.goto(url);
      await Promise.all([page.waitForURL((u) => u.port !== String(new URL(server.url).port) && u.pathname === "/callback"), page.click("#allow")]);
    })();
  };
  const store = inMemoryStore();
  const client = await connectWithBrowserAuth(server.url, { store, hostname: "127.0.0.1", launch });
  await approval;
  const result = await client.callTool({ name: "whoami", arguments: {} });
  assert.match(result.content[0].text, /^hello, /);
  assert.deepEqual([server.counts.login, server.counts.authorization_code, server.counts.registration], [1, 1, 1]);
  const code = new URL(page.url()).searchParams.get("code");
  assert.equal(code, null, "the code is not left in the browser's address bar");
  await client.close();
  await page.close();
});
