// getAuthCode with a real browser: headless Chromium follows a real 302 from an
// authorization endpoint to the loopback server, then the 303 to the clean page.
// The endpoint here only redirects (the full authorization server, oidc-provider, comes
// with the OAuth client); screenshots of both pages go to test-output/ for a human look.
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import * as lib from "oauth-callback-rs";
import { equal, ok } from "../facade/assert.mjs";
import { launchChromium } from "./chromium.mjs";

const OUT = new URL("../../test-output/", import.meta.url);
let browser;
let endpoint;
let redirectUri;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
  // Redirects to the current flow's redirect URI, as an authorization server does (RFC 6749 §4.1.2).
  endpoint = createServer((req, res) => {
    const q = new URL(req.url, "http://x").searchParams;
    const back = new URL(redirectUri);
    if (q.has("deny")) {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "The user declined <b>access</b> to the \"demo\" app.");
    } else {
      back.searchParams.set("code", "chromium-code");
    }
    back.searchParams.set("state", q.get("state") ?? "");
    if (req.url.startsWith("/attack")) {
      // A web page in the user's browser that tries to complete the login itself.
      const target = `${redirectUri}?code=evil&state=st4te`;
      res.writeHead(200, { "content-type": "text/html" }).end(
        `<!doctype html><script>fetch(${JSON.stringify(target)}, { mode: "no-cors" }).finally(() => { const i = new Image(); i.onload = i.onerror = () => (document.title = "done"); i.src = ${JSON.stringify(target)}; });</script>`,
      );
      return;
    }
    res.writeHead(302, { location: back.href }).end();
  });
  await new Promise((r) => endpoint.listen(0, "127.0.0.1", r));
});

after(async () => {
  await browser?.close();
  await new Promise((r) => endpoint?.close(r));
});

async function flow(query, file, { dark = false } = {}) {
  const page = await browser.context.newPage();
  let navigation;
  if (dark) await page.emulateMedia({ colorScheme: "dark" });
  const result = lib.getAuthCode({
    port: 0,
    hostname: "127.0.0.1",
    expectedState: "st4te",
    timeout: 20_000,
    authorizationUrl: `http://127.0.0.1:${endpoint.address().port}/authorize?state=st4te${query}`,
    onListening: (i) => (redirectUri = i.redirectUri),
    launch: (url) => (navigation = page.goto(url)),
  });
  let outcome;
  try {
    outcome = { value: await result };
  } catch (error) {
    outcome = { error };
  }
  // The promise settles once the result page is sent; wait for the browser to show it.
  await navigation;
  await page.waitForLoadState("load");
  const url = page.url();
  const text = await page.textContent("body");
  await page.screenshot({ path: new URL(file, OUT).pathname, fullPage: true });
  await page.close();
  return { ...outcome, url, text };
}

test("chromium: a real redirect completes the flow and the code leaves the address bar", async () => {
  const r = await flow("", "success.png");
  equal(r.value?.code, "chromium-code", "code");
  equal(r.value?.state, "st4te", "state");
  equal(r.url, redirectUri, "the browser ends on the clean URL");
  ok(!r.url.includes("code="), "no code in the address bar");
  ok(r.text.includes("You are signed in"), "success page shown");
});

test("chromium: an error redirect shows the escaped error page and rejects", async () => {
  const r = await flow("&deny=1", "error.png", { dark: true });
  ok(r.error instanceof lib.OAuthError, `OAuthError, got ${r.error}`);
  equal(r.error.error, "access_denied", "error");
  ok(r.text.includes('The user declined <b>access</b> to the "demo" app.'), "description shown as text, not markup");
  ok(!r.url.includes("error="), "no error parameters in the address bar");
});

test("chromium: a web page's fetch() and <img> to the callback are refused; the real navigation completes", async () => {
  const page = await browser.context.newPage();
  const seen = [];
  const result = lib.getAuthCode({
    port: 0,
    hostname: "127.0.0.1",
    timeout: 20_000,
    onListening: (i) => (redirectUri = i.redirectUri),
    onRequest: (req) => seen.push({ mode: req.headers.get("sec-fetch-mode"), dest: req.headers.get("sec-fetch-dest"), code: new URL(req.url).searchParams.get("code") }),
  });
  await page.goto(`http://127.0.0.1:${endpoint.address().port}/attack`);
  await page.waitForFunction(() => document.title === "done", null, { timeout: 20_000 });
  const attacks = seen.filter((r) => r.code === "evil");
  ok(attacks.some((r) => r.mode === "no-cors" || r.mode === "cors"), `the page's fetch() reached the server: ${JSON.stringify(seen)}`);
  ok(attacks.some((r) => r.dest === "image"), `the <img> reached the server: ${JSON.stringify(seen)}`);
  await page.goto(`http://127.0.0.1:${endpoint.address().port}/authorize?state=st4te`);
  const r = await result;
  equal(r.code, "chromium-code", "the real navigation completed the flow, not the page's requests");
  await page.close();
});
