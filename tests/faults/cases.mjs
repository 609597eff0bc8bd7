// OAuthClient against an authorization server that misbehaves on purpose (server.mjs),
// shared by Node, Bun and Deno. Each case gives the client a short `requestTimeoutMs`
// and checks the error's type and code, that the call settled, and that the token file
// is byte for byte what it was. No case measures time: a fault that is not bounded
// leaves its call pending, and the test runner's own limit fails it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { equal, match, ok, rejection } from "../facade/assert.mjs";
import { faults, metadata, startFaultServer } from "./server.mjs";

/** Small enough to keep the suite quick, large enough for a loaded machine's loopback. */
const BOUND_MS = 400;
const CLIENT_ID = "fault-client";
/** Values that must never appear in an error message. */
const SECRETS = ["old-access-SECRET-1", "old-refresh-SECRET-2"];
const SECRET_BODY = "refresh_token=old-refresh-SECRET-2&debug=echoed";


/** The error is the library's, with `code`, and names no secret. */
function typed(lib, err, code, what) {
  ok(err instanceof lib.OAuthCallbackError, `${what}: OAuthCallbackError, got ${err?.name}: ${err?.message}`);
  equal(err.code, code, `${what}: code (${err.message})`);
  for (const s of SECRETS) ok(!err.message.includes(s), `${what}: no secret in "${err.message}"`);
  return err;
}

/**
 * A fault server with `routes`, a plain file store holding expired tokens for it, and a
 * client with explicit endpoints (or discovery, with `discover: true`).
 */
async function setup(lib, env, routes, { discover = false, clientId = CLIENT_ID, requestTimeoutMs = BOUND_MS, tokens = true } = {}) {
  const srv = await startFaultServer(routes);
  const path = join(env.tmp(), "tokens.json");
  const store = lib.fileStore(path);
  const key = srv.origin;
  if (tokens) await store.set(key, { accessToken: SECRETS[0], refreshToken: SECRETS[1], expiresAt: Date.now() - 1000, tokenType: "Bearer" });
  const events = [];
  const options = {
    issuer: srv.origin,
    storage: store,
    requestTimeoutMs,
    onEvent: (e) => events.push(e),
    launch: () => undefined,
  };
  if (clientId) options.clientId = clientId;
  if (!discover) {
    options.endpoints = {
      authorizationEndpoint: `${srv.origin}/authorize`,
      tokenEndpoint: `${srv.origin}/token`,
      revocationEndpoint: `${srv.origin}/revoke`,
      deviceAuthorizationEndpoint: `${srv.origin}/device`,
      tokenEndpointAuthMethods: ["none"],
    };
  }
  const client = new lib.OAuthClient(options);
  const snapshot = async () => `${existsSync(path) ? readFileSync(path, "utf8") : "(no file)"}\n${JSON.stringify(await store.getEntry(key))}`;
  return { srv, store, key, path, client, events, options, before: await snapshot(), snapshot };
}

/** Runs `fn(t)` on a fresh setup and closes the server whatever happens. */
const withServer = (routes, options, fn) => async (lib, env) => {
  const t = await setup(lib, env, routes, options);
  try {
    await fn(t, lib, env);
  } finally {
    await t.srv.close();
  }
};

/** The stored tokens are exactly as they were. */
async function unchanged(t, what) {
  equal(await t.snapshot(), t.before, `${what}: the token file and entry are as they were`);
}

/** getValidToken() on expired tokens hits the token endpoint (refresh) and fails with `code`. */
const refreshFails = (route, code, check = () => undefined) =>
  withServer({ "/token": route }, {}, async (t, lib) => {
    const err = typed(lib, await rejection(t.client.getValidToken()), code, "getValidToken");
    match(err.message, new RegExp(`^refresh: POST ${t.srv.origin.replace(/\./g, "\\.")}/token\\b`), "names the step and the URL");
    await check(err, t);
    await unchanged(t, "after the fault");
    equal(t.srv.requests.filter((r) => r.path === "/token").length, 1, "one refresh request");
  });

const GOOD_TOKENS = { access_token: "new-access-token-1", token_type: "Bearer", expires_in: 3600, refresh_token: "new-refresh-token-1" };

/** Plays the user's browser: sends the redirect with a code straight to the loopback server. */
function redirectWithCode(url) {
  const u = new URL(url);
  const back = new URL(u.searchParams.get("redirect_uri"));
  back.searchParams.set("code", "code-from-the-fault-server");
  back.searchParams.set("state", u.searchParams.get("state"));
  fetch(back).then((r) => r.text()).catch(() => undefined);
}

/** The browser entry (BrowserOAuthClient), loaded with its wasm from the build. */
let browserEntry;
function loadBrowserEntry() {
  browserEntry ??= (async () => {
    const entry = await import("../../npm/dist/index.browser.js");
    await entry.init(
      readFileSync(new URL("../../npm/wasm-authorize/oauth_callback_authorize.wasm", import.meta.url)),
      readFileSync(new URL("../../npm/wasm-login/oauth_callback_login.wasm", import.meta.url)),
    );
    return entry;
  })();
  return browserEntry;
}

/** sessionStorage's shape on a Map. */
function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, String(v)), removeItem: (k) => void m.delete(k) };
}

export const faultCases = [
  ["faults: a token endpoint that accepts and never answers gives TIMEOUT naming the request; tokens kept", refreshFails(faults.hang(), "TIMEOUT", (err) => {
    match(err.message, new RegExp(`within ${BOUND_MS} ms`), "says the bound");
  })],

  ["faults: a connection closed mid-response gives HTTP_ERROR; tokens kept", refreshFails(faults.closeMidResponse(), "HTTP_ERROR", (err) => {
    match(err.message, /broke off before it was complete/, "says what happened");
  })],

  ["faults: HTTP 500 gives HTTP_ERROR with the status and no body quoted; tokens kept", refreshFails(faults.status(500, { "content-type": "text/plain" }, SECRET_BODY), "HTTP_ERROR", (err) => {
    match(err.message, /answered HTTP 500$/, "the status");
    ok(!err.message.includes("echoed"), "no body in the message");
  })],

  ["faults: HTTP 503 with Retry-After gives HTTP_ERROR saying when to retry; tokens kept", refreshFails(faults.status(503, { "retry-after": "7" }, "<html>busy</html>"), "HTTP_ERROR", (err) => {
    match(err.message, /answered HTTP 503; it asks to retry after 7 s \(Retry-After\)$/, "status and Retry-After");
  })],

  ["faults: a non-JSON answer gives INVALID_RESPONSE; tokens kept", refreshFails(faults.text("<html><body>Welcome</body></html>"), "INVALID_RESPONSE", (err) => {
    match(err.message, /not valid JSON/, "says why");
  })],

  ["faults: truncated JSON gives INVALID_RESPONSE; tokens kept", refreshFails(faults.json('{"access_token":"new-access-token-1","token_type":"Bea'), "INVALID_RESPONSE", (err) => {
    match(err.message, /not valid JSON/, "says why");
    ok(!err.message.includes("new-access-token-1"), "no token from the body");
  })],

  ["faults: a 50 MB body is refused at 1 MiB while it streams, not read whole; tokens kept", refreshFails(faults.huge(50 * 1024 * 1024), "INVALID_RESPONSE", async (err, t) => {
    match(err.message, /larger than 1 MiB/, "says why");
    await t.srv.close();
    // The server writes only as fast as the client reads: what it wrote is what was read,
    // plus socket and stream buffers.
    ok(t.srv.stats.bodyBytesWritten < 25 * 1024 * 1024, `the server wrote ${t.srv.stats.bodyBytesWritten} bytes, far from 50 MB`);
  })],

  ["faults: a body trickled one byte a second gives TIMEOUT; tokens kept", refreshFails(faults.trickle(), "TIMEOUT")],

  ["faults: a token response without access_token gives INVALID_RESPONSE; tokens kept", refreshFails(faults.json({ token_type: "Bearer", expires_in: 3600, refresh_token: "new-refresh-token-1" }), "INVALID_RESPONSE", (err) => {
    match(err.message, /access_token/, "names the field");
  })],

  ["faults: a token response with token_type other than Bearer gives INVALID_RESPONSE; tokens kept", refreshFails(faults.json({ ...GOOD_TOKENS, token_type: "mac" }), "INVALID_RESPONSE", (err) => {
    match(err.message, /token_type/, "names the field");
  })],

  ["faults: an error status without an OAuth error quotes no secret from the body; tokens kept", refreshFails(faults.json({ access_token: "leaked-access-token-1", note: "x" }, 401), "INVALID_RESPONSE", (err) => {
    match(err.message, /HTTP 401/, "the status");
    ok(!err.message.includes("leaked-access-token-1"), `no token from the body: ${err.message}`);
  })],

  ["faults: metadata naming another issuer gives ISSUER_MISMATCH naming the .well-known URL; tokens kept", withServer({ "/.well-known/oauth-authorization-server": faults.json(metadata("https://evil.example")) }, { discover: true }, async (t, lib) => {
    const err = typed(lib, await rejection(t.client.getValidToken()), "ISSUER_MISMATCH", "getValidToken");
    match(err.message, new RegExp(`^discovery: GET ${t.srv.origin.replace(/\./g, "\\.")}/\\.well-known/oauth-authorization-server: `), "names the URL fetched");
    equal(t.srv.requests.length, 1, "the search stops at the mismatch");
    await unchanged(t, "after the mismatch");
  })],

  ["faults: discovery that never answers gives TIMEOUT naming the .well-known URL", withServer({ "/.well-known/oauth-authorization-server": faults.hang() }, { discover: true }, async (t, lib) => {
    const err = typed(lib, await rejection(t.client.getValidToken()), "TIMEOUT", "getValidToken");
    match(err.message, /^discovery: GET http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-authorization-server got no complete response/, "names the URL");
    equal(t.srv.requests.length, 1, "a hung server is not asked again for the OIDC document");
    await unchanged(t, "after the fault");
  })],

  ["faults: a refused connection gives HTTP_ERROR naming the URL and the network cause", async (lib, env) => {
    // A port that was free a moment ago: nothing listens there now.
    const srv = await startFaultServer({});
    await srv.close();
    const client = new lib.OAuthClient({ issuer: srv.origin, clientId: CLIENT_ID, requestTimeoutMs: BOUND_MS });
    const err = typed(lib, await rejection(client.discover()), "HTTP_ERROR", "discover");
    match(err.message, new RegExp(`^discovery: GET ${srv.origin.replace(/\./g, "\\.")}/\\.well-known/oauth-authorization-server failed: `), "names the URL");
    match(err.message, /refused|ECONNREFUSED/i, "names the cause");
  }],

  ["faults: registration that never answers fails authenticate() with TIMEOUT; tokens kept, no verifier left", withServer((origin) => ({ "/.well-known/oauth-authorization-server": faults.json(metadata(origin)), "/register": faults.hang() }), { discover: true, clientId: null }, async (t, lib) => {
    const err = typed(lib, await rejection(t.client.authenticate()), "TIMEOUT", "authenticate");
    match(err.message, /^registration: POST http:\/\/127\.0\.0\.1:\d+\/register got no complete response/, "names the request");
    await unchanged(t, "after the fault");
  })],

  ["faults: a code exchange that never answers fails authenticate() with TIMEOUT; tokens kept, no verifier left", withServer({ "/token": faults.hang() }, {}, async (t, lib) => {
    const client = new lib.OAuthClient({ ...t.options, launch: redirectWithCode });
    const err = typed(lib, await rejection(client.authenticate()), "TIMEOUT", "authenticate");
    match(err.message, /^token: POST http:\/\/127\.0\.0\.1:\d+\/token got no complete response/, "names the request");
    await unchanged(t, "after the fault");
  })],

  ["faults: a device authorization that never answers gives TIMEOUT", withServer({ "/device": faults.hang() }, {}, async (t, lib) => {
    const err = typed(lib, await rejection(t.client.authenticateWithDeviceCode({ onUserCode: () => undefined })), "TIMEOUT", "authenticateWithDeviceCode");
    match(err.message, /^device_authorization: POST http:\/\/127\.0\.0\.1:\d+\/device /, "names the request");
    await unchanged(t, "after the fault");
  })],

  ["faults: a revocation that never answers: logout() settles with revoked false and forgets the tokens", withServer({ "/revoke": faults.hang() }, {}, async (t) => {
    const out = await t.client.logout();
    equal(out.revoked, false, "not revoked");
    equal(await t.store.get(t.key), null, "tokens forgotten");
    ok(t.events.some((e) => e.type === "info" && /revocation failed: .*got no complete response/.test(e.message)), "the trace says why");
  })],

  ["faults: logout() with a server that cannot be discovered settles with revoked false and forgets the tokens", withServer({ "/.well-known/oauth-authorization-server": faults.hang() }, { discover: true }, async (t) => {
    const out = await t.client.logout();
    equal(out.revoked, false, "not revoked");
    equal(await t.store.get(t.key), null, "tokens forgotten");
    ok(t.events.some((e) => e.type === "info" && /revocation failed: discovery: GET .* got no complete response/.test(e.message)), "the trace says why");
  })],

  ["faults: a hung refresh holds the store's lock only until its bound: a writer waiting behind it completes, another client gets a typed error", withServer({ "/token": faults.hang() }, {}, async (t, lib) => {
    const first = rejection(t.client.getValidToken());
    await t.srv.received("/token");
    // The refresh now holds the file's lock. Another writer and another client queue behind it.
    const writer = t.store.update("another-key", () => ({ tokens: { accessToken: "written-after-the-lock" } }));
    const second = new lib.OAuthClient({ ...t.options });
    const secondResult = rejection(second.getValidToken());
    typed(lib, await first, "TIMEOUT", "the refresh holding the lock");
    await writer;
    equal((await t.store.get("another-key")).accessToken, "written-after-the-lock", "the waiting writer wrote");
    // The second client found the tokens still expired once it had the lock, and tried itself.
    typed(lib, await secondResult, "TIMEOUT", "the client that waited");
    equal(t.srv.requests.filter((r) => r.path === "/token").length, 2, "each tried once");
    const entry = await t.store.getEntry(t.key);
    equal(entry.tokens.refreshToken, SECRETS[1], "the refresh token is the one it was");
  })],

  // Cancellation: every public call takes a signal.

  ["faults: getValidToken({ signal }) rejects with ABORTED at once; the refresh already sent is finished and saved for the others", async (lib, env) => {
    let release;
    const gate = new Promise((r) => (release = r));
    const answerWhenReleased = async (res) => {
      await gate;
      faults.json(GOOD_TOKENS)(res);
    };
    const t = await setup(lib, env, { "/token": answerWhenReleased }, { requestTimeoutMs: 60_000 });
    try {
      const controller = new AbortController();
      const reason = new Error("the user gave up");
      const leaving = rejection(t.client.getValidToken({ signal: controller.signal }));
      const staying = t.client.getValidToken();
      await t.srv.received("/token");
      controller.abort(reason);
      const err = typed(lib, await leaving, "ABORTED", "the aborted caller");
      equal(err.message, "Operation aborted", "message as getAuthCode's");
      equal(err.cause, reason, "cause is the signal's reason");
      release();
      equal(await staying, GOOD_TOKENS.access_token, "the other caller gets the fresh token");
      equal((await t.store.get(t.key)).refreshToken, GOOD_TOKENS.refresh_token, "the rotated refresh token was saved");
      equal(t.srv.requests.length, 1, "one refresh request");
    } finally {
      release();
      await t.srv.close();
    }
  }],

  ["faults: a refresh every caller left before it was sent is never sent", withServer({ "/token": faults.json(GOOD_TOKENS) }, {}, async (t, lib) => {
    const controller = new AbortController();
    let update;
    // The caller gives up just as the refresh asks for the store's lock.
    const storage = {
      ...t.store,
      update: (key, fn) => {
        controller.abort();
        update = t.store.update(key, fn);
        return update;
      },
    };
    const client = new lib.OAuthClient({ ...t.options, storage });
    typed(lib, await rejection(client.getValidToken({ signal: controller.signal })), "ABORTED", "getValidToken");
    ok(update, "the refresh had started");
    // Under the lock it finds nobody waiting, and sends nothing.
    typed(lib, await rejection(update), "ABORTED", "the abandoned refresh");
    equal(t.srv.requests.length, 0, "no request reached the server");
    await unchanged(t, "after the abandoned refresh");
    typed(lib, await rejection(client.refreshTokens({ signal: controller.signal })), "ABORTED", "refreshTokens with an aborted signal");
    equal(t.srv.requests.length, 0, "still no request");
  })],

  ["faults: logout({ signal }) rejects with ABORTED and keeps the tokens", withServer({ "/revoke": faults.hang() }, { requestTimeoutMs: 60_000 }, async (t, lib) => {
    const controller = new AbortController();
    const call = rejection(t.client.logout({ signal: controller.signal }));
    await t.srv.received("/revoke");
    controller.abort();
    typed(lib, await call, "ABORTED", "logout");
    await unchanged(t, "after the aborted logout");
  })],

  ["faults: authenticate({ signal }) stops a hung discovery with ABORTED", withServer({ "/.well-known/oauth-authorization-server": faults.hang() }, { discover: true, requestTimeoutMs: 60_000 }, async (t, lib) => {
    const controller = new AbortController();
    const call = rejection(t.client.authenticate({ signal: controller.signal }));
    await t.srv.received("/.well-known/oauth-authorization-server");
    controller.abort();
    typed(lib, await call, "ABORTED", "authenticate");
    await unchanged(t, "after the aborted sign-in");
  })],

  ["faults: authenticate({ signal }) stops a hung code exchange with ABORTED", withServer({ "/token": faults.hang() }, { requestTimeoutMs: 60_000 }, async (t, lib) => {
    const client = new lib.OAuthClient({ ...t.options, launch: redirectWithCode });
    const controller = new AbortController();
    const call = rejection(client.authenticate({ signal: controller.signal }));
    await t.srv.received("/token");
    controller.abort();
    typed(lib, await call, "ABORTED", "authenticate");
    await unchanged(t, "after the aborted sign-in");
  })],

  ["faults: authenticateWithDeviceCode({ signal }) stops a hung device authorization with ABORTED", withServer({ "/device": faults.hang() }, { requestTimeoutMs: 60_000 }, async (t, lib) => {
    const controller = new AbortController();
    const call = rejection(t.client.authenticateWithDeviceCode({ onUserCode: () => undefined, signal: controller.signal }));
    await t.srv.received("/device");
    controller.abort();
    typed(lib, await call, "ABORTED", "authenticateWithDeviceCode");
  })],

  ["faults: BrowserOAuthClient: a hung discovery gives TIMEOUT", withServer({ "/.well-known/oauth-authorization-server": faults.hang() }, {}, async (t, lib) => {
    const browser = await loadBrowserEntry();
    const spa = new browser.BrowserOAuthClient({ issuer: t.srv.origin, clientId: CLIENT_ID, redirectUri: "http://127.0.0.1/app", storage: memoryStorage(), requestTimeoutMs: BOUND_MS });
    const err = typed(lib, await rejection(spa.startLogin()), "TIMEOUT", "startLogin");
    match(err.message, /^discovery: GET http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-authorization-server got no complete response/, "names the URL");
  })],

  ["faults: BrowserOAuthClient: a hung code exchange gives TIMEOUT, and completeLogin({ signal }) stops it with ABORTED", withServer((origin) => ({ "/.well-known/oauth-authorization-server": faults.json(metadata(origin)), "/token": faults.hang() }), {}, async (t, lib) => {
    const browser = await loadBrowserEntry();
    const spa = new browser.BrowserOAuthClient({ issuer: t.srv.origin, clientId: CLIENT_ID, redirectUri: "http://127.0.0.1/app", storage: memoryStorage(), requestTimeoutMs: BOUND_MS });
    const back = (url) => `http://127.0.0.1/app?code=code-1&state=${new URL(url).searchParams.get("state")}`;
    const err = typed(lib, await rejection(spa.completeLogin(back(await spa.startLogin()))), "TIMEOUT", "completeLogin");
    match(err.message, /^token: POST http:\/\/127\.0\.0\.1:\d+\/token got no complete response/, "names the request");
    const patient = new browser.BrowserOAuthClient({ issuer: t.srv.origin, clientId: CLIENT_ID, redirectUri: "http://127.0.0.1/app", storage: memoryStorage(), requestTimeoutMs: 60_000 });
    const controller = new AbortController();
    const call = rejection(patient.completeLogin(back(await patient.startLogin()), { signal: controller.signal }));
    await t.srv.received("/token", 2);
    controller.abort();
    typed(lib, await call, "ABORTED", "completeLogin");
  })],

  ["faults: requestTimeoutMs is checked", async (lib) => {
    for (const bad of [0, -1, Number.NaN, "100", 2 ** 31]) {
      let thrown;
      try {
        new lib.OAuthClient({ issuer: "https://as.example", requestTimeoutMs: bad });
      } catch (e) {
        thrown = e;
      }
      equal(thrown?.code, "INVALID_PARAMETER", `requestTimeoutMs ${String(bad)}`);
    }
  }],
];
