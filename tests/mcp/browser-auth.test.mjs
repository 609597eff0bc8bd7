// browserAuth driven by the real MCP SDK's auth() against oidc-provider (an OpenID
// provider, no MCP metadata): the SDK discovers the server, registers through the
// provider, builds the authorization URL; the provider signs in over its loopback server
// and exchanges the code on the next tokens(); a restarted provider refreshes expired
// tokens itself and reuses the stored registration. The MCP server built from the SDK's
// own pieces is in provider.test.mjs and processes.test.mjs.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { mcp as rootMcp } from "oauth-callback-rs";
import { OAuthStoreBrand, browserAuth, connectWithBrowserAuth, fileStore, inMemoryStore } from "oauth-callback-rs/mcp";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";
import { startProvider } from "../../examples/local-server/provider.mjs";
import { bindLoopback } from "oauth-callback-rs";
import { equal, ok } from "../facade/assert.mjs";

function freePort() {
  const l = bindLoopback({ hostname: "127.0.0.1" });
  l.close();
  return l.port;
}

async function userinfo(issuer, token) {
  const res = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${token}` } });
  await res.text();
  return res.status;
}

test("mcp: the exports of oauth-callback's ./mcp exist here, and on the root as mcp", () => {
  for (const m of [rootMcp, { browserAuth, connectWithBrowserAuth, fileStore, inMemoryStore, OAuthStoreBrand }]) {
    equal(typeof m.browserAuth, "function", "browserAuth");
    equal(typeof m.connectWithBrowserAuth, "function", "connectWithBrowserAuth");
    equal(typeof m.fileStore, "function", "fileStore");
    equal(typeof m.inMemoryStore, "function", "inMemoryStore");
    equal(m.OAuthStoreBrand, Symbol.for("oauth-callback-rs.OAuthStore"), "OAuthStoreBrand");
  }
  equal(browserAuth({ port: 3000 }).redirectUrl, "http://localhost:3000/callback", "oauth-callback's redirect URL");
  equal(browserAuth({ clientId: "pre-registered" }).redirectUrl, "http://localhost:3000/callback", "a pre-registered client keeps oauth-callback's default port");
  ok(inMemoryStore()[OAuthStoreBrand], "stores are branded");
});

test("mcp: the SDK's auth() signs in through browserAuth; a restart refreshes and reuses the registration", async () => {
  const server = await startProvider();
  try {
    const storePath = join(mkdtempSync(join(tmpdir(), "ocrs-mcp-")), "tokens.json");
    const port = freePort();
    let launches = 0;
    const make = () =>
      browserAuth({
        serverUrl: server.issuer,
        port,
        hostname: "127.0.0.1",
        scope: "openid",
        store: fileStore(storePath),
        launch: (url) => {
          launches++;
          return headlessSignIn(url);
        },
      });
    const provider = make();
    equal(await auth(provider, { serverUrl: server.issuer }), "REDIRECT", "first auth() redirects");
    equal(launches, 1, "the browser was launched once");
    equal(server.counts.registration, 1, "the SDK registered through the provider");
    const tokens = await provider.tokens();
    ok(tokens?.access_token, "tokens from the provider's own code exchange");
    equal(tokens.issuer, new URL(server.issuer).href, "stamped with the issuer the SDK discovered");
    equal(server.counts.authorization_code, 1, "one code exchange");
    equal(await userinfo(server.issuer, tokens.access_token), 200, "the token works");

    const restarted = make();
    const store = fileStore(storePath);
    const key = new URL(server.issuer).href;
    await store.update(key, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));
    const fresh = await restarted.tokens();
    equal(server.counts.refresh, 1, "a restarted provider refreshes the stored, expired tokens itself");
    equal(launches, 1, "still one browser launch");
    equal(server.counts.registration, 1, "still one registration");
    ok(fresh.access_token !== tokens.access_token, "a new access token");
    equal(await userinfo(server.issuer, fresh.access_token), 200, "the refreshed token works");
    equal(await auth(restarted, { serverUrl: server.issuer }), "AUTHORIZED", "the SDK's auth() finds it signed in");
  } finally {
    await server.close();
  }
});
