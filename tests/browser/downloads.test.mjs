// The browser entry's module downloads in headless Chromium, with the browser's own fetch
// and streaming compile: a module that stalls mid-body or never answers is TIMEOUT within
// `timeoutMs` (init()) or the client's `requestTimeoutMs` (BrowserOAuthClient), the
// caller's signal ends a download with ABORTED (fired before the call, in the same tick,
// or while it is under way), the browser drops the connection each time, and a later call
// loads the module. tests/facade/browser-init.test.mjs checks the same in Node.
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { equal, ok } from "../facade/assert.mjs";
import { launchChromium } from "./chromium.mjs";
import { serveStatic } from "./static-server.mjs";

const MODULE = readFileSync(new URL("../../npm/wasm-authorize/oauth_callback_authorize.wasm", import.meta.url));
const LOGIN_URL = "/npm/wasm-login/oauth_callback_login.wasm";

/**
 * A route that never completes: `half` sends the headers and 1 KiB of the module, then
 * stalls; otherwise nothing is sent. `requests` counts the requests; `closes` holds, per
 * request, a promise that settles when the browser dropped the connection.
 */
function stalled(half) {
  const seen = { requests: 0, closes: [] };
  seen.route = (req, res) => {
    seen.requests++;
    seen.closes.push(new Promise((resolve) => res.on("close", resolve)));
    if (half) {
      res.writeHead(200, { "content-type": "application/wasm", "content-length": String(MODULE.length) });
      res.write(MODULE.subarray(0, 1024));
    }
  };
  return seen;
}

// A hang guard, not a timing check: a download the browser never cancels fails the test
// instead of holding the suite.
function dropped(seen, what) {
  let timer;
  const guard = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: the connection is still open after 10 s`)), 10_000)));
  return Promise.race([Promise.all(seen.closes), guard]).finally(() => clearTimeout(timer));
}

const silent = stalled(false);
const half = stalled(true);
let server;
let browser;
let page;
const pageErrors = [];

before(async () => {
  server = await serveStatic({
    "/stall/silent.wasm": silent.route,
    "/stall/half.wasm": half.route,
    "/downloads.html": (req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end("<!doctype html><title>downloads</title>"),
  });
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`${server.origin}/downloads.html`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Runs `body` (its source, as an async function of `lib` and `arg`) in the page on a fresh
 * copy of the browser entry; resolves to what it returned, or to the error's code and
 * message when it threw.
 */
function inPage(body, arg) {
  return page.evaluate(
    async ([source, arg]) => {
      window.__copies = (window.__copies ?? 0) + 1;
      const lib = await import(`/npm/dist/index.browser.js?copy=${window.__copies}`);
      // eslint-disable-next-line no-new-func
      const fn = new Function(`return (${source})`)();
      try {
        return { value: await fn(lib, arg) };
      } catch (err) {
        return { typed: err instanceof lib.OAuthCallbackError, code: err?.code, message: String(err?.message ?? err) };
      }
    },
    [body.toString(), arg],
  );
}

test("chromium: init() of a module that stalls mid-body is TIMEOUT within timeoutMs; the browser drops the download", async () => {
  const before = half.requests;
  const r = await inPage(async (lib) => lib.init("/stall/half.wasm", undefined, { timeoutMs: 300 }));
  ok(r.typed, `typed (${JSON.stringify(r)})`);
  equal(r.code, "TIMEOUT", r.message);
  ok(/300 ms/.test(r.message), r.message);
  equal(half.requests, before + 1, "one request");
  await dropped(half, "the stalled download");
});

test("chromium: init()'s signal ends a download under way with ABORTED; the browser drops it", async () => {
  const before = silent.requests;
  const r = await inPage(async (lib) => {
    const controller = new AbortController();
    const load = lib.init("/stall/silent.wasm", undefined, { signal: controller.signal });
    // Abort once the request is out: a round trip to the page's own origin first.
    await fetch("/downloads.html").then((res) => res.text());
    controller.abort();
    return load;
  });
  ok(r.typed, `typed (${JSON.stringify(r)})`);
  equal(r.code, "ABORTED", r.message);
  equal(silent.requests, before + 1, "the request went out");
  await dropped(silent, "the aborted download");
});

test("chromium: a signal aborted before the call or in the same tick is ABORTED; before the call nothing is fetched", async () => {
  const before = silent.requests;
  const early = await inPage(async (lib) => lib.init("/stall/silent.wasm", undefined, { signal: AbortSignal.abort() }));
  equal(early.code, "ABORTED", early.message);
  equal(silent.requests, before, "no request for a signal aborted before the call");
  const sameTick = await inPage(async (lib) => {
    const controller = new AbortController();
    const load = lib.init("/stall/silent.wasm", undefined, { signal: controller.signal });
    controller.abort();
    return load;
  });
  ok(sameTick.typed, `typed (${JSON.stringify(sameTick)})`);
  equal(sameTick.code, "ABORTED", sameTick.message);
  await dropped(silent, "a download aborted in the same tick");
});

test("chromium: after failed loads, init() from the package's own files works", async () => {
  const r = await inPage(async (lib) => {
    await lib.init("/stall/half.wasm", undefined, { timeoutMs: 200 }).catch(() => {});
    await lib.init();
    const { verifier, challenge } = lib.generatePkce();
    return verifier.length >= 43 && challenge.length === 43;
  });
  equal(r.value, true, JSON.stringify(r));
  await dropped(half, "the stalled download before");
});

test("chromium: BrowserOAuthClient's login module that stalls is TIMEOUT after requestTimeoutMs; the next call loads it", async () => {
  const before = half.requests;
  const r = await inPage(
    async (lib, loginUrl) => {
      await lib.init(undefined, "/stall/half.wasm");
      const client = new lib.BrowserOAuthClient({ issuer: `${location.origin}/issuer`, clientId: "app", redirectUri: `${location.origin}/cb`, store: new Map(), requestTimeoutMs: 300 });
      const first = await client.discover().then(
        () => ({ code: "none" }),
        (err) => ({ code: err.code, message: err.message }),
      );
      await lib.init(undefined, loginUrl);
      const second = await client.discover().then(
        () => ({ code: "none" }),
        (err) => ({ code: err.code, message: err.message }),
      );
      return { first, second };
    },
    LOGIN_URL,
  );
  ok(r.value, JSON.stringify(r));
  equal(r.value.first.code, "TIMEOUT", r.value.first.message);
  ok(/login wasm module/.test(r.value.first.message), r.value.first.message);
  ok(half.requests > before, "the login module was requested from the stalled route");
  await dropped(half, "the stalled login module");
  // The login module loaded; discovery itself then ran against an issuer with no metadata.
  equal(r.value.second.code, "DISCOVERY_FAILED", r.value.second.message);
});

test("chromium: the downloads page ran without uncaught errors", () => {
  equal(pageErrors.join("\n"), "", "page errors");
});
