// browserAuth driven by the real MCP SDK's auth() against oidc-provider: the SDK
// discovers the server, registers through the provider, builds the authorization URL;
// the provider signs in over its loopback server and exchanges the code; the SDK then
// finds tokens, refreshes them, and a restarted provider reuses the stored registration.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { mcp as rootMcp } from "oauth-callback-rs";
import { OAuthStoreBrand, browserAuth, fileStore, inMemoryStore } from "oauth-callback-rs/mcp";
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
  for (const m of [rootMcp, { browserAuth, fileStore, inMemoryStore, OAuthStoreBrand }]) {
    equal(typeof m.browserAuth, "function", "browserAuth");
    equal(typeof m.fileStore, "function", "fileStore");
    equal(typeof m.inMemoryStore, "function", "inMemoryStore");
    equal(m.OAuthStoreBrand, Symbol.for("oauth-callback-rs.OAuthStore"), "OAuthStoreBrand");
  }
  const p = browserAuth();
  equal(p.redirectUrl, "http://localhost:3000/callback", "oauth-callback's default redirect URL");
  ok(inMemoryStore()[OAuthStoreBrand], "stores are branded");
});

test("mcp: the SDK's auth() signs in through browserAuth, refreshes, and reuses the registration", async () => {
  const server = await startProvider();
  try {
    const storePath = join(mkdtempSync(join(tmpdir(), "ocrs-mcp-")), "tokens.json");
    const port = freePort();
    let launches = 0;
    const make = () =>
      browserAuth({
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
    ok(tokens?.access_token, "tokens saved by the provider's own code exchange");
    equal(await userinfo(server.issuer, tokens.access_token), 200, "the token works");
    // The SDK calls auth() after a 401 and then refreshes with the stored refresh token.
    equal(await auth(provider, { serverUrl: server.issuer }), "AUTHORIZED", "second auth() is authorized");
    equal(server.counts.refresh, 1, "by refreshing once, no browser");

    const restarted = make();
    const store = fileStore(storePath);
    await store.update("mcp-tokens", (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));
    const result = await auth(restarted, { serverUrl: server.issuer });
    ok(result === "AUTHORIZED", `a restarted provider refreshes the stored, expired tokens: ${result}`);
    equal(server.counts.refresh, 2, "one more refresh request");
    equal(launches, 1, "still one browser launch");
    equal(server.counts.registration, 1, "still one registration");
    const after = await restarted.tokens();
    ok(after.access_token !== tokens.access_token, "a new access token");
    equal(await userinfo(server.issuer, after.access_token), 200, "the refreshed token works");
  } finally {
    await server.close();
  }
});
