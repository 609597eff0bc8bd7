// The benchmark suite: every figure of issue 11 against the peers, one table.
//
//   node bench/run.mjs [--quick] [--only=import,loopback,burst,junk-cost,pkce,pkce-browser,bytes,sizes] [--save=FILE]
//
// After a build (./scripts/test, or `bash -c 'source scripts/lib.sh; build_all'`): it
// measures what is in npm/ now. The peers are pinned in bench/package.json and installed
// into bench/node_modules (npm ci) when missing; oauth-callback 2.2.1, esbuild,
// playwright-core and deno come from the workspace root.
//
// Each figure runs in its own process (the Deno ones in Deno), one after another, with the
// peers in the same run, interleaved; see each script's header for its method. Their
// detailed tables go to stderr; the summary table (median [p10-p90], paired ratios, the
// bar of issue 11 and whether it is met) goes to stdout, and with --save to FILE too.
// A benchmark: it never fails on a timing (exit 1 only when a figure could not be taken).
// --quick: few rounds of everything, a smoke run (well under a minute of measuring).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const BENCH = fileURLToPath(new URL("./", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const save = args.find((a) => a.startsWith("--save="))?.slice(7);
for (const a of args) if (!/^--(quick|only=.+|save=.+)$/.test(a)) throw new Error(`unknown argument ${a}; usage: node bench/run.mjs [--quick] [--only=a,b] [--save=FILE]`);

// The pinned peers.
function ensurePeers() {
  const want = createHash("sha256").update(readFileSync(`${BENCH}package.json`)).update(readFileSync(`${BENCH}package-lock.json`)).digest("hex");
  const stamp = `${BENCH}node_modules/.bench-stamp`;
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  console.error("==> installing the peers pinned in bench/package.json (npm ci in bench/)");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: BENCH, stdio: ["ignore", 2, 2] });
  if (r.status !== 0) throw new Error("npm ci in bench/ failed");
  writeFileSync(stamp, want);
}
ensurePeers();
for (const f of ["npm/dist/index.node.js", "npm/dist/index.browser.js", "npm/dist/mcp.node.js", "npm/wasm/oauth_callback_wasm_bg.wasm", "npm/wasm-browser/oauth_callback_wasm_bg.wasm", "npm/wasm-authorize/oauth_callback_authorize.wasm", "npm/wasm-login/oauth_callback_login.wasm"]) {
  if (!existsSync(`${ROOT}${f}`)) throw new Error(`${f} is missing: build first (./scripts/test, or bash -c 'source scripts/lib.sh; build_all')`);
}
if (!readdirSync(`${ROOT}npm/native`).some((f) => f.endsWith(".node"))) throw new Error("npm/native has no addon: build first");

const node = process.execPath;
const deno = `${ROOT}node_modules/.bin/deno`;
const denoRun = (ffi) => [deno, ["run", "--no-check", "--no-lock", "--allow-read", "--allow-env", "--allow-sys", "--allow-run", "--allow-net=127.0.0.1", ...(ffi ? ["--allow-ffi"] : []), "bench/burst.mjs"]];
const R = (full, q) => String(quick ? q : full);
const figures = [
  ["import", [node, ["bench/import.mjs", R(15, 3)]]],
  ["loopback", [node, ["bench/loopback.mjs", R(200, 20)]]],
  ["burst", [node, ["bench/burst.mjs", R(40, 3)]]],
  ["burst", [node, ["bench/burst.mjs", R(40, 3), "--sender=c"]]],
  ["burst", (([c, a]) => [c, [...a, R(40, 3)]])(denoRun(true))],
  ["burst", (([c, a]) => [c, [...a, R(40, 3)]])(denoRun(false))],
  ["junk-cost", [node, ["bench/junk-cost.mjs", R(10, 2)]]],
  ["pkce", [node, ["bench/pkce.mjs", R(15, 3), ...(quick ? ["--quick"] : [])]]],
  ["pkce-browser", [node, ["bench/pkce-browser.mjs", R(12, 3), ...(quick ? ["--quick"] : [])]]],
  ["bytes", [node, ["bench/bytes.mjs"]]],
  ["sizes", [node, ["bench/sizes.mjs"]]],
];

/**
 * Runs one figure's script: stdout kept (its last line is the JSON result), stderr passed
 * through, minus the "Listening on http://..." line Deno.serve prints for each flow of the
 * peer in Deno.
 */
function runFigure(cmd, argv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", BENCH_NODE: node } });
    let stdout = "";
    let errBuf = "";
    const timer = setTimeout(() => child.kill(), 600_000);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      errBuf += d;
      const lines = errBuf.split("\n");
      errBuf = lines.pop();
      for (const l of lines) if (!/^Listening on http:\/\/127\.0\.0\.1:\d+\/$/.test(l)) process.stderr.write(`${l}\n`);
    });
    child.on("error", (error) => resolve({ status: null, stdout, error }));
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      if (errBuf) process.stderr.write(`${errBuf}\n`);
      resolve({ status, signal, stdout });
    });
  });
}

const started = performance.now();
const load0 = loadavg();
const results = [];
const failures = [];
for (const [name, [cmd, argv]] of figures) {
  if (only && !only.includes(name)) continue;
  const label = `${cmd === node ? "node" : "deno"} ${argv.join(" ")}`;
  console.error(`\n==> ${label}`);
  const t0 = performance.now();
  const r = await runFigure(cmd, [...argv, "--json"]);
  const last = r.stdout.trim().split("\n").pop();
  let parsed = null;
  try {
    parsed = r.status === 0 ? JSON.parse(last) : null;
  } catch {}
  if (!parsed) {
    failures.push(`${label}: exit ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ""}`);
    console.error(`    FAILED: exit ${r.status ?? r.signal}`);
    continue;
  }
  parsed.seconds = (performance.now() - t0) / 1000;
  console.error(`    ${parsed.seconds.toFixed(1)} s`);
  results.push(parsed);
}

const versions = {
  node: process.version,
  deno: spawnSync(deno, ["--version"], { encoding: "utf8" }).stdout?.split("\n")[0]?.replace(/^deno /, "").replace(/ .*/, ""),
  chromium: results.find((r) => r.name === "pkce-browser")?.env.replace(/^chromium /, ""),
};
const pkg = (p) => JSON.parse(readFileSync(p, "utf8")).version;
const peers = {
  "oauth-callback": pkg(`${ROOT}node_modules/oauth-callback/package.json`),
  oauth4webapi: pkg(`${BENCH}node_modules/oauth4webapi/package.json`),
  "openid-client": pkg(`${BENCH}node_modules/openid-client/package.json`),
  "pkce-challenge": pkg(`${BENCH}node_modules/pkce-challenge/package.json`),
};
const sizes = results.find((r) => r.name === "sizes");
const esc = (s) => String(s).replace(/\|/g, "\\|");
const lines = [];
lines.push(`Measured ${new Date().toISOString().slice(0, 10)} with \`node bench/run.mjs${quick ? " --quick" : ""}${only ? ` --only=${only.join(",")}` : ""}\` (${Math.round((performance.now() - started) / 1000)} s): ${cpus().length} cores (load average ${load0[0].toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end), node ${versions.node}${versions.deno ? `, deno ${versions.deno}` : ""}${versions.chromium ? `, Chromium ${versions.chromium}` : ""}; peers ${Object.entries(peers).map(([k, v]) => `${k} ${v}`).join(", ")}.`);
if (sizes) lines.push(`Built modules measured: ${sizes.wasm.map((w) => `${w.dir}/${w.file} ${(w.size / 1000).toFixed(0)} KB (${(w.gzip / 1000).toFixed(1)} KB gzip)${w.note ?? ""}`).join(", ")}; addon ${sizes.addons.map((a) => `${(a.size / 1e6).toFixed(2)} MB (${(a.stripped / 1e6).toFixed(2)} MB stripped)`).join(", ")}.`);
lines.push("Times and rates: median [p10-p90]; ratios: ours / peer of the same round, median [p10-p90] over rounds.");
lines.push("");
lines.push("| figure | ours | peers | ratio | bar | met? |");
lines.push("| --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  for (const row of r.rows) {
    const mark = row.met === true ? "met" : row.met === false ? "**not met**" : "";
    lines.push(`| ${esc(row.figure)} | ${esc(row.ours)} | ${esc(row.peers.join("; "))} | ${esc(row.ratio)} | ${esc(row.bar)} | ${mark} |`);
  }
}
for (const f of failures) lines.push(`| ${esc(f)} | failed | | | | |`);
const report = `${lines.join("\n")}\n`;
console.error("");
process.stdout.write(report);
if (save) writeFileSync(save, report);
process.exitCode = failures.length ? 1 : 0;
