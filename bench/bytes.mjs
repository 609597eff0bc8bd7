// Browser bytes: what a page that uses the package downloads, against the same page built
// with oauth4webapi and hand-rolled on WebCrypto.
//
//   node bench/bytes.mjs [--json]      (after a build; needs Debian's chromium)
//
// Pages (bench/pages/): "PKCE + state + authorization URL" (ours-pkce, o4w-pkce,
// webcrypto-pkce) and "the whole SPA login" (ours-spa: BrowserOAuthClient; o4w-spa: the
// same steps with oauth4webapi). Each is bundled with esbuild --bundle --minify
// --platform=browser --format=esm (bench/pages.mjs), served, and loaded in headless
// Chromium; every file the page fetches (the bundle and, for ours, the .wasm) is counted,
// minified as built, gzip -9 (the gzip program) and brotli (quality 11, zlib), each file
// compressed on its own as a server would send it; the HTML page itself, the same for
// every page, is not counted. Sizes in KB = 1000 bytes.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";
import { buildPage, loadPage, serve, siteRoot } from "./pages.mjs";
import { KB, argv, emitJson, out } from "./stats.mjs";

const { json } = argv();
const print = out(json);
const PAGES = [
  ["ours-pkce", "PKCE + state + URL", "oauth-callback-rs"],
  ["o4w-pkce", "PKCE + state + URL", "oauth4webapi"],
  ["webcrypto-pkce", "PKCE + state + URL", "WebCrypto (hand-rolled)"],
  ["ours-spa", "whole SPA login", "oauth-callback-rs"],
  ["o4w-spa", "whole SPA login", "oauth4webapi"],
];

function gzip9(buf) {
  const r = spawnSync("gzip", ["-9", "-n", "-c"], { input: buf, maxBuffer: 64 << 20 });
  if (r.status === 0) return r.stdout.length;
  return gzipSync(buf, { level: 9 }).length; // no gzip program: zlib at level 9
}
const brotli = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length;

const root = siteRoot();
const server = await serve(root.dir);
let browser = null;
try {
  const { launchChromium } = await import("../tests/browser/chromium.mjs");
  browser = await launchChromium();
} catch (err) {
  console.error(`  bytes: no Chromium (${String(err.message ?? err).split("\n")[0]}); counting the bundle and the .wasm it names instead`);
}

const results = {};
try {
  for (const [name] of PAGES) {
    const site = await buildPage(root.dir, name);
    let files;
    if (browser) {
      const { page, fetched } = await loadPage(browser.context, server, name);
      await page.close();
      files = fetched.filter((p) => !p.endsWith(".html") && p !== `${name}/`).map((p) => p.slice(name.length + 1));
    } else {
      const js = readFileSync(join(site, "dist", "app.js"), "utf8");
      // Without a browser: every module whose file name the bundle holds (an upper bound
      // when the loader names two and fetches one).
      files = ["dist/app.js", ...["wasm-browser/oauth_callback_wasm_bg.wasm", "wasm-authorize/oauth_callback_authorize_min.wasm", "wasm-authorize/oauth_callback_authorize.wasm", "wasm-login/oauth_callback_login.wasm"].filter((f) => js.includes(f.split("/")[1]))];
    }
    results[name] = files.map((f) => {
      const buf = readFileSync(join(site, f));
      return { file: f, min: buf.length, gzip: gzip9(buf), brotli: brotli(buf) };
    });
  }
} finally {
  await browser?.close();
  await server.close();
  root.remove();
}

const total = (name, k) => results[name].reduce((a, f) => a + f[k], 0);
print(`browser bytes: esbuild --bundle --minify --platform=browser --format=esm, every file the page fetches${browser ? " (recorded in headless Chromium)" : ""}; KB = 1000 bytes`);
print(`${"page".padEnd(20)} ${"library".padEnd(26)} ${"file".padEnd(44)} ${"minified".padStart(10)} ${"gzip -9".padStart(10)} ${"brotli".padStart(10)}`);
for (const [name, what, lib] of PAGES) {
  for (const f of results[name]) print(`${name.padEnd(20)} ${lib.padEnd(26)} ${f.file.padEnd(44)} ${KB(f.min).padStart(10)} ${KB(f.gzip).padStart(10)} ${KB(f.brotli).padStart(10)}`);
  print(`${name.padEnd(20)} ${lib.padEnd(26)} ${`= ${what}, all files`.padEnd(44)} ${KB(total(name, "min")).padStart(10)} ${KB(total(name, "gzip")).padStart(10)} ${KB(total(name, "brotli")).padStart(10)}`);
}

// Attribution (detail only): what app.js holds, and what the same ours-* pages would weigh
// in JS if bundled from npm/src (tree-shaken, no --keep-names) instead of npm/dist.
print("");
print("attribution of ours' dist/app.js (esbuild metafile, minified bytes by input):");
const BENCH = new URL("./", import.meta.url).pathname;
for (const name of ["ours-pkce", "ours-spa"]) {
  for (const [label, alias] of [["from npm/dist (as shipped)", {}], ["from npm/src (experiment)", { "oauth-callback-rs": "../npm/src/index.browser.ts" }]]) {
    try {
      const r = await build({ entryPoints: [`${BENCH}pages/${name}.js`], bundle: true, minify: true, platform: "browser", format: "esm", write: false, metafile: true, outdir: "/tmp/bench-attribution", alias, logLevel: "error", absWorkingDir: BENCH });
      const by = {};
      for (const [k, v] of Object.entries(Object.values(r.metafile.outputs)[0].inputs)) {
        const key = k.includes("wasm-browser/") ? "wasm-bindgen glue" : k.includes("authorize-module") ? "authorize module loader" : k.includes("login-module") ? "login module loader" : k.includes("npm/src/") ? "facade" : k.includes("npm/dist/") ? "npm/dist/index.browser.js (facade + glue)" : "page";
        by[key] = (by[key] ?? 0) + v.bytesInOutput;
      }
      const js = r.outputFiles[0].contents;
      print(`  ${name.padEnd(10)} ${label.padEnd(28)} ${KB(js.length)} KB min, ${KB(gzip9(Buffer.from(js)))} KB gzip: ${Object.entries(by).map(([k, v]) => `${k} ${KB(v)}`).join(", ")}`);
    } catch (err) {
      print(`  ${name} ${label}: not built (${String(err.message).split("\n")[0]})`);
    }
  }
}

if (json) {
  const cell = (name) => {
    const parts = results[name].map((f) => `${f.file.split("/").pop()} ${KB(f.gzip)}`).join(" + ");
    return `${KB(total(name, "gzip"))} KB gzip${results[name].length > 1 ? ` (${parts})` : ""}; ${KB(total(name, "min"))} KB min, ${KB(total(name, "brotli"))} KB br`;
  };
  const peerCell = (name, lib) => `${lib} ${KB(total(name, "gzip"))} KB gzip (${KB(total(name, "min"))} min, ${KB(total(name, "brotli"))} br)`;
  emitJson({
    name: "bytes",
    results,
    rows: [
      {
        figure: "browser bytes: PKCE + state + URL page",
        ours: cell("ours-pkce"),
        peers: [peerCell("o4w-pkce", "oauth4webapi"), peerCell("webcrypto-pkce", "WebCrypto hand-rolled")],
        ratio: `${(total("ours-pkce", "gzip") / total("o4w-pkce", "gzip")).toFixed(1)}x oauth4webapi (gzip)`,
        bar: "≤ 12 KB gzip, wasm and glue",
        met: total("ours-pkce", "gzip") <= 12_000,
      },
      {
        figure: "browser bytes: whole SPA login page",
        ours: cell("ours-spa"),
        peers: [peerCell("o4w-spa", "oauth4webapi")],
        ratio: `${(total("ours-spa", "gzip") / total("o4w-spa", "gzip")).toFixed(1)}x oauth4webapi (gzip)`,
        bar: "≤ 30 KB gzip in all",
        met: total("ours-spa", "gzip") <= 30_000,
      },
    ],
  });
}
