// The SPA example in headless Chromium against oidc-provider: the page redirects to the
// server, the user signs in, the page completes the login (state, iss, PKCE in the wasm
// core; the token exchange with the page's fetch) and calls the userinfo endpoint.
import { after, before, test } from "node:test";
import { equal, ok } from "../facade/assert.mjs";
import { SPA_CLIENT, startProvider } from "../../examples/local-server/provider.mjs";
import { completeProviderForms, launchChromium } from "./chromium.mjs";
import { serveStatic } from "./static-server.mjs";

let provider;
let server;
let browser;

before(async () => {
  provider = await startProvider();
  server = await serveStatic();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await provider?.close();
});

test("spa: redirect login in a page, code removed from the address bar", async () => {
  const page = await browser.context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  // The real callback URL, as the authorization server sent the browser back with it.
  let callbackUrl;
  page.on("request", (r) => {
    if (r.isNavigationRequest() && r.url().startsWith(server.origin) && r.url().includes("code=")) callbackUrl = r.url();
  });
  await page.goto(`${server.origin}/examples/spa/index.html?issuer=${encodeURIComponent(provider.issuer)}&client_id=${SPA_CLIENT}`);
  await page.waitForFunction(() => document.querySelector("#signin") !== null);
  await Promise.all([page.waitForNavigation(), page.click("#signin")]);
  await completeProviderForms(page);
  await page.waitForFunction(() => document.getElementById("status")?.dataset.state, null, { timeout: 20_000 });
  const text = await page.textContent("#status");
  equal(text, "Signed in as alice.", "signed in");
  const url = new URL(page.url());
  equal(url.search, "", "no code or state left in the address bar");
  equal(await page.evaluate(() => sessionStorage.getItem(Object.keys(sessionStorage).find((k) => k.startsWith("oauth-callback-rs:pending:")) ?? "")), null, "the pending attempt is gone");
  equal(pageErrors.join("\n"), "", "no page errors");
  equal(provider.counts.authorization_code, 1, "one code exchange");

  // Replaying the real callback URL (its code, state and iss) with the app's own client:
  // the attempt was consumed, so it is refused before any request is made.
  ok(typeof callbackUrl === "string" && new URL(callbackUrl).searchParams.has("state"), `the real callback was seen: ${callbackUrl}`);
  const replay = await page.evaluate(async ({ href, issuer, clientId }) => {
    const { BrowserOAuthClient } = await import("oauth-callback-rs");
    const c = new BrowserOAuthClient({ issuer, clientId, redirectUri: location.origin + location.pathname });
    try {
      await c.completeLogin(href);
      return "accepted";
    } catch (e) {
      return e.code;
    }
  }, { href: callbackUrl, issuer: provider.issuer, clientId: SPA_CLIENT });
  equal(replay, "RESPONSE_MISMATCH", "the consumed callback is refused");
  equal(provider.counts.authorization_code, 1, "no second code exchange");
  await page.close();
});
