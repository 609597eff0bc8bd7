// The package as a user gets it: scripts/pack stages and packs oauth-callback-rs and this
// machine's platform package (its addon from npm/native, the one ./scripts/test built),
// both tarballs are installed into a fresh project outside the repository (no workspace
// link; `npm install --offline`: nothing from the network), and every kind of consumer
// there does a real login against oidc-provider: Node (import and require), Bun, Deno
// (`npm:` specifier), TypeScript (node16 and bundler resolution, compiled then run) and an
// esbuild browser bundle in headless Chromium. Also checks that the tarball holds only
// what runs.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SPA_CLIENT, startProvider } from "../../examples/local-server/provider.mjs";
import { launchChromium } from "../browser/chromium.mjs";
import { deepStrictEqual as deepEqual } from "node:assert/strict";
import { equal, ok } from "../facade/assert.mjs";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
const HERE = fileURLToPath(new URL(".", import.meta.url));
const HEADLESS_USER = join(ROOT, "examples", "local-server", "headless-user.mjs");
// Hang guard for a child process, not a timing assertion.
const GUARD_MS = 120_000;

function hostTriple() {
  const { platform, arch } = process;
  if (platform === "linux") return `linux-${arch}-${process.report.getReport().header.glibcVersionRuntime ? "gnu" : "musl"}`;
  if (platform === "win32") return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}
const TRIPLE = hostTriple();

let work;
let project;
let provider;
let packed;

async function sh(cmd, args, opts = {}) {
  try {
    return await run(cmd, args, { timeout: GUARD_MS, maxBuffer: 64 << 20, ...opts });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${err.code}${err.signal ? `, ${err.signal}` : ""}):\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
}

/** Runs a consumer in the project with the issuer and the headless user; returns its JSON line. */
async function consumer(cmd, args, extraEnv = {}) {
  const env = { ...process.env, ISSUER: provider.issuer, TRIPLE, BROWSER: `${process.execPath} ${HEADLESS_USER}`, NO_COLOR: "1", ...extraEnv };
  delete env.OAUTH_CALLBACK_RS_NATIVE;
  delete env.NODE_PATH;
  const { stdout } = await sh(cmd, args, { cwd: project, env });
  const line = stdout.trim().split("\n").filter((l) => l.startsWith("{")).at(-1);
  ok(line, `the consumer printed its result: ${stdout}`);
  return JSON.parse(line);
}

function assertLoggedIn(result, what) {
  equal(result.tokenType, "Bearer", `${what}: a bearer token`);
  ok(String(result.scope).split(" ").includes("openid"), `${what}: scope openid (${result.scope})`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "oauth-callback-rs-package-"));
  const { stdout } = await sh(process.execPath, [join(ROOT, "scripts", "pack"), "--out", join(work, "tarballs"), "--host-native", "--only", TRIPLE], { cwd: ROOT });
  packed = stdout.trim().split("\n").map((l) => JSON.parse(l));
  project = join(work, "project");
  mkdirSync(project);
  cpSync(join(HERE, "consumer"), project, { recursive: true });
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)}\n`);
  // --offline: nothing from the network. The TypeScript consumers need @types/node (and
  // its one dependency), packed from the workspace's copies (no link into the workspace).
  const types = [];
  for (const dep of ["@types/node", "undici-types"]) {
    const { stdout: out } = await sh("npm", ["pack", "--json", "--pack-destination", join(work, "tarballs"), join(ROOT, "node_modules", dep)], { cwd: work });
    types.push(join(work, "tarballs", JSON.parse(out)[0].filename));
  }
  await sh("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", ...packed.map((p) => p.file), ...types], { cwd: project });
  provider = await startProvider();
});

after(async () => {
  await provider?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball holds only what runs: the exported entries, what they load, their declarations, README, LICENSEs", () => {
  const main = packed.find((p) => p.name === "oauth-callback-rs");
  const pkg = JSON.parse(readFileSync(join(project, "node_modules", "oauth-callback-rs", "package.json"), "utf8"));
  const files = new Set(main.files);
  const problems = [];
  // Every export target is there, `types` first in every condition.
  const targets = new Set();
  const walk = (node, where) => {
    if (typeof node === "string") return targets.add(posix.normalize(node));
    const keys = Object.keys(node);
    if (keys.includes("types") && keys[0] !== "types") problems.push(`exports ${where}: "types" must come first`);
    for (const k of keys) walk(node[k], `${where}.${k}`);
  };
  walk(pkg.exports, "exports");
  for (const t of targets) if (!files.has(t)) problems.push(`export target ${t} is not in the tarball`);
  // What the entries load (relative imports and new URL("...", import.meta.url)), and what
  // their declarations import, transitively; nothing else may be shipped.
  const reach = new Set();
  const queue = [...targets];
  while (queue.length) {
    const f = queue.pop();
    if (reach.has(f)) continue;
    reach.add(f);
    if (!files.has(f)) {
      problems.push(`${f} is needed but not in the tarball`);
      continue;
    }
    if (!/\.(m?js|d\.ts)$/.test(f)) continue;
    const text = readFileSync(join(project, "node_modules", "oauth-callback-rs", f), "utf8");
    const refs = [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']|new URL\(\s*["'](\.{0,2}\/?[^"':]+\.wasm)["']/g)].map((m) => m[1] ?? m[2]);
    // Modules located at run time (new URL(`../wasm/${WASM_FILE}`, import.meta.url)):
    // a packed .wasm whose folder and name both appear in a reached module.
    if (!f.endsWith(".d.ts")) {
      for (const w of files) if (w.endsWith(".wasm") && text.includes(`${posix.dirname(w)}/`) && text.includes(posix.basename(w))) queue.push(w);
    }
    for (const r of refs) {
      let target = posix.normalize(posix.join(posix.dirname(f), r));
      if (f.endsWith(".d.ts")) target = target.replace(/\.js$/, ".d.ts");
      // wasm-bindgen's own default (new URL("x_bg.wasm", import.meta.url)) sits inside the
      // bundled glue; the entries pass the real module's location, so skip the default.
      if (f.startsWith("dist/") && !r.startsWith(".") && r.endsWith(".wasm")) continue;
      queue.push(target);
    }
  }
  for (const f of files) {
    if (f === "package.json" || f === "README.md" || /^LICENSE-(MIT|APACHE)$/.test(f)) continue;
    if (!reach.has(f)) problems.push(`${f} is shipped but nothing loads or references it`);
  }
  for (const f of files) if (/\.(tsbuildinfo|map|node|test\.[cm]?js)$|(^|\/)tests?\//.test(f)) problems.push(`${f} must not be shipped`);
  for (const f of ["README.md", "LICENSE-MIT", "LICENSE-APACHE", "package.json"]) if (!files.has(f)) problems.push(`${f} is missing`);
  for (const k of ["repository", "homepage", "bugs", "keywords", "engines", "publishConfig", "license"]) if (pkg[k] === undefined) problems.push(`package.json has no "${k}"`);
  deepEqual(problems, [], "tarball problems");
  console.log(`# oauth-callback-rs tarball: ${main.entryCount} files, ${main.size} bytes packed, ${main.unpackedSize} unpacked`);
});

test(`the platform package oauth-callback-rs-${TRIPLE}: the addon alone, for this os/cpu/libc; the main package lists it`, () => {
  const plat = packed.find((p) => p.name === `oauth-callback-rs-${TRIPLE}`);
  ok(plat, `oauth-callback-rs-${TRIPLE} was packed`);
  deepEqual([...plat.files].sort(), ["LICENSE-APACHE", "LICENSE-MIT", "README.md", `oauth-callback.${TRIPLE}.node`, "package.json"], "its files");
  const pkg = JSON.parse(readFileSync(join(project, "node_modules", `oauth-callback-rs-${TRIPLE}`, "package.json"), "utf8"));
  deepEqual(pkg.os, [process.platform], "os");
  deepEqual(pkg.cpu, [process.arch], "cpu");
  if (process.platform === "linux") deepEqual(pkg.libc, [TRIPLE.endsWith("musl") ? "musl" : "glibc"], "libc");
  equal(pkg.main, `oauth-callback.${TRIPLE}.node`, "main is the addon");
  const main = JSON.parse(readFileSync(join(project, "node_modules", "oauth-callback-rs", "package.json"), "utf8"));
  equal(main.optionalDependencies?.[`oauth-callback-rs-${TRIPLE}`], main.version, "an optional dependency at the same version");
  console.log(`# oauth-callback-rs-${TRIPLE} tarball: ${plat.size} bytes packed, ${plat.unpackedSize} unpacked`);
});

test("Node, import: a real loopback login, the addon from the platform package", async () => {
  const r = await consumer(process.execPath, ["login.mjs"]);
  assertLoggedIn(r, "node import");
  ok(r.addon.includes(join("node_modules", `oauth-callback-rs-${TRIPLE}`)), `the addon resolves into the platform package: ${r.addon}`);
});

test("Node, require(): a real loopback login", async () => {
  const r = await consumer(process.execPath, ["login.cjs"]);
  assertLoggedIn(r, "node require");
  ok(r.addon.includes(join("node_modules", `oauth-callback-rs-${TRIPLE}`)), `the addon resolves into the platform package: ${r.addon}`);
});

test("Bun: a real loopback login", async () => {
  assertLoggedIn(await consumer(join(BIN, "bun"), ["login.mjs"]), "bun");
});

test("Deno, npm: specifier from node_modules (nodeModulesDir manual), type-checked: a real loopback login", async () => {
  const args = ["run", "--check", "--no-lock", "--allow-ffi", "--allow-read", "--allow-env", "--allow-run", "--allow-net=127.0.0.1", "--allow-sys", "login-deno.ts"];
  assertLoggedIn(await consumer(join(BIN, "deno"), args, { DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(work, "deno-dir") }), "deno");
});

test("TypeScript, moduleResolution node16: compiles (no skipLibCheck), then logs in", async () => {
  await sh(join(BIN, "tsc"), ["-p", "tsconfig.node16.json"], { cwd: project });
  assertLoggedIn(await consumer(process.execPath, ["out-node16/login-node16.mjs"]), "tsc node16");
});

test("TypeScript, moduleResolution bundler: compiles (no skipLibCheck), then logs in", async () => {
  await sh(join(BIN, "tsc"), ["-p", "tsconfig.bundler.json"], { cwd: project });
  const r = await consumer(process.execPath, ["out-bundler/login-bundler.js"]);
  assertLoggedIn(r, "tsc bundler");
  equal(r.mcpExports, true, "oauth-callback-rs/mcp resolved");
});

test("esbuild browser bundle in Chromium: a full redirect login in the page", async () => {
  const dir = join(project, "browser");
  await sh(join(BIN, "esbuild"), ["app.js", "--bundle", "--format=esm", "--platform=browser", "--minify", "--outfile=dist/app.js"], { cwd: dir });
  const installed = join(project, "node_modules", "oauth-callback-rs");
  const wasm = join(installed, "wasm-login", "oauth_callback_login.wasm");
  const authorizeWasm = join(installed, "wasm-authorize", "oauth_callback_authorize.wasm");
  for (const f of [wasm, authorizeWasm]) ok(existsSync(f), `${f.slice(installed.length)} is installed`);
  // Served where the provider's SPA client may redirect (examples/local-server/provider.mjs).
  const routes = {
    "/examples/spa/index.html": [join(dir, "index.html"), "text/html; charset=utf-8"],
    "/examples/spa/app.js": [join(dir, "dist", "app.js"), "text/javascript"],
    "/examples/spa/oauth_callback_login.wasm": [wasm, "application/wasm"],
    "/examples/spa/oauth_callback_authorize.wasm": [authorizeWasm, "application/wasm"],
  };
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? "/", "http://x").pathname];
    if (!route) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": route[1], "cache-control": "no-store" }).end(readFileSync(route[0]));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const consoleErrors = [];
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    await page.goto(`${origin}/examples/spa/index.html?issuer=${encodeURIComponent(provider.issuer)}&client_id=${SPA_CLIENT}`);
    // The page redirects to the provider (or says why not); sign in there.
    await page.waitForFunction(() => location.pathname.startsWith("/interaction/") || document.getElementById("status")?.textContent, null, { timeout: GUARD_MS });
    ok(new URL(page.url()).pathname.startsWith("/interaction/"), `the page went to the provider: ${page.url()} ${await page.textContent("body")} ${[...errors, ...consoleErrors].join("; ")}`);
    for (let step = 0; step < 6 && new URL(page.url()).pathname.startsWith("/interaction/"); step++) {
      if (await page.locator('input[name="login"]').count()) {
        await page.fill('input[name="login"]', "alice");
        await page.fill('input[name="password"]', "any-password");
      }
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
    }
    await page.waitForFunction(() => document.getElementById("status")?.textContent, null, { timeout: GUARD_MS });
    equal(await page.textContent("#status"), "signed in as alice", "signed in from the bundle");
    deepEqual(errors, [], "no page errors");
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
});


test("without a platform package: the protocol works, the loopback server throws NATIVE_UNAVAILABLE naming the platform and what to do", async () => {
  const bare = join(work, "bare");
  mkdirSync(bare);
  writeFileSync(join(bare, "package.json"), JSON.stringify({ name: "bare", private: true, type: "module" }));
  const main = packed.find((p) => p.name === "oauth-callback-rs");
  await sh("npm", ["install", "--offline", "--omit=optional", "--no-audit", "--no-fund", "--loglevel=error", main.file], { cwd: bare });
  const probe = `
    import { generatePkce, bindLoopback } from "oauth-callback-rs";
    const pkce = generatePkce();
    let error;
    try { bindLoopback({ hostname: "127.0.0.1", port: 0 }); } catch (e) { error = e; }
    console.log(JSON.stringify({ verifier: pkce.verifier.length, code: error?.code, message: error?.message }));`;
  const env = { ...process.env };
  delete env.OAUTH_CALLBACK_RS_NATIVE;
  const { stdout } = await sh(process.execPath, ["--input-type=module", "-e", probe], { cwd: bare, env });
  const r = JSON.parse(stdout.trim().split("\n").at(-1));
  ok(r.verifier >= 43, `PKCE works without the addon (${r.verifier} characters)`);
  equal(r.code, "NATIVE_UNAVAILABLE", "the typed error");
  ok(r.message.includes(`${process.platform}-${process.arch}`) && r.message.includes(`oauth-callback-rs-${TRIPLE}`), `names the platform and the package to install: ${r.message}`);
});
