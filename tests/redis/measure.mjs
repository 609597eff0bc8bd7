// The figures in the README's "Many machines" section, on a real redis-server:
//   node tests/redis/measure.mjs [increments per process, default 200]
// - updates/s: 8 processes (3 Node, 3 Bun, 2 Deno) making `update` increments of one
//   entry, from "go" to the last one done (process start-up not counted);
// - lock hand-over: from the end of one holder's update function to the start of the
//   next holder's, in another process (write + release, the waiter's next try, take + read).
// A measurement, not a test: it prints figures and checks only that nothing was lost.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as lib from "oauth-callback-rs";
import { startRedis } from "./server.mjs";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const BIN = fileURLToPath(new URL("../../node_modules/.bin/", import.meta.url));
const N = Number(process.argv[2] ?? 200);
const RUNTIMES = ["node", "bun", "deno", "node", "bun", "deno", "node", "bun"];
const KEY = Array.from({ length: 32 }, (_, i) => i);

function run(runtime, options) {
  const args = [WORKER, "count", JSON.stringify(options)];
  const [cmd, argv] =
    runtime === "node" ? [process.execPath, args] : runtime === "bun" ? [`${BIN}bun`, args] : [`${BIN}deno`, ["run", "--quiet", "--no-check", "--no-lock", "--allow-read", "--allow-env", "--allow-sys", "--allow-net=127.0.0.1", ...args]];
  const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const ready = new Promise((resolve) => child.stdout.on("data", () => out.includes("ready\n") && resolve()));
  const done = new Promise((resolve, reject) =>
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1))) : reject(new Error(`${runtime} worker exited ${code}`)))),
  );
  return { child, ready, done };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function measure(redis, label, encrypted) {
  const prefix = `m${Date.now().toString(36)}:`;
  const options = { url: redis.url, prefix, n: N, timeline: true, ...(encrypted ? { encryptionKey: KEY } : {}) };
  const workers = RUNTIMES.map((r) => run(r, options));
  await Promise.all(workers.map((w) => w.ready));
  const start = performance.timeOrigin + performance.now();
  for (const w of workers) w.child.stdin.write("go\n");
  const results = await Promise.all(workers.map((w) => w.done));
  const end = performance.timeOrigin + performance.now();
  const store = lib.redisStore({ url: redis.url, prefix, ...(encrypted ? { encryptionKey: new Uint8Array(KEY) } : {}) });
  const count = (await store.getEntry("shared")).discovery.count;
  await store.close();
  const total = N * RUNTIMES.length;
  if (count !== total) throw new Error(`lost updates: ${count} of ${total}`);
  // Every function run, in order; a gap between two runs in different processes is a hand-over.
  const runs = results.flatMap((r, w) => r.timeline.map(([s, e]) => ({ s, e, w }))).sort((a, b) => a.s - b.s);
  const gaps = [];
  for (let i = 1; i < runs.length; i++) if (runs[i].w !== runs[i - 1].w) gaps.push(runs[i].s - runs[i - 1].e);
  gaps.sort((a, b) => a - b);
  return {
    label,
    updates: `${count}/${total}`,
    "updates/s": Math.round(total / ((end - start) / 1000)),
    "hand-overs": gaps.length,
    "hand-over median ms": quantile(gaps, 0.5).toFixed(2),
    "hand-over p95 ms": quantile(gaps, 0.95).toFixed(2),
  };
}

const redis = await startRedis();
try {
  const rows = [await measure(redis, "plain", false), await measure(redis, "encrypted (raw key)", true)];
  console.table(rows);
} finally {
  await redis.stop();
}
