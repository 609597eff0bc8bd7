// redisStore across processes (Node, Bun and Deno, as machines of a fleet would be), all
// on one real redis-server: no lost update, one refresh for a fleet against oidc-provider
// (which rotates refresh tokens and revokes the grant on reuse), a holder killed with the
// lock, a holder that stalls past its lease (fencing), and Redis restarted mid-run.
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createClient } from "@redis/client";
import * as lib from "oauth-callback-rs";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";
import { PUBLIC_CLIENT, startProvider } from "../../examples/local-server/provider.mjs";
import { equal, ok } from "../facade/assert.mjs";
import { startRedis } from "./server.mjs";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const BIN = fileURLToPath(new URL("../../node_modules/.bin/", import.meta.url));
const KEY = Array.from({ length: 32 }, (_, i) => (i * 11 + 7) % 256);

let redis;
let provider;
let raw;
let unique = 0;
before(async () => {
  redis = await startRedis();
  provider = await startProvider();
  raw = createClient({ url: redis.url });
  raw.on("error", () => undefined);
  await raw.connect();
});
after(async () => {
  await raw?.close().catch(() => undefined);
  await redis?.stop();
  await provider?.close();
});

const prefix = () => `p${Date.now().toString(36)}${unique++}:`;

/** Starts a worker; `ready` resolves when it waits for "go"; `line(re)` when it prints a matching line. */
function worker(runtime, mode, options) {
  const args = [WORKER, mode, JSON.stringify({ url: redis.url, ...options })];
  const [cmd, argv] =
    runtime === "node"
      ? [process.execPath, args]
      : runtime === "bun"
        ? [`${BIN}bun`, args]
        : [`${BIN}deno`, ["run", "--quiet", "--no-check", "--no-lock", "--allow-read", "--allow-env", "--allow-sys", "--allow-net=127.0.0.1", ...args]];
  const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters = [];
  child.stderr.on("data", (d) => (err += d));
  child.stdout.on("data", (d) => {
    out += d;
    for (const w of waiters.splice(0)) if (!w()) waiters.push(w);
  });
  const exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, out, err })));
  /** Resolves once the output has `count` lines matching `re`. */
  const lines = (re, count = 1) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = out.split("\n").filter((l) => re.test(l));
        if (found.length >= count) resolve(found);
        return found.length >= count;
      };
      if (!check()) waiters.push(check);
      exited.then((r) => reject(new Error(`${runtime} ${mode} worker exited (${r.code ?? r.signal}) before printing ${re}: ${r.err.slice(-600)}`)));
    });
  const result = async () => {
    const r = await exited;
    if (r.code !== 0) throw new Error(`${runtime} ${mode} worker failed (${r.code ?? r.signal}): ${r.err.slice(-600)}`);
    return JSON.parse(r.out.trim().split("\n").at(-1));
  };
  return { runtime, child, ready: lines(/^ready$/), lines, exited, result, send: (line) => child.stdin.write(`${line}\n`) };
}

/** Polls `condition` until it holds (the condition is the point, not the time it takes). */
async function until(condition) {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 10));
}

const RUNTIMES_8 = ["node", "bun", "deno", "node", "bun", "deno", "node", "bun"];

test("8 processes (Node, Bun, Deno) x 50 increments of one entry: 400 of 400 kept", async () => {
  const p = prefix();
  const workers = RUNTIMES_8.map((r) => worker(r, "count", { prefix: p, n: 50, encryptionKey: KEY }));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.send("go");
  const results = await Promise.all(workers.map((w) => w.result()));
  results.forEach((r) => equal(r.done, 50, "each worker finished"));
  const store = lib.redisStore({ url: redis.url, prefix: p, encryptionKey: new Uint8Array(KEY) });
  try {
    equal((await store.getEntry("shared")).discovery.count, 400, "every increment kept");
  } finally {
    await store.close();
  }
  equal(await raw.exists(`${p}{shared}:lock`), 0, "no lock left behind");
});

for (const runtimes of [["node", "bun", "deno", "node", "bun", "deno"]]) {
  test(`${runtimes.length} processes (${runtimes.join(", ")}) with an expired token make exactly one refresh`, async () => {
    const p = prefix();
    const store = lib.redisStore({ url: redis.url, prefix: p, encryptionKey: new Uint8Array(KEY) });
    try {
      const signIn = new lib.OAuthClient({ issuer: provider.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"], storage: store, launch: (url) => headlessSignIn(url) });
      const first = await signIn.authenticate();
      ok(typeof first.refreshToken === "string", "signed in with a refresh token");
      const keys = await raw.keys(`${p}*`);
      equal(keys.length, 1, `one entry in Redis: ${keys}`);
      // Expire the stored access token, as if every process started an hour later.
      await store.update(provider.issuer, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));
      const refreshesBefore = provider.counts.refresh;
      const workers = runtimes.map((r) => worker(r, "refresh", { prefix: p, encryptionKey: KEY, issuer: provider.issuer, clientId: PUBLIC_CLIENT }));
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.send("go");
      const prints = await Promise.all(workers.map((w) => w.result()));
      equal(provider.counts.refresh - refreshesBefore, 1, "exactly one refresh request reached the server");
      equal(new Set(prints.map((r) => r.fingerprint)).size, 1, "every process uses the same fresh access token");
      const fresh = await store.get(provider.issuer);
      ok(fresh.refreshToken && fresh.refreshToken !== first.refreshToken, "the rotated refresh token is stored");
      ok(fresh.expiresAt > Date.now(), "the stored access token is fresh");
    } finally {
      await store.close();
    }
  });
}

test("a process SIGKILLed while holding the lock: the others continue once its lease has passed", async () => {
  const p = prefix();
  const leaseMs = 1500;
  const holder = worker("node", "hold", { prefix: p, value: "never-written", store: { leaseMs } });
  await holder.ready;
  holder.send("go");
  await holder.lines(/^holding$/);
  const lockKey = `${p}{shared}:lock`;
  const deadToken = await raw.get(lockKey);
  ok(typeof deadToken === "string" && deadToken.length === 32, "the holder holds the lock");
  const others = ["bun", "deno"].map((r) => worker(r, "count", { prefix: p, n: 5, store: { leaseMs, lockTimeoutMs: 30_000 } }));
  await Promise.all(others.map((w) => w.ready));
  for (const w of others) w.send("go");
  holder.child.kill("SIGKILL");
  const dead = await holder.exited;
  equal(dead.signal, "SIGKILL", "the holder was killed");
  const results = await Promise.all(others.map((w) => w.result()));
  results.forEach((r) => equal(r.done, 5, "each waiting process finished"));
  const store = lib.redisStore({ url: redis.url, prefix: p });
  try {
    const entry = await store.getEntry("shared");
    equal(entry.discovery.count, 10, "both processes' increments");
    equal(entry.tokens, undefined, "the killed holder wrote nothing");
  } finally {
    await store.close();
  }
});

for (const runtime of ["node", "bun", "deno"]) {
  test(`fencing (${runtime}): a holder frozen past its lease wakes up and cannot overwrite the newer value`, async () => {
    const p = prefix();
    const holder = worker(runtime, "hold", { prefix: p, value: "stale", store: { leaseMs: 200 } });
    await holder.ready;
    holder.send("go");
    await holder.lines(/^holding$/);
    holder.child.kill("SIGSTOP");
    const lockKey = `${p}{shared}:lock`;
    // The lease runs out on the server while the holder is frozen.
    await until(async () => (await raw.exists(lockKey)) === 0);
    const store = lib.redisStore({ url: redis.url, prefix: p });
    try {
      await store.set("shared", { accessToken: "newer" });
      holder.child.kill("SIGCONT");
      holder.send("wake");
      const r = await holder.result();
      equal(r.code, "STORE_LOCK_LOST", "the stale holder's write is refused");
      equal((await store.get("shared")).accessToken, "newer", "the newer value stands");
    } finally {
      await store.close();
    }
  });
}

test("Redis killed and restarted mid-run: typed errors while it is down, no lost or torn entry after", async (t) => {
  const p = prefix();
  const runtimes = ["node", "bun", "deno"];
  const n = 20;
  const store = { leaseMs: 1000, lockTimeoutMs: 30_000, commandTimeoutMs: 1000, connectTimeoutMs: 1000 };
  const workers = runtimes.map((r) => worker(r, "churn", { prefix: p, n, encryptionKey: KEY, store }));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.send("go");
  // Kill it mid-run: once every worker has some increments behind it.
  await Promise.all(workers.map((w) => w.lines(/^ok /, 5)));
  await redis.kill("SIGKILL");
  // Down: every worker sees a typed failure (the workers keep trying).
  await Promise.all(workers.map((w) => w.lines(/^failure /)));
  await redis.restart();
  for (const w of workers) w.send("finish");
  const results = await Promise.all(workers.map((w) => w.result()));
  let failed = 0;
  let acknowledged = 0;
  for (const r of results) {
    ok(r.ok >= n, "each worker reached its increments");
    acknowledged += r.ok;
    for (const [code, count] of Object.entries(r.failures)) {
      ok(["STORE_UNAVAILABLE", "STORE_LOCK_LOST"].includes(code), `a typed failure while Redis was away, got ${code}`);
      failed += count;
    }
  }
  ok(failed >= runtimes.length, "failures were seen");
  const reader = lib.redisStore({ url: redis.url, prefix: p, encryptionKey: new Uint8Array(KEY) });
  try {
    // The append-only file kept every acknowledged write; an update whose reply was lost
    // with the connection may or may not have landed: never half of it (one SET).
    const count = (await reader.getEntry("shared")).discovery.count;
    ok(count >= acknowledged, `no acknowledged increment lost: ${count} >= ${acknowledged}`);
    ok(count <= acknowledged + failed, `no increment counted twice: ${count} <= ${acknowledged} + ${failed} unacknowledged`);
    t.diagnostic(`final count ${count}; acknowledged ${acknowledged}; failures while down: ${JSON.stringify(results.map((r) => r.failures))}`);
  } finally {
    await reader.close();
  }
  // The test's own client reconnects after the restart.
  await until(async () => raw.isReady);
  equal(await raw.exists(`${p}{shared}:lock`), 0, "no lock left behind");
});
