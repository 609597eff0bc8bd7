// The browser entry's two wasm modules loaded in Node from bytes and from a local HTTP
// server: failures are typed NOT_INITIALIZED errors that leave the entry able to try
// again, and concurrent init() calls share one load. Each case imports its own copy of
// the entry (a query string makes a new module instance), so nothing is loaded before.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { test } from "node:test";
import { equal, ok, rejection } from "./assert.mjs";
import { browserWasmBytes } from "./wasm-bytes.mjs";

const ENTRY = new URL("../../npm/dist/index.browser.js", import.meta.url).href;
const AUTHORIZE = readFileSync(browserWasmBytes);
const CLIENT = readFileSync(new URL("../../npm/wasm-browser/oauth_callback_wasm_bg.wasm", import.meta.url));
// What BrowserOAuthClient loads (init()'s `clientSource`): the login module.
const LOGIN = readFileSync(new URL("../../npm/wasm-login/oauth_callback_login.wasm", import.meta.url));
let copies = 0;
const freshEntry = () => import(`${ENTRY}?copy=${++copies}`);

async function serve(routes) {
  const server = createServer((req, res) => {
    const route = routes[req.url];
    if (typeof route === "function") {
      route(req, res);
      return;
    }
    if (!route) {
      res.writeHead(404).end("not here");
      return;
    }
    res.writeHead(200, { "content-type": route.type }).end(route.body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    }) };
}

test("browser init(): a 404, junk bytes and another module are NOT_INITIALIZED, and a later init() succeeds", async () => {
  const lib = await freshEntry();
  const site = await serve({ "/junk.wasm": { type: "application/wasm", body: "not wasm" } });
  try {
    const missing = await rejection(lib.init(`${site.origin}/missing.wasm`));
    ok(missing instanceof lib.OAuthCallbackError, `typed (${missing})`);
    equal(missing.code, "NOT_INITIALIZED", "404");
    ok(/HTTP 404/.test(missing.message), `says why: ${missing.message}`);
    const junk = await rejection(lib.init(`${site.origin}/junk.wasm`));
    equal(junk.code, "NOT_INITIALIZED", "junk bytes");
    const other = await rejection(lib.init(CLIENT));
    equal(other.code, "NOT_INITIALIZED", "the client module given as the authorize one");
    ok(/authorize wasm module|authorize module/.test(other.message), other.message);
    const empty = await rejection(lib.init(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
    equal(empty.code, "NOT_INITIALIZED", "a valid module without the authorize exports");
    ok(/not oauth-callback-rs's authorize module/.test(empty.message), empty.message);
    let before;
    try {
      lib.generateState();
    } catch (err) {
      before = err;
    }
    equal(before?.code, "NOT_INITIALIZED", "still not initialized after the failures");
    await lib.init(AUTHORIZE);
    equal(lib.challengeFromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "works after a failed try");
  } finally {
    await site.close();
  }
});

test("browser init(): fetched over HTTP, with and without the wasm content type; concurrent calls share one load", async () => {
  const site = await serve({ "/a.wasm": { type: "application/wasm", body: AUTHORIZE }, "/b.bin": { type: "application/octet-stream", body: AUTHORIZE } });
  try {
    const lib = await freshEntry();
    const first = lib.init(`${site.origin}/a.wasm`);
    equal(lib.init(`${site.origin}/other.wasm`), first, "a second call while loading returns the same promise");
    await first;
    equal(lib.generatePkce().verifier.length, 43, "streaming compile");
    const other = await freshEntry();
    await other.init(new URL(`${site.origin}/b.bin`));
    equal(other.generateState().length, 43, "compiled from the bytes when the type is not application/wasm");
  } finally {
    await site.close();
  }
});

// Before the next test: the glue of the client module is one per process, and once a
// copy of the entry has loaded it, later copies reuse it without downloading.
test("BrowserOAuthClient: a client module that never arrives is TIMEOUT after requestTimeoutMs, and the download is cancelled", { timeout: 60_000 }, async () => {
  const half = stalled(true);
  const site = await serve({ "/client.wasm": half.route });
  try {
    const lib = await freshEntry();
    await lib.init(AUTHORIZE, `${site.origin}/client.wasm`);
    const client = new lib.BrowserOAuthClient({ issuer: `${site.origin}/issuer`, clientId: "app", redirectUri: "http://127.0.0.1/cb", store: new Map(), requestTimeoutMs: 100 });
    const err = await rejection(client.discover());
    equal(err.code, "TIMEOUT", `the client module load is bounded (${err.message})`);
    ok(/login wasm module.*100 ms/.test(err.message), err.message);
    await cancelled(half.closes[0], "half");
    await lib.init(AUTHORIZE, LOGIN);
    const again = await rejection(client.discover());
    equal(again.code, "DISCOVERY_FAILED", `the next call loads the module (${again.code}: ${again.message})`);
  } finally {
    await site.close();
  }
});

test("BrowserOAuthClient: a client module that cannot load is a typed error from its first call; the next call loads it", async () => {
  const lib = await freshEntry();
  const site = await serve({});
  try {
    await lib.init(AUTHORIZE, `${site.origin}/missing.wasm`);
    const client = new lib.BrowserOAuthClient({ issuer: `${site.origin}/issuer`, clientId: "app", redirectUri: "http://127.0.0.1/cb", store: new Map() });
    const err = await rejection(client.discover());
    ok(err instanceof lib.OAuthCallbackError, `typed (${err})`);
    equal(err.code, "NOT_INITIALIZED", "the client module did not load");
    ok(/login wasm module/.test(err.message), err.message);
    await lib.init(AUTHORIZE, LOGIN);
    const again = await rejection(client.discover());
    equal(again.code, "DISCOVERY_FAILED", `now the module is there and discovery itself runs (${again.code}: ${again.message})`);
  } finally {
    await site.close();
  }
});

test("BrowserOAuthClient: the authorize module or the old wasm-bindgen client module given as the login module is NOT_INITIALIZED naming the file; the right one then loads", async () => {
  const lib = await freshEntry();
  const site = await serve({ "/authorize.wasm": { type: "application/wasm", body: AUTHORIZE }, "/old-client.wasm": { type: "application/wasm", body: CLIENT } });
  try {
    const client = new lib.BrowserOAuthClient({ issuer: `${site.origin}/issuer`, clientId: "app", redirectUri: "http://127.0.0.1/cb", store: new Map() });
    // The authorize module has the same calling convention; without the check it would
    // load and fail at discovery with an unknown operation.
    for (const [wrong, what] of [[`${site.origin}/authorize.wasm`, "the authorize module"], [`${site.origin}/old-client.wasm`, "the wasm-bindgen client module of 0.1 (wasm-browser/)"]]) {
      await lib.init(AUTHORIZE, wrong);
      const err = await rejection(client.discover());
      ok(err instanceof lib.OAuthCallbackError, `${what}: typed (${err})`);
      equal(err.code, "NOT_INITIALIZED", what);
      ok(/login (wasm )?module/.test(err.message) && err.message.includes("wasm-login/oauth_callback_login.wasm"), `${what}: names the file: ${err.message}`);
    }
    await lib.init(AUTHORIZE, LOGIN);
    const again = await rejection(client.discover());
    equal(again.code, "DISCOVERY_FAILED", `the login module loads and discovery itself runs (${again.code}: ${again.message})`);
  } finally {
    await site.close();
  }
});

test("BrowserOAuthClient's module alone runs the protocol functions but the loopback three, which ask for init(); after init() they run", async () => {
  const lib = await freshEntry();
  const site = await serve({ "/login.wasm": { type: "application/wasm", body: LOGIN } });
  try {
    await lib.init(undefined, `${site.origin}/login.wasm`).catch(() => {});
    const client = new lib.BrowserOAuthClient({ issuer: `${site.origin}/issuer`, clientId: "app", redirectUri: "http://127.0.0.1/cb", store: new Map() });
    equal((await rejection(client.discover())).code, "DISCOVERY_FAILED", "the login module loaded");
    // Without init(): the login module serves these...
    equal(lib.generatePkce().challenge.length, 43, "generatePkce");
    equal(lib.generateState().length, 43, "generateState");
    ok(lib.buildAuthorizationUrl({ authorizationEndpoint: "https://as.example/a", clientId: "app", state: "s", codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" }).startsWith("https://as.example/a?"), "buildAuthorizationUrl");
    // ...and not these, which say what to do.
    const calls = {
      challengeFromVerifier: () => lib.challengeFromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
      renderTemplate: () => lib.renderTemplate("<p>{{x}}</p>", { x: "<b>" }),
      getRedirectUrl: () => lib.getRedirectUrl({ port: 8080 }),
    };
    for (const [name, fn] of Object.entries(calls)) {
      let err;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      ok(err instanceof lib.OAuthCallbackError, `${name}: typed (${err})`);
      equal(err.code, "NOT_INITIALIZED", name);
      ok(err.message.includes("init()") && err.message.includes(name), `${name}: ${err.message}`);
    }
    await lib.init(AUTHORIZE);
    equal(calls.challengeFromVerifier(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "challengeFromVerifier after init()");
    equal(calls.renderTemplate(), "<p>&#60;b&#62;</p>", "renderTemplate after init()");
    equal(calls.getRedirectUrl(), "http://localhost:8080/callback", "getRedirectUrl after init()");
  } finally {
    await site.close();
  }
});

// A hang guard, not a timing check: a download that is never cancelled fails the test
// instead of holding the suite.
function cancelled(close, what) {
  let timer;
  const guard = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: the connection is still open after 10 s`)), 10_000)));
  return Promise.race([close, guard]).finally(() => clearTimeout(timer));
}

// A route that never completes: `half` sends the headers and part of the module, then
// stalls; otherwise nothing at all is sent. Each request is counted, and `closed`
// settles when the client has dropped the connection (the download was cancelled);
// `arrived` when the first request came in.
function stalled(half) {
  let arrive;
  const seen = { requests: 0, closes: [], arrived: new Promise((resolve) => (arrive = resolve)) };
  seen.route = (req, res) => {
    seen.requests++;
    arrive();
    seen.closes.push(new Promise((resolve) => res.on("close", resolve)));
    if (half) {
      res.writeHead(200, { "content-type": "application/wasm", "content-length": String(AUTHORIZE.length) });
      res.write(AUTHORIZE.subarray(0, 1024));
    }
  };
  return seen;
}

/** A site with a route that sends nothing (`/silent.wasm`) and one that stalls mid-body (`/half.wasm`). */
async function stalledSite() {
  const silent = stalled(false);
  const half = stalled(true);
  const site = await serve({ "/silent.wasm": silent.route, "/half.wasm": half.route });
  return { silent, half, site };
}

test("browser init(): a server that never answers, or stalls mid-body, is TIMEOUT within timeoutMs; the download is cancelled; a later init() succeeds", { timeout: 60_000 }, async () => {
  const { silent, half, site } = await stalledSite();
  try {
    const lib = await freshEntry();
    const none = await rejection(lib.init(`${site.origin}/silent.wasm`, undefined, { timeoutMs: 100 }));
    ok(none instanceof lib.OAuthCallbackError, `typed (${none})`);
    equal(none.code, "TIMEOUT", "no response");
    ok(/authorize wasm module.*100 ms/.test(none.message), none.message);
    await cancelled(silent.closes[0], "silent");
    const body = await rejection(lib.init(`${site.origin}/half.wasm`, undefined, { timeoutMs: 100 }));
    equal(body.code, "TIMEOUT", `headers then a stalled body (${body.message})`);
    await cancelled(half.closes[0], "half");
    await lib.init(AUTHORIZE);
    equal(lib.generateState().length, 43, "a later init() loads");
  } finally {
    await site.close();
  }
});

test("browser init(): the signal cancels the download (fired before the call, in the same tick, or mid-body); bad options are INVALID_PARAMETER", { timeout: 60_000 }, async () => {
  const { silent, half, site } = await stalledSite();
  try {
    const lib = await freshEntry();
    const before = await rejection(lib.init(`${site.origin}/silent.wasm`, undefined, { signal: AbortSignal.abort(new Error("gone")) }));
    equal(before.code, "ABORTED", "already aborted");
    equal(before.cause?.message, "gone", "the signal's reason is the cause");
    const sameTick = new AbortController();
    const pending = lib.init(`${site.origin}/silent.wasm`, undefined, { signal: sameTick.signal });
    sameTick.abort();
    equal((await rejection(pending)).code, "ABORTED", "aborted in the same tick as the call");
    const midBody = new AbortController();
    const loading = lib.init(`${site.origin}/half.wasm`, undefined, { signal: midBody.signal, timeoutMs: 600_000 });
    await half.arrived;
    midBody.abort();
    equal((await rejection(loading)).code, "ABORTED", "aborted while the body arrives");
    await cancelled(half.closes[0], "half");
    equal(silent.requests <= 1, true, `the pre-aborted call sent no request (${silent.requests})`);
    await cancelled(Promise.all(silent.closes), "silent");
    for (const bad of [null, 5, { timeoutMs: 0 }, { timeoutMs: "1000" }, { timeoutMs: 2 ** 31 }, { signal: "abort" }]) {
      const err = await rejection(lib.init(AUTHORIZE, undefined, bad));
      equal(err.code, "INVALID_PARAMETER", `options ${JSON.stringify(bad)}`);
    }
    await lib.init(AUTHORIZE, undefined, { timeoutMs: 60_000, signal: new AbortController().signal });
    equal(lib.generateNonce().length, 43, "loads after the aborted tries");
  } finally {
    await site.close();
  }
});
