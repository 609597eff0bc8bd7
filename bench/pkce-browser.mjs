// PKCE throughput in headless Chromium through the browser entry (`await init()`, then
// generatePkce() and challengeFromVerifier()), against hand-rolled WebCrypto, oauth4webapi
// and pkce-challenge, all in one page (bench/pages/pkce-throughput.js, loop in bench/pkce-loop.mjs).
//
//   node bench/pkce-browser.mjs [rounds] [--json] [--quick]   (default 12 rounds of 100 ms)
//
// Same figures and method as bench/pkce.mjs; Debian's chromium through playwright-core
// (tests/browser/chromium.mjs). A benchmark, not a test: nothing about time is asserted.
import { launchChromium } from "../tests/browser/chromium.mjs";
import { buildPage, loadPage, serve, siteRoot } from "./pages.mjs";
import { argv, emitJson, out, pairedRatio, perSec, rateSpread, ratio, spread, summary } from "./stats.mjs";

const { positional, json, quick } = argv();
const rounds = Number(positional[0] ?? (quick ? 3 : 12));
const windowMs = quick ? 50 : 100;
const print = out(json);

const root = siteRoot();
await buildPage(root.dir, "pkce-throughput");
const server = await serve(root.dir);
const browser = await launchChromium();
let res;
let version;
try {
  const { page } = await loadPage(browser.context, server, "pkce-throughput");
  version = browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1]));
  const started = performance.now();
  res = await page.evaluate((opts) => globalThis.runPkce(opts), { rounds, windowMs });
  console.error(`  pkce (Chromium): ${rounds}/${rounds} rounds, ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await browser.close();
  await server.close();
  root.remove();
}

print(`PKCE throughput in headless Chromium ${version ?? ""}, ${rounds} rounds of ${windowMs} ms windows per subject and figure, rotated order; median [p10-p90]`);
const names = Object.keys(Object.values(res)[0]);
const W = 24;
print(`${"figure".padEnd(22)} ${names.map((n) => n.padStart(W)).join(" ")}`);
for (const [figure, by] of Object.entries(res)) print(`${figure.padEnd(22)} ${names.map((n) => spread(summary(by[n])).padStart(W)).join(" ")}`);
print("");
print("ours / peer, paired (same round; > 1 is faster)");
print(`${"figure".padEnd(22)} ${names.slice(1).map((n) => n.padStart(W)).join(" ")}`);
for (const [figure, by] of Object.entries(res)) print(`${figure.padEnd(22)} ${names.slice(1).map((n) => ratio(pairedRatio(by[names[0]], by[n])).padStart(W)).join(" ")}`);

if (json) {
  const rows = Object.entries(res).map(([figure, by]) => {
    const vs = pairedRatio(by["oauth-callback-rs"], by.oauth4webapi);
    const s = summary(by["oauth-callback-rs"]);
    const barred = figure === "pairs, sequential";
    return {
      figure: `PKCE ${figure} (Chromium, browser entry)`,
      ours: rateSpread(s),
      peers: names.slice(1).map((n) => `${n} ${perSec(summary(by[n]).median)} (ours x${ratio(pairedRatio(by["oauth-callback-rs"], by[n])).replace(/ \[.*/, "")})`),
      ratio: `${ratio(vs)} of oauth4webapi`,
      bar: barred ? "≥ 2x oauth4webapi" : "(no bar)",
      met: barred ? vs.median >= 2 : null,
    };
  });
  emitJson({ name: "pkce-browser", env: `chromium ${version ?? ""}`, rounds, windowMs, res, rows });
}
