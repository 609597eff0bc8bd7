// OAuthClient across processes: Node, Bun and Deno processes share one token file, all
// holding an expired token, and call getValidToken() at the same moment against
// oidc-provider, which rotates refresh tokens (and revokes the grant when a rotated one
// is used again). Exactly one refresh request may reach the server: the others wait on
// the store's lock, see the fresh tokens under it, and use them.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as lib from "oauth-callback-rs";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";
import { PUBLIC_CLIENT, startProvider } from "../../examples/local-server/provider.mjs";
import { equal, ok } from "../facade/assert.mjs";

const WORKER = fileURLToPath(new URL("./refresh-worker.mjs", import.meta.url));
const BIN = fileURLToPath(new URL("../../node_modules/.bin/", import.meta.url));

let provider;
before(async () => {
  provider = await startProvider();
});
after(() => provider?.close());

/** Starts a worker; resolves once it is ready (its client built, waiting for "go"). */
function worker(runtime, issuer, path, clientId = PUBLIC_CLIENT) {
  const args = [WORKER, issuer, path, clientId];
  const [cmd, argv] =
    runtime === "node"
      ? [process.execPath, args]
      : runtime === "bun"
        ? [`${BIN}bun`, args]
        : [`${BIN}deno`, ["run", "--no-check", "--no-lock", "--allow-read", "--allow-write", "--allow-env", "--allow-net", "--allow-sys", "--allow-ffi", ...args]];
  const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => child.on("close", (code) => resolve({ code, out, err })));
  const ready = new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("ready\n")) resolve();
    });
    exited.then((r) => reject(new Error(`${runtime} worker exited before it was ready: ${r.err}`)));
  });
  return { runtime, child, ready, exited };
}

/** A short digest of a token, so no process prints a secret. */
async function fingerprint(token) {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(d)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("");
}

for (const runtimes of [["node", "node", "bun", "deno"], ["node", "bun", "bun", "deno", "deno", "node"]]) {
  test(`client processes: ${runtimes.length} processes (${runtimes.join(", ")}) with an expired token make exactly one refresh`, async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ocrs-client-proc-")), "tokens.json");
    const signIn = new lib.OAuthClient({ issuer: provider.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"], storage: lib.fileStore(path), launch: (url) => headlessSignIn(url) });
    const first = await signIn.authenticate();
    ok(typeof first.refreshToken === "string", "signed in with a refresh token");
    // Expire the stored access token, as if every process started an hour later.
    const store = lib.fileStore(path);
    const doc = JSON.parse(await (await import("node:fs/promises")).readFile(path, "utf8"));
    const keys = Object.keys(doc).filter((k) => !k.startsWith("__"));
    equal(keys.length, 1, `one entry in the store: ${keys}`);
    await store.update(keys[0], (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));
    const refreshesBefore = provider.counts.refresh;

    const workers = runtimes.map((r) => worker(r, provider.issuer, path));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.end("go\n");
    const results = await Promise.all(workers.map((w) => w.exited));
    results.forEach((r, i) => equal(r.code, 0, `${runtimes[i]} worker: ${r.err.slice(-400)}`));
    const tokens = results.map((r) => JSON.parse(r.out.slice(r.out.indexOf("ready\n") + 6)).fingerprint);
    equal(provider.counts.refresh - refreshesBefore, 1, "exactly one refresh request reached the server");
    equal(new Set(tokens).size, 1, "every process uses the same fresh access token");
    ok(tokens[0] !== (await fingerprint(first.accessToken)), "a new access token");
    const after = await store.get(keys[0]);
    ok(after.refreshToken && after.refreshToken !== first.refreshToken, "the rotated refresh token is stored");
  });
}

test("client processes: two processes signing in for the first time register exactly one client", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "ocrs-client-reg-")), "tokens.json");
  const registrationsBefore = provider.counts.registration;
  const workers = ["node", "deno"].map((r) => worker(r, provider.issuer, path, "register"));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin.end("go\n");
  const results = await Promise.all(workers.map((w) => w.exited));
  results.forEach((r, i) => equal(r.code, 0, `worker ${i}: ${r.err.slice(-400)}`));
  equal(provider.counts.registration - registrationsBefore, 1, "one registration, done under the store's lock, reused by the other process");
});
