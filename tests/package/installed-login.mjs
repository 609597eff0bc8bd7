// For the release workflow's test job on each OS (and anyone with tarballs in hand):
// installs oauth-callback-rs and one platform package from the tarballs in DIR into a
// fresh project (npm install --offline: no registry, no workspace link), then runs
// consumer/login.mjs there: a real loopback login against oidc-provider, the addon from
// the platform package. Exits non-zero with the reason on any failure.
//
//   node tests/package/installed-login.mjs DIR TRIPLE
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startProvider } from "../../examples/local-server/provider.mjs";

const [dirArg, triple] = process.argv.slice(2);
if (!dirArg || !triple) {
  console.error("usage: node tests/package/installed-login.mjs DIR TRIPLE");
  process.exit(2);
}
const dir = resolve(dirArg);
const here = fileURLToPath(new URL(".", import.meta.url));
const tarballs = readdirSync(dir).filter((f) => f.endsWith(".tgz") && (/^oauth-callback-rs-\d/.test(f) || f.startsWith(`oauth-callback-rs-${triple}-`)));
if (tarballs.length !== 2) throw new Error(`expected oauth-callback-rs and oauth-callback-rs-${triple} tarballs in ${dir}, found: ${tarballs.join(", ") || "none"}`);

const project = mkdtempSync(join(tmpdir(), "oauth-callback-rs-installed-"));
const provider = await startProvider();
try {
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  copyFileSync(join(here, "consumer", "login.mjs"), join(project, "login.mjs"));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  execFileSync(npm, ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.map((t) => join(dir, t))], { cwd: project, stdio: "inherit", shell: process.platform === "win32" });
  const headless = pathToFileURL(join(here, "..", "..", "examples", "local-server", "headless-user.mjs")).href;
  const env = { ...process.env, ISSUER: provider.issuer, TRIPLE: triple, HEADLESS_USER_URL: headless };
  delete env.OAUTH_CALLBACK_RS_NATIVE;
  // Asynchronously: the authorization server runs in this process.
  const { stdout: out } = await promisify(execFile)(process.execPath, ["login.mjs"], { cwd: project, env, encoding: "utf8", timeout: 120_000 });
  const result = JSON.parse(out.trim().split("\n").at(-1));
  if (result.tokenType !== "Bearer" || !String(result.addon).includes(`oauth-callback-rs-${triple}`)) throw new Error(`unexpected result: ${out}`);
  console.log(`installed package on ${triple}: signed in (${result.tokenType}, scope ${result.scope}), addon from ${result.addon}`);
} finally {
  await provider.close();
  rmSync(project, { recursive: true, force: true });
}
