// The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
// tests/conformance/package.json) against tests/conformance/client.mjs, a client built on
// this package's public API. Every client authorization scenario the suite lists is run
// the way its README documents (`conformance client --command <cmd> --scenario <name>`),
// each in its own suite process with its own mock servers; a scenario passes when the
// suite exits 0 (no failed check, no warning, the client exited 0 unless the scenario
// expects an error). The table of results is printed.
//
// The suite needs Node >= 22: `ensure_conformance` in scripts/lib.sh installs it and the
// suite (npm's node-<os>-<arch> package) into node_modules/.cache/mcp-conformance;
// scripts/test calls it before this file.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { equal, ok } from "../facade/assert.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const pinned = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const VERSION = pinned.dependencies["@modelcontextprotocol/conformance"];
const SUITE_DIR = process.env.MCP_CONFORMANCE_DIR ?? join(root, "node_modules", ".cache", "mcp-conformance");
// npm's Node 22 package where one exists for this platform (linux x64, arm64), else this
// Node when it is new enough.
const NODE_PACKAGE = join(SUITE_DIR, "node_modules", ".bin", "node");
const NODE = existsSync(NODE_PACKAGE) || Number(process.versions.node.split(".")[0]) < 22 ? NODE_PACKAGE : process.execPath;
const CLI = join(SUITE_DIR, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
const CLIENT = join(here, "client.mjs");
/** How many client authorization scenarios 0.1.16 has (a changed pin must update this). */
const EXPECTED_SCENARIOS = 22;
// Scenarios run side by side, each its own processes and ports; the client runs about a second.
const CONCURRENCY = Math.min(4, Math.max(2, availableParallelism()));

/**
 * Scenarios where the right client stops with an error (the suite allows it there), and
 * the error it must be: anything else (a crash, a typo) would pass the suite's check too.
 */
const EXPECTED_ERRORS = {
  // The resource metadata names another origin's resource: the SDK refuses before any authorization request.
  "auth/resource-mismatch": { message: /^Protected resource https:\/\/evil\.example\.com\/mcp does not match/ },
  // The server refuses every token: one login (maxLogins, default 1), then no browser again until a request succeeds.
  "auth/scope-retry-limit": { code: "LOGIN_REQUIRED", message: /still refuses access after the sign-ins allowed/ },
};

function run(args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(NODE, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], ...options });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function findFile(dir, name) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry.name === name) return path;
  }
  return undefined;
}

async function runScenario(scenario) {
  const out = mkdtempSync(join(tmpdir(), "ocrs-conformance-"));
  try {
    const r = await run([CLI, "client", "--command", `${NODE} ${CLIENT}`, "--scenario", scenario, "-o", out]);
    const checksFile = findFile(out, "checks.json");
    const stdoutFile = findFile(out, "stdout.txt");
    const checks = checksFile ? JSON.parse(readFileSync(checksFile, "utf8")) : [];
    const clientOut = stdoutFile ? readFileSync(stdoutFile, "utf8") : "";
    const resultLine = clientOut.split("\n").reverse().find((l) => l.startsWith("RESULT "));
    const client = resultLine ? JSON.parse(resultLine.slice(7)) : undefined;
    return { scenario, code: r.code, checks, client, log: r.stdout + r.stderr };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test(`MCP conformance ${VERSION}: every client authorization scenario passes`, { timeout: 600_000 }, async () => {
  ok(existsSync(NODE) && existsSync(CLI), `the suite is not installed in ${SUITE_DIR}: run \`bash -c 'source scripts/lib.sh; ensure_conformance'\` (scripts/test does)`);
  const installed = JSON.parse(readFileSync(join(SUITE_DIR, "node_modules", "@modelcontextprotocol", "conformance", "package.json"), "utf8")).version;
  equal(installed, VERSION, "the installed suite is the pinned version");

  const listed = await run([CLI, "list", "--client"]);
  const scenarios = [...listed.stdout.matchAll(/^\s+- (auth\/\S+)/gm)].map((m) => m[1]);
  equal(scenarios.length, EXPECTED_SCENARIOS, `client auth scenarios listed by the suite:\n${listed.stdout}`);

  const results = [];
  const queue = [...scenarios];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) results.push(await runScenario(s));
    }),
  );
  results.sort((a, b) => scenarios.indexOf(a.scenario) - scenarios.indexOf(b.scenario));

  const rows = results.map((r) => {
    const count = (status) => r.checks.filter((c) => c.status === status).length;
    return { scenario: r.scenario, passed: r.code === 0, success: count("SUCCESS"), failure: count("FAILURE"), warning: count("WARNING"), client: r.client };
  });
  const width = Math.max(...rows.map((r) => r.scenario.length));
  console.log(`\nMCP conformance ${VERSION}, client auth scenarios (checks: success/failure/warning; the client's own outcome)`);
  for (const r of rows) {
    const outcome = r.client ? (r.client.ok ? "connected, listed and called tools" : `stopped: ${r.client.message.slice(0, 90)}`) : "no result line";
    console.log(`${r.scenario.padEnd(width)}  ${r.passed ? "PASS" : "FAIL"}  ${r.success}/${r.failure}/${r.warning}  ${outcome}`);
  }
  const passed = rows.filter((r) => r.passed).length;
  console.log(`${passed} of ${rows.length} client auth scenarios pass\n`);

  for (const r of results) {
    if (r.code !== 0) console.error(`--- ${r.scenario} (suite exit ${r.code})\n${r.log}`);
  }
  for (const r of results) {
    equal(r.code, 0, `${r.scenario}: the suite reports a failure (log above)`);
    ok(r.checks.length > 0, `${r.scenario}: the suite recorded checks`);
    ok(r.client !== undefined, `${r.scenario}: the client printed its result`);
    const expected = EXPECTED_ERRORS[r.scenario];
    if (expected) {
      equal(r.client.ok, false, `${r.scenario}: the client must stop`);
      ok(expected.message.test(r.client.message), `${r.scenario}: stopped for the expected reason, not another: ${r.client.message}`);
      if (expected.code) equal(r.client.code, expected.code, `${r.scenario}: error code`);
    } else {
      equal(r.client.ok, true, `${r.scenario}: the client connected, listed and called tools (${r.client?.message})`);
    }
  }
});
