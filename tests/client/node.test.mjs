// OAuthClient in Node, with headless Chromium as the user.
import { after, before, test } from "node:test";
import * as lib from "oauth-callback-rs";
import { launchChromium } from "../browser/chromium.mjs";
import { startProvider } from "../oauth-server/provider.mjs";
import { clientCases } from "./cases.mjs";

let browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

/** A person in Chromium: fills oidc-provider's login and consent forms, or cancels. */
async function signIn(url, { approve = true } = {}) {
  const page = await browser.context.newPage();
  try {
    await page.goto(url);
    for (let step = 0; step < 6; step++) {
      const here = new URL(page.url());
      if (!here.pathname.startsWith("/interaction/") && !here.pathname.startsWith("/device")) break;
      if (!approve && (await page.locator('a[href*="abort"]').count())) {
        await Promise.all([page.waitForNavigation(), page.click('a[href*="abort"]')]);
        continue;
      }
      if (await page.locator('input[name="login"]').count()) {
        await page.fill('input[name="login"]', "alice");
        await page.fill('input[name="password"]', "any-password");
      }
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
    }
  } finally {
    await page.close();
  }
}

const env = { startProvider, signIn };
for (const [name, fn] of clientCases) test(name, () => fn(lib, env));
