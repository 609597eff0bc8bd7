// The facade suite in headless Chromium: the page imports the package's browser entry
// through an import map, awaits init(), and runs the same cases as Node, Bun and Deno.
import { after, before, test } from "node:test";
import { cases } from "../facade/cases.mjs";
import { equal, ok } from "../facade/assert.mjs";
import { launchChromium } from "./chromium.mjs";
import { serveStatic } from "./static-server.mjs";

let server;
let browser;
let results;
const pageErrors = [];

before(async () => {
  server = await serveStatic();
  browser = await launchChromium();
  const page = await browser.context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(`${server.origin}/tests/browser/page.html`);
  await page.waitForFunction(() => Array.isArray(window.__results), null, { timeout: 30_000 });
  results = await page.evaluate(() => window.__results);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test("browser: the page ran without uncaught errors", () => {
  equal(pageErrors.join("\n"), "", "page errors");
});

test("browser: every shared case ran", () => {
  equal(results.length, cases.length + 1, "result count");
});

for (const name of ["browser: functions refuse to run before init()", ...cases.map(([n]) => n)]) {
  test(`chromium: ${name}`, () => {
    const r = results.find((x) => x.name === name);
    ok(r, `result for ${name}`);
    ok(r.ok, `${name}: ${r.error}`);
  });
}
