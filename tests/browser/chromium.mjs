// Launches Debian's Chromium headless through playwright-core, with the flags this
// machine's closed network needs and a fresh profile each time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium() {
  const profile = mkdtempSync(join(tmpdir(), "oauth-callback-rs-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Plays the user on oidc-provider's pages in `page`: fills login and consent forms (or
 * cancels), until the browser leaves the provider's interaction and device pages.
 */
export async function completeProviderForms(page, { approve = true } = {}) {
  for (let step = 0; step < 6; step++) {
    const here = new URL(page.url());
    if (!here.pathname.startsWith("/interaction/") && !here.pathname.startsWith("/device")) return;
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
}
