// Bundled and compiled CLIs (README "Bundling and single executables"): tests/bundling/cli.mjs
// built with each tool the README names, copied alone (or with exactly the files the README
// names) into a fresh folder outside the workspace, and run from there: a real loopback
// login against oidc-provider, the "browser" a headless user started through BROWSER.
// Run by scripts/test-bundling (which installs postject for the Node SEA first).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { equal, ok } from "../facade/assert.mjs";
import { startProvider } from "../../examples/local-server/provider.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "node_modules/.bin");
const CLI = join(ROOT, "tests/bundling/cli.mjs");
const CLI_PLAIN = join(ROOT, "tests/bundling/cli-plain.mjs");
const ADDON_NAME = "oauth-callback.linux-x64-gnu.node";
// The addon this machine built: in the package's native/, or in its platform package.
const ADDON = [join(ROOT, "npm/native", ADDON_NAME), join(ROOT, "node_modules/oauth-callback-rs-linux-x64-gnu", ADDON_NAME)].find((f) => existsSync(f)) ?? join(ROOT, "npm/native", ADDON_NAME);
const WASM_NAME = "oauth_callback_wasm_bg.wasm";
const WASM = join(ROOT, "npm/wasm", WASM_NAME);
const POSTJECT = join(ROOT, "node_modules/.cache/bundling-tools/node_modules/.bin/postject");
const HEADLESS_USER = join(ROOT, "examples/local-server/headless-user.mjs");
const supported = process.platform === "linux" && process.arch === "x64" && existsSync(ADDON);

let server;
let scratch;
before(async () => {
  server = await startProvider();
  scratch = mkdtempSync(join(tmpdir(), "ocrs-bundling-"));
});
after(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A fresh empty folder under the scratch folder (outside the workspace: no node_modules above it). */
function folder(name) {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function run(cmd, args, { cwd = ROOT, env = {} } = {}) {
  const res = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 });
  if (res.error) throw res.error;
  return res;
}

function build(cmd, args, opts) {
  const res = run(cmd, args, opts);
  equal(res.status, 0, `${cmd.split("/").at(-1)} ${args.join(" ")} builds:\n${res.stdout}\n${res.stderr}`);
  return res;
}

/**
 * Runs the built CLI in `cwd` with only what is there; the headless user plays the browser.
 * Asynchronous: the authorization server runs in this process.
 */
function login(cmd, args, cwd, env = {}) {
  // No NODE_PATH, nothing of the workspace on the way: the CLI finds only what is beside it.
  const { NODE_PATH: _n, OAUTH_CALLBACK_RS_NATIVE: _o, ...clean } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args, server.issuer], { cwd, env: { ...clean, BROWSER: `${process.execPath} ${HEADLESS_USER}`, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    // A bound, not a timing assertion: a hung CLI fails the test instead of stalling the suite.
    const bound = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(bound);
      resolve({ status, stdout, stderr });
    });
  });
}

function assertSignedIn(res, cwd, what) {
  equal(res.status, 0, `${what}: exits 0 (stderr: ${res.stderr})`);
  const line = JSON.parse(res.stdout.trim().split("\n").at(-1));
  equal(line.signedIn, true, `${what}: signed in`);
  equal(line.userinfo, 200, `${what}: the access token works at the userinfo endpoint`);
  equal(line.cwd, cwd, `${what}: ran from the bare folder`);
}

const listing = (dir) => readdirSync(dir).sort().join(", ");

test("the root entry does not carry the inlined wasm; oauth-callback-rs/embedded does", { skip: !supported && "needs the linux-x64-gnu build" }, () => {
  const longBase64 = /[A-Za-z0-9+/]{20000,}/;
  const root = readFileSync(join(ROOT, "npm/dist/index.node.js"), "utf8");
  ok(!longBase64.test(root), "dist/index.node.js has no inlined module");
  const embedded = readFileSync(join(ROOT, "npm/dist/embedded.inline.js"), "utf8");
  const wasmBytes = readFileSync(WASM).length;
  ok(embedded.length >= Math.floor((wasmBytes * 4) / 3), `dist/embedded.inline.js (${embedded.length} bytes) holds the ${wasmBytes}-byte module as base64`);
  console.log(`# embedded.inline.js: ${embedded.length} bytes for a ${wasmBytes}-byte wasm core`);
});

test("installed layout: the platform package oauth-callback-rs-<triple> is found by require resolution when the package has no native/", { skip: !supported && "needs the linux-x64-gnu build" }, async () => {
  const project = folder("installed");
  const pkg = join(project, "node_modules/oauth-callback-rs");
  mkdirSync(join(pkg, "dist"), { recursive: true });
  mkdirSync(join(pkg, "wasm"), { recursive: true });
  copyFileSync(join(ROOT, "npm/package.json"), join(pkg, "package.json"));
  copyFileSync(join(ROOT, "npm/dist/index.node.js"), join(pkg, "dist/index.node.js"));
  copyFileSync(WASM, join(pkg, "wasm", WASM_NAME));
  const probe = `import("oauth-callback-rs").then((m) => { const l = m.bindLoopback({ hostname: "127.0.0.1", port: 0 }); console.log(typeof l.port); l.close(); }, (e) => { console.error(e.message); process.exit(1); })`;
  const { NODE_PATH: _n, OAUTH_CALLBACK_RS_NATIVE: _o, ...clean } = process.env;
  const none = spawnSync(process.execPath, ["-e", probe], { cwd: project, env: clean, encoding: "utf8" });
  equal(none.status, 1, "no addon anywhere: fails");
  ok(none.stderr.includes(`package oauth-callback-rs-linux-x64-gnu (resolved from ${join(pkg, "dist")})`) && none.stderr.includes(join(pkg, "native", ADDON_NAME)), `names the platform package and native/: ${none.stderr}`);

  const platform = join(project, "node_modules/oauth-callback-rs-linux-x64-gnu");
  mkdirSync(platform, { recursive: true });
  writeFileSync(join(platform, "package.json"), JSON.stringify({ name: "oauth-callback-rs-linux-x64-gnu", version: "0.0.0", main: ADDON_NAME, os: ["linux"], cpu: ["x64"], libc: ["glibc"] }));
  copyFileSync(ADDON, join(platform, ADDON_NAME));
  const found = spawnSync(process.execPath, ["-e", probe], { cwd: project, env: clean, encoding: "utf8" });
  equal(found.status, 0, `loads from the platform package: ${found.stderr}`);
  equal(found.stdout.trim(), "number", "a bound listener");
});

test("esbuild --format=esm: the bundle and the addon beside it; without the addon, an error naming every place looked at", { skip: !supported && "needs the linux-x64-gnu build" }, async () => {
  const out = folder("esbuild-esm");
  build(join(BIN, "esbuild"), [CLI, "--bundle", "--platform=node", "--format=esm", `--outfile=${join(out, "cli.mjs")}`, "--log-level=error"]);
  const bare = folder("esbuild-esm-run");
  copyFileSync(join(out, "cli.mjs"), join(bare, "cli.mjs"));

  const missing = await login(process.execPath, ["cli.mjs"], bare);
  equal(missing.status, 1, `no addon: fails (${missing.stdout})`);
  ok(/NATIVE_UNAVAILABLE/.test(missing.stderr), `a NATIVE_UNAVAILABLE error: ${missing.stderr}`);
  const beside = join(bare, ADDON_NAME);
  const pkg = "package oauth-callback-rs-linux-x64-gnu";
  const inPackage = join(scratch, "native", ADDON_NAME);
  for (const place of [beside, pkg, inPackage]) ok(missing.stderr.includes(place), `the error names ${place}: ${missing.stderr}`);
  ok(missing.stderr.indexOf(beside) < missing.stderr.indexOf(pkg) && missing.stderr.indexOf(pkg) < missing.stderr.indexOf(inPackage), "in search order");
  ok(/linux-x64/.test(missing.stderr) && /OAUTH_CALLBACK_RS_NATIVE/.test(missing.stderr) && /copy oauth-callback\.linux-x64-gnu\.node beside/.test(missing.stderr), "names the platform and what to do");

  copyFileSync(ADDON, beside);
  equal(listing(bare), `cli.mjs, ${ADDON_NAME}`, "exactly the README's two files");
  assertSignedIn(await login(process.execPath, ["cli.mjs"], bare), bare, "esbuild ESM bundle");
});

test("esbuild --format=cjs: the bundle alone, the addon named by OAUTH_CALLBACK_RS_NATIVE", { skip: !supported && "needs the linux-x64-gnu build" }, async () => {
  const out = folder("esbuild-cjs");
  build(join(BIN, "esbuild"), [CLI, "--bundle", "--platform=node", "--format=cjs", `--outfile=${join(out, "cli.cjs")}`, "--log-level=error"]);
  const bare = folder("esbuild-cjs-run");
  copyFileSync(join(out, "cli.cjs"), join(bare, "cli.cjs"));
  const elsewhere = folder("addon-elsewhere");
  copyFileSync(ADDON, join(elsewhere, ADDON_NAME));
  equal(listing(bare), "cli.cjs", "only the bundle");
  assertSignedIn(await login(process.execPath, ["cli.cjs"], bare, { OAUTH_CALLBACK_RS_NATIVE: join(elsewhere, ADDON_NAME) }), bare, "esbuild CJS bundle, addon file by env");
  assertSignedIn(await login(process.execPath, ["cli.cjs"], bare, { OAUTH_CALLBACK_RS_NATIVE: elsewhere }), bare, "esbuild CJS bundle, addon folder by env");
  // A bare file name, relative to the working directory (not to the bundle, which is elsewhere).
  assertSignedIn(await login(process.execPath, [join(bare, "cli.cjs")], elsewhere, { OAUTH_CALLBACK_RS_NATIVE: ADDON_NAME }), elsewhere, "esbuild CJS bundle, addon file by env, relative to the working directory");

  const wrong = await login(process.execPath, ["cli.cjs"], bare, { OAUTH_CALLBACK_RS_NATIVE: join(elsewhere, "nope.node") });
  equal(wrong.status, 1, "a wrong explicit path fails");
  ok(wrong.stderr.includes(join(elsewhere, "nope.node")) && /nothing else was tried/.test(wrong.stderr), `names the path it was given: ${wrong.stderr}`);
  const empty = folder("addon-not-here");
  const wrongFolder = await login(process.execPath, ["cli.cjs"], bare, { OAUTH_CALLBACK_RS_NATIVE: empty });
  equal(wrongFolder.status, 1, "a folder without the addon fails");
  ok(wrongFolder.stderr.includes(`${join(empty, ADDON_NAME)} (not found)`), `names the file it expected in the folder: ${wrongFolder.stderr}`);
});

test("esbuild without oauth-callback-rs/embedded: the wasm file beside the bundle, and an error naming where it looked", { skip: !supported && "needs the linux-x64-gnu build" }, async () => {
  const out = folder("esbuild-plain");
  build(join(BIN, "esbuild"), [CLI_PLAIN, "--bundle", "--platform=node", "--format=esm", `--outfile=${join(out, "cli.mjs")}`, "--log-level=error"]);
  const bare = folder("esbuild-plain-run");
  copyFileSync(join(out, "cli.mjs"), join(bare, "cli.mjs"));
  copyFileSync(ADDON, join(bare, ADDON_NAME));

  const missing = await login(process.execPath, ["cli.mjs"], bare);
  equal(missing.status, 1, "no wasm: fails");
  ok(/NOT_INITIALIZED/.test(missing.stderr) && missing.stderr.includes(join(bare, WASM_NAME)) && /oauth-callback-rs\/embedded/.test(missing.stderr), `names the path and the fix: ${missing.stderr}`);

  copyFileSync(WASM, join(bare, WASM_NAME));
  equal(listing(bare), `cli.mjs, ${ADDON_NAME}, ${WASM_NAME}`, "exactly the README's three files");
  assertSignedIn(await login(process.execPath, ["cli.mjs"], bare), bare, "esbuild bundle with the wasm beside");
});

test("bun build --target=bun --outdir: the folder Bun writes (bundle + addon asset), run by Bun", { skip: !supported && "needs the linux-x64-gnu build" }, async () => {
  const out = folder("bun-build");
  build(join(BIN, "bun"), ["build", CLI, "--target=bun", `--outdir=${out}`]);
  const bare = folder("bun-build-run");
  for (const f of readdirSync(out)) copyFileSync(join(out, f), join(bare, f));
  ok(/^cli\.js, oauth-callback\.linux-x64-gnu-[a-z0-9]+\.node$/.test(listing(bare)), `the bundle and Bun's copy of the addon: ${listing(bare)}`);
  assertSignedIn(await login(join(BIN, "bun"), ["cli.js"], bare), bare, "bun build bundle");
});

test("bun build --outfile, one file: --target=node run by Node (addon beside), or without oauth-callback-rs/embedded run by Bun (wasm and addon beside)", { skip: !supported && "needs the linux-x64-gnu build" }, async () => {
  const out = folder("bun-outfile");
  build(join(BIN, "bun"), ["build", CLI, "--target=node", `--outfile=${join(out, "node/cli.mjs")}`]);
  equal(listing(join(out, "node")), "cli.mjs", "one file");
  const forNode = folder("bun-outfile-node-run");
  copyFileSync(join(out, "node/cli.mjs"), join(forNode, "cli.mjs"));
  copyFileSync(ADDON, join(forNode, ADDON_NAME));
  assertSignedIn(await login(process.execPath, ["cli.mjs"], forNode), forNode, "bun build --target=node, run by Node");

  build(join(BIN, "bun"), ["build", CLI_PLAIN, "--target=bun", `--outfile=${join(out, "bun/cli.js")}`]);
  equal(listing(join(out, "bun")), "cli.js", "one file");
  const forBun = folder("bun-outfile-bun-run");
  copyFileSync(join(out, "bun/cli.js"), join(forBun, "cli.js"));
  copyFileSync(ADDON, join(forBun, ADDON_NAME));
  copyFileSync(WASM, join(forBun, WASM_NAME));
  assertSignedIn(await login(join(BIN, "bun"), ["cli.js"], forBun), forBun, "bun build --target=bun --outfile, run by Bun");
});

test("bun build --compile: one executable, nothing beside it", { skip: !supported && "needs the linux-x64-gnu build" }, async () => {
  const out = folder("bun-compile");
  build(join(BIN, "bun"), ["build", CLI, "--compile", `--outfile=${join(out, "cli")}`]);
  const bare = folder("bun-compile-run");
  copyFileSync(join(out, "cli"), join(bare, "cli"));
  rmSync(out, { recursive: true, force: true });
  run("chmod", ["+x", join(bare, "cli")]);
  equal(listing(bare), "cli", "only the executable");
  assertSignedIn(await login(join(bare, "cli"), [], bare), bare, "bun --compile executable");
});

test("deno bundle, run by Deno: the bundle alone (Deno.listen), or with the addon beside it and --allow-ffi", { skip: !supported && "needs the linux-x64-gnu build" }, async () => {
  const out = folder("deno-bundle");
  build(join(BIN, "deno"), ["bundle", "--quiet", "--no-lock", "--platform=deno", "-o", join(out, "cli.js"), CLI]);
  const bare = folder("deno-bundle-run");
  copyFileSync(join(out, "cli.js"), join(bare, "cli.js"));
  // No --allow-read: the wasm core comes from the bundle itself.
  const perms = ["--allow-env", "--allow-run", "--allow-net=127.0.0.1", "--allow-sys"];
  assertSignedIn(await login(join(BIN, "deno"), ["run", "--quiet", "--no-lock", ...perms, "cli.js"], bare), bare, "deno bundle on Deno.listen");
  copyFileSync(ADDON, join(bare, ADDON_NAME));
  assertSignedIn(await login(join(BIN, "deno"), ["run", "--quiet", "--no-lock", "--allow-ffi", "--allow-read", ...perms, "cli.js"], bare), bare, "deno bundle on the addon");
});

test("deno compile: one executable (needs Deno's denort base binary)", { skip: !supported && "needs the linux-x64-gnu build" }, async (t) => {
  const out = folder("deno-compile");
  const res = run(join(BIN, "deno"), ["compile", "--quiet", "--no-check", "--no-lock", "--allow-env", "--allow-run", "--allow-net=127.0.0.1", "--allow-sys", "-o", join(out, "cli"), CLI]);
  if (res.status !== 0 && /denort|dl\.deno\.land|dns error|error sending request/.test(res.stderr)) {
    t.skip("deno compile downloads its base binary (denort) from Deno's release site, which this machine cannot reach, and no registry package ships it; set DENORT_BIN to a denort of the same version to run this test");
    return;
  }
  equal(res.status, 0, `deno compile builds: ${res.stderr}`);
  const bare = folder("deno-compile-run");
  copyFileSync(join(out, "cli"), join(bare, "cli"));
  run("chmod", ["+x", join(bare, "cli")]);
  assertSignedIn(await login(join(bare, "cli"), [], bare), bare, "deno compile executable");
});

test("Node single executable application: a CJS bundle without oauth-callback-rs/embedded, the wasm core and the addon as SEA assets, one file", { skip: !supported && "needs the linux-x64-gnu build" }, async (t) => {
  const help = run(process.execPath, ["--help"]).stdout;
  if (!help.includes("--experimental-sea-config")) return t.skip(`Node ${process.version} has no --experimental-sea-config`);
  if (!existsSync(POSTJECT)) return t.skip("postject is not installed (scripts/test-bundling installs it)");
  const out = folder("sea");
  build(join(BIN, "esbuild"), [CLI_PLAIN, "--bundle", "--platform=node", "--format=cjs", `--outfile=${join(out, "cli.cjs")}`, "--log-level=error"]);
  writeFileSync(
    join(out, "sea-config.json"),
    JSON.stringify({ main: "cli.cjs", output: "sea-prep.blob", disableExperimentalSEAWarning: true, assets: { [ADDON_NAME]: ADDON, [WASM_NAME]: WASM } }),
  );
  build(process.execPath, ["--experimental-sea-config", "sea-config.json"], { cwd: out });
  copyFileSync(process.execPath, join(out, "cli"));
  build(POSTJECT, [join(out, "cli"), "NODE_SEA_BLOB", join(out, "sea-prep.blob"), "--sentinel-fuse", "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"]);
  const bare = folder("sea-run");
  copyFileSync(join(out, "cli"), join(bare, "cli"));
  run("chmod", ["+x", join(bare, "cli")]);
  rmSync(out, { recursive: true, force: true });
  equal(listing(bare), "cli", "only the executable");
  // The addon is written to a private temporary folder, loaded and removed: nothing is left.
  const tmp = folder("sea-tmp");
  assertSignedIn(await login(join(bare, "cli"), [], bare, { TMPDIR: tmp }), bare, "Node SEA");
  equal(listing(tmp), "", "no extracted addon left behind");
});
