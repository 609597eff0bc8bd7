// OAuthClient in Node, with headless Chromium as the user.
import { after, before, test } from "node:test";
import * as lib from "oauth-callback-rs";
import { completeProviderForms, launchChromium } from "../browser/chromium.mjs";
import { startProvider } from "../../examples/local-server/provider.mjs";
import { clientCases } from "./cases.mjs";
import { oidcCases } from "./oidc-cases.mjs";
import { optionCases } from "./options-cases.mjs";

let browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

/** A person in Chromium signing in at `url`. */
async function signIn(url, options) {
  const page = await browser.context.newPage();
  try {
    await page.goto(url);
    await completeProviderForms(page, options);
  } finally {
    await page.close();
  }
}

const env = { startProvider, signIn };
for (const [name, fn] of [...clientCases, ...optionCases, ...oidcCases]) test(name, () => fn(lib, env));
