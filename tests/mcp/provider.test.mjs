// browserAuth as the MCP SDK (1.32) sees it, in one process: every OAuthClientProvider
// member, what is stored and under which key, which credentials an invalidation may
// remove, the peer's `mcp-tokens` entry, and the SDK's own auth() and transports against
// the MCP server built from the SDK's server pieces (servers.mjs).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { OAuthCallbackError, bindLoopback } from "oauth-callback-rs";
import { browserAuth, connectWithBrowserAuth, fileStore, inMemoryStore } from "oauth-callback-rs/mcp";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";
import { startMcpServer } from "./servers.mjs";

const SERVER = "https://mcp.example/mcp";
const dir = mkdtempSync(join(tmpdir(), "ocrs-mcp-provider-"));
let n = 0;
const storePath = () => join(dir, `t${n++}.json`);
let server;

before(async () => {
  server = await startMcpServer();
});
after(async () => {
  await server?.close();
});

const user = () => {
  const launched = [];
  return {
    launched,
    launch: async (url) => {
      launched.push(url);
      await headlessSignIn(url);
    },
  };
};

function delta(before) {
  const d = {};
  for (const [k, v] of Object.entries(server.counts)) d[k] = v - before[k];
  return d;
}

test("mcp provider: every OAuthClientProvider member of the SDK 1.32", async () => {
  const p = browserAuth({ serverUrl: SERVER, port: 45123, scope: "mcp:tools" });
  for (const m of ["state", "clientInformation", "saveClientInformation", "tokens", "saveTokens", "redirectToAuthorization", "saveCodeVerifier", "codeVerifier", "invalidateCredentials", "saveDiscoveryState", "discoveryState", "waitForAuthorizationCode"]) {
    assert.equal(typeof p[m], "function", m);
  }
  assert.equal(p.redirectUrl, "http://localhost:45123/callback");
  const meta = p.clientMetadata;
  assert.deepEqual(meta.redirect_uris, [p.redirectUrl]);
  assert.ok(meta.grant_types.includes("refresh_token"), "registration asks for refresh_token");
  assert.equal(meta.token_endpoint_auth_method, "none");
  assert.equal(meta.scope, "mcp:tools");
  const states = new Set([p.state(), p.state(), p.state()]);
  assert.equal(states.size, 3, "a fresh state each time");
  for (const s of states) assert.match(s, /^[A-Za-z0-9_-]{43}$/);
  await assert.rejects(p.codeVerifier(), (e) => e instanceof OAuthCallbackError && e.code === "MISSING_PARAMETER");
  await p.saveCodeVerifier("v".repeat(43));
  assert.equal(await p.codeVerifier(), "v".repeat(43));
  await p.invalidateCredentials("verifier");
  await assert.rejects(p.codeVerifier());
  // A pre-registered client without a port keeps oauth-callback's default.
  assert.equal(browserAuth({ clientId: "pre" }).redirectUrl, "http://localhost:3000/callback");
});

test("mcp provider: tokens and client information are stored without losing a field, issuer included", async () => {
  const store = fileStore(storePath());
  const p = browserAuth({ serverUrl: SERVER, store, port: 45124 });
  const tokens = { access_token: "at-1", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-1", scope: "a b", id_token: "idt-1", issuer: "https://as.example/", extension: { x: 1 } };
  const client = {
    client_id: "cid-1",
    client_secret: "cs-1",
    client_id_issued_at: 1700000000,
    client_secret_expires_at: 0,
    redirect_uris: [p.redirectUrl],
    grant_types: ["authorization_code", "refresh_token"],
    token_endpoint_auth_method: "client_secret_post",
    client_name: "n",
    software_id: "sw",
    issuer: "https://as.example/",
  };
  await p.saveClientInformation(client);
  await p.saveTokens(tokens);
  // A restarted process reads back exactly what the SDK handed over.
  const q = browserAuth({ serverUrl: SERVER, store, port: 45124 });
  const got = await q.tokens();
  const { expires_in, ...rest } = got;
  const { expires_in: _, ...expected } = tokens;
  assert.deepEqual(rest, expected);
  assert.ok(expires_in > 0 && expires_in <= 3600, `expires_in counts down: ${expires_in}`);
  assert.deepEqual(await q.clientInformation(), client);
  // The entry itself keeps oauth-callback's shapes, so the peer reads it too.
  const entry = await store.getEntry("https://mcp.example/mcp");
  assert.equal(entry.tokens.accessToken, "at-1");
  assert.equal(entry.tokens.refreshToken, "rt-1");
  assert.equal(entry.client.clientId, "cid-1");
});

test("mcp provider: the discovery state is kept, and forgotten on invalidateCredentials('discovery')", async () => {
  const store = inMemoryStore();
  const p = browserAuth({ serverUrl: SERVER, store });
  const state = {
    authorizationServerUrl: "https://as.example/",
    resourceMetadataUrl: "https://mcp.example/.well-known/oauth-protected-resource/mcp",
    resourceMetadata: { resource: SERVER, authorization_servers: ["https://as.example/"] },
    authorizationServerMetadata: { issuer: "https://as.example/", authorization_endpoint: "https://as.example/a", token_endpoint: "https://as.example/t", response_types_supported: ["code"] },
  };
  assert.equal(await p.discoveryState(), undefined);
  await p.saveDiscoveryState(state);
  assert.deepEqual(await browserAuth({ serverUrl: SERVER, store }).discoveryState(), state);
  await p.invalidateCredentials("discovery");
  assert.equal(await p.discoveryState(), undefined);
});

test("mcp provider: the store key is the MCP server's canonical URL; storeKey overrides it; servers never share", async () => {
  const store = inMemoryStore();
  const t = (at) => ({ access_token: at, token_type: "Bearer", expires_in: 3600 });
  await browserAuth({ serverUrl: "HTTPS://MCP.Example/mcp#frag", store }).saveTokens(t("a"));
  assert.equal((await store.get("https://mcp.example/mcp")).accessToken, "a");
  assert.equal(await browserAuth({ serverUrl: "https://other.example/mcp", store }).tokens(), undefined, "another server sees nothing");
  await browserAuth({ serverUrl: SERVER, storeKey: "mine", store }).saveTokens(t("b"));
  assert.equal((await store.get("mine")).accessToken, "b");
  assert.equal((await store.get("https://mcp.example/mcp")).accessToken, "a");
  // Without serverUrl the key is learned from the SDK's discovery.
  const learned = browserAuth({ store });
  assert.equal(await learned.tokens(), undefined);
  await learned.saveDiscoveryState({ authorizationServerUrl: "https://as.example/", resourceMetadata: { resource: "https://third.example/mcp" } });
  await learned.saveTokens(t("c"));
  assert.equal((await store.get("https://third.example/mcp")).accessToken, "c");
});

test("mcp provider: tokens() gives undefined for an expired token without a refresh token, and keeps the refresh token otherwise", async () => {
  const store = inMemoryStore();
  const p = browserAuth({ serverUrl: SERVER, store });
  await p.saveTokens({ access_token: "old", token_type: "Bearer", expires_in: 0 });
  assert.equal(await p.tokens(), undefined);
  // Expired, refreshable, and nothing discovered yet to refresh with: the SDK refreshes.
  await p.saveTokens({ access_token: "old2", token_type: "Bearer", expires_in: 0, refresh_token: "r2" });
  const t = await p.tokens();
  assert.equal(t.access_token, "old2");
  assert.equal(t.refresh_token, "r2");
});

test("mcp provider: invalidateCredentials removes only what the SDK used, never newer credentials", async () => {
  const store = inMemoryStore();
  const a = browserAuth({ serverUrl: SERVER, store, port: 45125 });
  const b = browserAuth({ serverUrl: SERVER, store, port: 45125 });
  const client = (id) => ({ client_id: id, redirect_uris: ["http://localhost:45125/callback"] });
  await a.saveClientInformation(client("c1"));
  await a.saveTokens({ access_token: "t1", token_type: "Bearer", expires_in: 3600, refresh_token: "r1" });
  assert.equal((await a.tokens()).access_token, "t1");
  assert.equal((await a.clientInformation()).client_id, "c1");
  // Another process saves newer tokens; the SDK in `a` reports t1 invalid.
  await b.saveTokens({ access_token: "t2", token_type: "Bearer", expires_in: 3600, refresh_token: "r2" });
  await a.invalidateCredentials("tokens");
  assert.equal((await store.get(SERVER)).accessToken, "t2", "the newer tokens stay");
  assert.equal((await a.tokens()).access_token, "t2");
  await a.invalidateCredentials("tokens");
  assert.equal(await store.get(SERVER), null, "the tokens it used are gone");
  // The same for the client.
  await b.saveClientInformation(client("c1"));
  assert.equal((await a.clientInformation()).client_id, "c1");
  await store.update(SERVER, (e) => ({ ...e, client: { clientId: "c2", redirectUris: ["http://localhost:45125/callback"] } }));
  await a.invalidateCredentials("client");
  assert.equal((await store.getClient(SERVER)).clientId, "c2", "a newer registration stays");
  assert.equal((await a.clientInformation()).client_id, "c2");
  await a.saveTokens({ access_token: "t3", token_type: "Bearer", expires_in: 3600 });
  await a.tokens();
  await a.invalidateCredentials("all");
  assert.equal(await store.getEntry(SERVER), null, "all: tokens, client and discovery gone");
});

test("mcp provider: oauth-callback's mcp-tokens entry is adopted only for the server it demonstrably belongs to", async () => {
  const jwt = (claims) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
  const legacy = (accessToken) => {
    const store = inMemoryStore();
    return store.set("mcp-tokens", { accessToken, refreshToken: "r", expiresAt: Date.now() + 3_600_000 }).then(() => store);
  };
  const unknown = await legacy("opaque-token");
  assert.equal(await browserAuth({ serverUrl: SERVER, store: unknown }).tokens(), undefined, "no evidence: not adopted");
  assert.equal((await unknown.get("mcp-tokens")).accessToken, "opaque-token", "and left as it was");
  const other = await legacy(jwt({ iss: "https://as.example/", aud: "https://other.example/mcp" }));
  assert.equal(await browserAuth({ serverUrl: SERVER, store: other }).tokens(), undefined, "another server's token: not adopted");
  const mine = await legacy(jwt({ iss: "https://as.example/", aud: [SERVER] }));
  assert.equal((await browserAuth({ serverUrl: SERVER, store: mine }).tokens()).access_token.startsWith("e30."), true, "its audience is this server: adopted");
  assert.ok(await mine.get(SERVER));
  // An explicit storeKey is the app's choice: nothing moves.
  const chosen = await legacy(jwt({ aud: [SERVER] }));
  assert.equal(await browserAuth({ serverUrl: SERVER, storeKey: "k", store: chosen }).tokens(), undefined);
});

test("mcp provider: oauth-callback's plain TokenStore (get/set/delete) works", async () => {
  const map = new Map();
  const store = { get: async (k) => map.get(k) ?? null, set: async (k, v) => void map.set(k, v), delete: async (k) => void map.delete(k) };
  const p = browserAuth({ serverUrl: SERVER, store, port: 45126 });
  await p.saveClientInformation({ client_id: "c", redirect_uris: [p.redirectUrl] });
  await p.saveTokens({ access_token: "t", token_type: "Bearer", expires_in: 3600, refresh_token: "r", issuer: "https://as.example/" });
  assert.equal(map.get(SERVER).accessToken, "t");
  assert.equal((await p.tokens()).issuer, "https://as.example/");
  assert.equal((await p.clientInformation()).client_id, "c");
});

test("mcp provider: util.inspect, JSON and errors of the provider show no secret", async () => {
  const p = browserAuth({ serverUrl: SERVER, port: 45127, clientSecret: "cs-secret-1" });
  await p.saveTokens({ access_token: "at-secret-1", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-secret-1" });
  await p.saveCodeVerifier("verifier-secret-".padEnd(43, "x"));
  await p.tokens();
  for (const text of [inspect(p, { showHidden: true, depth: 10 }), JSON.stringify(p), String(p)]) {
    for (const s of ["at-secret-1", "rt-secret-1", "cs-secret-1", "verifier-secret-"]) assert.ok(!text.includes(s), `${s} in ${text}`);
  }
});

test("mcp provider: the SDK's auth() signs in once, stamps issuer, and a restart skips discovery", async () => {
  const store = fileStore(storePath());
  const u = user();
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => warnings.push(a.join(" "));
  try {
    const b = { ...server.counts };
    const p = browserAuth({ serverUrl: server.url, store, hostname: "127.0.0.1", launch: u.launch });
    assert.equal(await auth(p, { serverUrl: server.url }), "REDIRECT");
    assert.equal(u.launched.length, 1);
    const t = await p.tokens();
    assert.ok(t.access_token && t.refresh_token, "the provider exchanged the code on the next tokens()");
    assert.equal(t.issuer, server.issuer, "its issuer is recorded");
    assert.equal((await p.clientInformation()).issuer, server.issuer);
    // A restarted provider: the SDK's auth() (as after a 401) refreshes without discovering again.
    const before = { ...server.counts };
    const q = browserAuth({ serverUrl: server.url, store, hostname: "127.0.0.1", launch: u.launch });
    assert.equal(await auth(q, { serverUrl: server.url }), "AUTHORIZED");
    const d = delta(before);
    assert.deepEqual([d.metadata, d.refreshOk, d.login, d.registration], [0, 1, 0, 0], "cached discovery, one refresh");
    assert.equal(delta(b).registration, 1);
    assert.deepEqual(warnings.filter((w) => w.includes("issuer")), [], "no missing-issuer warning from the SDK");
  } finally {
    console.warn = warn;
  }
});

test("mcp provider: a code handed out for finishAuth is left to the SDK, and the verifier kept for it", async () => {
  const u = user();
  const p = browserAuth({ serverUrl: server.url, hostname: "127.0.0.1", launch: u.launch });
  const transport = new StreamableHTTPClientTransport(new URL(server.url), { authProvider: p });
  const client = new Client({ name: "t", version: "1" });
  await assert.rejects(client.connect(transport), (e) => e instanceof UnauthorizedError);
  const code = await p.waitForAuthorizationCode();
  assert.equal(typeof code, "string");
  assert.equal(await p.waitForAuthorizationCode(), undefined, "handed out once");
  const b = { ...server.counts };
  assert.equal(await p.tokens(), undefined, "the provider does not exchange a code it handed out");
  assert.equal(delta(b).authorization_code, 0);
  await transport.finishAuth(code);
  assert.equal(delta(b).authorization_code, 1, "the SDK exchanged it, with the kept verifier");
  const again = new Client({ name: "t", version: "1" });
  await again.connect(new StreamableHTTPClientTransport(new URL(server.url), { authProvider: p }));
  assert.match((await again.callTool({ name: "whoami", arguments: {} })).content[0].text, /^hello, /);
  await again.close();
});

test("mcp provider: in one process, expiry is refreshed before the request, with no 401 and no browser", async () => {
  const store = fileStore(storePath());
  const u = user();
  const client = await connectWithBrowserAuth(server.url, { store, hostname: "127.0.0.1", launch: u.launch });
  await client.callTool({ name: "whoami", arguments: {} });
  server.expireAccessTokens();
  await store.update(server.url, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1 } }));
  const b = { ...server.counts };
  await Promise.all([client.callTool({ name: "whoami", arguments: {} }), client.callTool({ name: "whoami", arguments: {} }), client.callTool({ name: "whoami", arguments: {} })]);
  const d = delta(b);
  assert.deepEqual([d.refresh, d.unauthorized, d.login, d.toolCalls], [1, 0, 0, 3], "three concurrent calls, one refresh");
  assert.equal(u.launched.length, 1);
  await client.close();
});

test("mcp provider: tokens that live shorter than the margin are not refreshed on every call", async () => {
  const short = await startMcpServer({ accessTokenTtl: 40 });
  try {
    const client = await connectWithBrowserAuth(short.url, { hostname: "127.0.0.1", launch: user().launch });
    for (let i = 0; i < 3; i++) await client.callTool({ name: "whoami", arguments: {} });
    assert.equal(short.counts.refresh, 0, "a 40 s token is refreshed 20 s before expiry, not at once");
    await client.close();
  } finally {
    await short.close();
  }
});

test("mcp provider: connectWithBrowserAuth caps the logins of one call", async () => {
  const u = user();
  await assert.rejects(connectWithBrowserAuth(server.url, { hostname: "127.0.0.1", launch: u.launch, maxLogins: 0 }), (e) => e instanceof OAuthCallbackError && e.code === "LOGIN_REQUIRED");
  assert.equal(u.launched.length, 0, "maxLogins 0: never a browser");
  server.control.refuseTokens = true;
  try {
    const v = user();
    await assert.rejects(connectWithBrowserAuth(server.url, { hostname: "127.0.0.1", launch: v.launch }));
    assert.equal(v.launched.length, 1, "a server refusing every token costs one login, not a loop");
  } finally {
    server.control.refuseTokens = false;
  }
});

test("mcp provider: a port picked before registration is held until the login, then freed", async () => {
  let portDuringLogin;
  let heldDuringLogin;
  const p = browserAuth({
    serverUrl: server.url,
    hostname: "127.0.0.1",
    launch: async (url) => {
      portDuringLogin = Number(new URL(new URL(url).searchParams.get("redirect_uri")).port);
      await headlessSignIn(url);
    },
  });
  const port = Number(new URL(p.redirectUrl).port);
  assert.ok(port > 0);
  assert.throws(() => bindLoopback({ hostname: "127.0.0.1", port }), (e) => e.code === "EADDRINUSE", "held from the moment it was handed out");
  assert.equal(p.redirectUrl, `http://127.0.0.1:${port}/callback`, "the same port on every read");
  const original = p.redirectToAuthorization.bind(p);
  p.redirectToAuthorization = async (url) => {
    try {
      bindLoopback({ hostname: "127.0.0.1", port }).close();
      heldDuringLogin = false;
    } catch {
      heldDuringLogin = true;
    }
    return original(url);
  };
  const client = await connectWithBrowserAuth(server.url, { authProvider: p });
  assert.equal(heldDuringLogin, true, "still held when the SDK starts the login");
  assert.equal(portDuringLogin, port, "the login used the port the SDK registered");
  bindLoopback({ hostname: "127.0.0.1", port }).close();
  await client.close();
});

test("mcp provider: an encrypted file store keeps the login, and no token is readable in the file", async () => {
  const path = storePath();
  const u = user();
  const options = { store: fileStore(path, { encryptionKey: "a passphrase for the test" }), hostname: "127.0.0.1", launch: u.launch };
  const first = await connectWithBrowserAuth(server.url, options);
  await first.close();
  const b = { ...server.counts };
  const again = await connectWithBrowserAuth(server.url, { ...options, store: fileStore(path, { encryptionKey: "a passphrase for the test" }) });
  await again.callTool({ name: "whoami", arguments: {} });
  await again.close();
  assert.equal(u.launched.length, 1, "one login across both");
  assert.deepEqual([delta(b).authorization_code, delta(b).refresh], [0, 0]);
  const text = readFileSync(path, "utf8");
  for (const secret of server.secrets) assert.ok(!text.includes(secret), "a token in the encrypted file");
});
