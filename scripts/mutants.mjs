// Mutation check: each named mutation breaks one claim of the README in the sources, the
// affected part is rebuilt, and the tests that should notice are run. A mutation the
// tests do not catch is a claim without a test: the script exits non-zero.
//
//   ./scripts/mutants            (all)      ./scripts/mutants NAME...   (some)
//
// Sources are restored and rebuilt after each mutation, also on Ctrl-C or an error.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO_FLAGS = ["test", "--quiet", "--no-check", "--no-lock", "--allow-read", "--allow-write", "--allow-env", "--allow-run", "--allow-net=127.0.0.1,[::1]", "--allow-sys"];

/** What to rebuild after changing a file of each part. */
const BUILDS = {
  core: [], // cargo test builds it
  ts: ["bundle_facade"],
  napi: ["build_napi"],
  wasm: ["build_wasm_node"],
};

/**
 * The mutations: `file`, the exact text `from` (it must occur `nth` time, default once),
 * its replacement `to`, the part to rebuild, and the test command that must fail.
 */
const MUTATIONS = [
  {
    name: "drop the Host check (DNS rebinding)",
    file: "crates/core/src/callback.rs",
    from: "if !self.host_ok(req.host) {",
    to: "if false && !self.host_ok(req.host) {",
    build: "core",
    test: ["cargo", "test", "--quiet", "-p", "oauth-callback-core", "callback::"],
  },
  {
    name: "accept any state",
    file: "crates/core/src/callback.rs",
    from: "if !constant_time_eq(expected.as_bytes(), received.as_bytes()) {",
    to: "if false && !constant_time_eq(expected.as_bytes(), received.as_bytes()) {",
    build: "napi",
    test: ["node", "--test", "tests/auth-code/node.test.mjs"],
  },
  {
    name: "skip the iss check before the page",
    file: "crates/core/src/callback.rs",
    from: 'check_issuer(get("iss"), issuer, *required)',
    to: 'check_issuer(Some(issuer.as_str()), issuer, *required)',
    build: "wasm",
    test: ["deno", ...DENO_FLAGS, "tests/auth-code/deno.test.mjs"],
  },
  {
    name: "no HTML escaping in custom error pages",
    file: "crates/core/src/template.rs",
    from: "escape_html(v, &mut out);",
    nth: 0,
    to: "out.push_str(v);",
    build: "napi",
    test: ["node", "--test", "tests/auth-code/node.test.mjs"],
  },
  {
    name: "the CSP allows any inline script",
    file: "crates/core/src/callback.rs",
    from: "script-src 'sha256-8A+3er73YJf04rRHGhbZwZQACPiiipi9EPduIeAAIDk='",
    to: "script-src 'unsafe-inline'",
    build: "core",
    test: ["cargo", "test", "--quiet", "-p", "oauth-callback-core", "callback::"],
  },
  {
    name: "settle when the redirect is handled, before its page is written",
    file: "crates/node/src/server.rs",
    from: "RequestKind::Completed => completing = true,",
    to: "RequestKind::Completed => break Ending::Done,",
    build: "napi",
    test: ["node", "--test", "tests/auth-code/node.test.mjs"],
  },
  {
    name: "copy over the store instead of the atomic rename",
    file: "crates/node/src/file_store.rs",
    from: "fs::rename(&tmp, &self.path)?;",
    to: "fs::copy(&tmp, &self.path)?; fs::remove_file(&tmp)?;",
    build: "napi",
    test: ["node", "--test", "tests/store/durability.test.mjs"],
  },
  {
    name: "skip the directory fsync",
    file: "crates/node/src/file_store.rs",
    from: "File::open(dir)?.sync_all()?;",
    to: "File::open(dir)?;",
    build: "napi",
    test: ["node", "--test", "tests/store/durability.test.mjs"],
  },
  {
    name: "accept an encrypted file cut short",
    file: "crates/core/src/store_envelope.rs",
    from: '.ok_or_else(|| corrupt("the final newline is missing (truncated?)"))?;',
    to: ".unwrap_or(body);",
    build: "napi",
    test: ["node", "--test", "tests/store/node.test.mjs"],
  },
  {
    name: "write without the lock (Deno file store)",
    file: "npm/src/deno/file-store.ts",
    from: "const held = await lock();",
    to: "const held = { close() {} };",
    build: "ts",
    test: ["node", "--test", "tests/store/durability.test.mjs"],
  },
  {
    name: "remove the under-lock re-check before a refresh",
    file: "npm/src/client/oauth-client.ts",
    from: "if (!force && !this.#stale(current)) {",
    to: "if (false && !force && !this.#stale(current)) {",
    build: "ts",
    test: ["node", "--test", "tests/client/processes.test.mjs"],
  },
  {
    name: "OAuthError message as 'code: description'",
    file: "npm/src/errors.ts",
    from: "super(options?.message ?? (description || error),",
    to: "super(description ? `${error}: ${description}` : error,",
    build: "ts",
    test: ["node", "--test", "tests/differential/node.test.mjs"],
  },
  {
    name: "unknown options ignored",
    file: "npm/src/options.ts",
    from: "    if (known.includes(key)) continue;",
    to: "    continue;",
    build: "ts",
    test: ["node", "--test", "tests/store/node.test.mjs"],
  },
];

function sh(fn) {
  execFileSync("bash", ["-c", `source scripts/lib.sh; ${fn}`], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

function rebuild(part) {
  for (const fn of BUILDS[part]) sh(fn);
}

function mutate(m) {
  const path = `${ROOT}${m.file}`;
  const original = readFileSync(path, "utf8");
  const parts = original.split(m.from);
  const nth = m.nth ?? 0;
  if (parts.length < 2 || (m.nth === undefined && parts.length !== 2) || nth >= parts.length - 1) {
    throw new Error(`mutation "${m.name}" no longer applies: ${m.file} has ${parts.length - 1} occurrence(s) of its text`);
  }
  const mutated = parts.slice(0, nth + 1).join(m.from) + m.to + parts.slice(nth + 1).join(m.from);
  writeFileSync(path, mutated);
  return () => writeFileSync(path, original);
}

const wanted = process.argv.slice(2);
const selected = wanted.length ? MUTATIONS.filter((m) => wanted.some((w) => m.name.includes(w))) : MUTATIONS;
const rows = [];
let restore;
const cleanup = () => {
  if (!restore) return;
  restore();
  restore = undefined;
};
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});

try {
  for (const m of selected) {
    process.stderr.write(`mutant: ${m.name} ... `);
    restore = mutate(m);
    let caught;
    try {
      rebuild(m.build);
      const [cmd, ...args] = m.test;
      const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", timeout: 15 * 60_000, env: { ...process.env, PATH: `${ROOT}node_modules/.bin:${process.env.PATH}` } });
      caught = r.status !== 0;
      // The first failing test: node --test ("not ok N - name"), cargo ("test name ... FAILED"), deno ("name ... FAILED").
      const out = `${r.stdout}\n${r.stderr}`.replace(/\u001b\[[0-9;]*m/g, "");
      const first = (out.match(/^not ok \d+ - (.+)$/m) ?? out.match(/^---- (\S+) stdout ----$/m) ?? out.match(/^(\S.*?) \.\.\. FAILED/m))?.[1];
      rows.push({ name: m.name, test: m.test.slice(-1)[0], caughtBy: caught ? (first ?? "(failed)") : "NOT CAUGHT" });
    } finally {
      cleanup();
      rebuild(m.build);
    }
    process.stderr.write(caught ? "caught\n" : "NOT CAUGHT\n");
  }
} finally {
  cleanup();
}

const width = Math.max(...rows.map((r) => r.name.length), 8);
console.log(`${"mutation".padEnd(width)}  suite, and the first test that failed`);
for (const r of rows) console.log(`${r.name.padEnd(width)}  ${r.test}: ${r.caughtBy}`);
const survived = rows.filter((r) => r.caughtBy === "NOT CAUGHT");
console.log(`\n${rows.length - survived.length} of ${rows.length} mutations caught`);
process.exit(survived.length ? 1 : 0);
