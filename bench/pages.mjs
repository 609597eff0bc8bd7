// Builds the pages in bench/pages/ the way an app would ship them (esbuild --bundle
// --minify --platform=browser --format=esm; ESM because the pages use top-level await and
// the browser entry finds its .wasm next to the bundle through import.meta.url), lays each
// out as a site (index.html, dist/app.js, wasm-browser/, wasm-authorize/ and wasm-login/*.wasm copied from the package),
// serves them on 127.0.0.1 and records every file a page fetches. Used by bench/bytes.mjs
// and bench/pkce-browser.mjs.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const BENCH = fileURLToPath(new URL("./", import.meta.url));
const WASM_BROWSER = fileURLToPath(new URL("../npm/wasm-browser/", import.meta.url));
const WASM_AUTHORIZE = fileURLToPath(new URL("../npm/wasm-authorize/", import.meta.url));
const WASM_LOGIN = fileURLToPath(new URL("../npm/wasm-login/", import.meta.url));
const HTML = `<!doctype html><meta charset="utf-8"><title>bench</title><button id="signin">Sign in</button><p id="status"></p><script type="module" src="./dist/app.js"></script>\n`;

/** A fresh directory for the built sites; `remove()` deletes it. */
export function siteRoot() {
  const dir = mkdtempSync(join(tmpdir(), "oauth-callback-rs-bench-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bundles bench/pages/NAME.js into ROOT/NAME/ (minified unless told); returns the site dir. */
export async function buildPage(root, name, { minify = true } = {}) {
  const site = join(root, name);
  mkdirSync(join(site, "dist"), { recursive: true });
  mkdirSync(join(site, "wasm-browser"), { recursive: true });
  mkdirSync(join(site, "wasm-authorize"), { recursive: true });
  mkdirSync(join(site, "wasm-login"), { recursive: true });
  await build({
    entryPoints: [join(BENCH, "pages", `${name}.js`)],
    bundle: true,
    minify,
    platform: "browser",
    format: "esm",
    outfile: join(site, "dist", "app.js"),
    logLevel: "warning",
    absWorkingDir: BENCH,
  });
  for (const f of readdirSync(WASM_BROWSER)) if (f.endsWith(".wasm")) copyFileSync(join(WASM_BROWSER, f), join(site, "wasm-browser", f));
  for (const f of readdirSync(WASM_AUTHORIZE)) if (f.endsWith(".wasm")) copyFileSync(join(WASM_AUTHORIZE, f), join(site, "wasm-authorize", f));
  for (const f of readdirSync(WASM_LOGIN)) if (f.endsWith(".wasm")) copyFileSync(join(WASM_LOGIN, f), join(site, "wasm-login", f));
  writeFileSync(join(site, "index.html"), HTML);
  return site;
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Serves ROOT on an ephemeral 127.0.0.1 port; `log` gets every request as [path, status]. */
export function serve(root) {
  const log = [];
  const server = createServer((req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
    if (path.endsWith("/")) path += "index.html";
    try {
      if (path.split("/").includes("..")) throw new Error("no");
      const body = readFileSync(join(root, path));
      log.push([path, 200]);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      log.push([path, 404]);
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ origin: `http://127.0.0.1:${port}`, log, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/**
 * Opens ORIGIN/NAME/ in a new page of `context` and waits until the page says it is ready
 * (body[data-ready]); returns the paths it fetched from the server (under NAME/).
 */
export async function loadPage(context, server, name) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const before = server.log.length;
  await page.goto(`${server.origin}/${name}/`);
  await page.waitForFunction(() => document.body?.dataset.ready === "1", null, { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  const fetched = server.log.slice(before);
  if (errors.length) throw new Error(`${name}: page errors: ${errors.join("; ")}`);
  const missing = fetched.filter(([p, s]) => s !== 200 && !p.endsWith("favicon.ico"));
  if (missing.length) throw new Error(`${name}: 404 for ${missing.map(([p]) => p).join(", ")}`);
  return { page, fetched: fetched.filter(([, s]) => s === 200).map(([p]) => p) };
}
