// The loopback login under a junk burst, timed against the peer `oauth-callback` 2.2.1 in
// the same runtime: Node, or Deno (with --allow-ffi the package serves on the addon's
// server, without it on its Deno.listen driver; the peer on Deno.serve).
//
//   node bench/burst.mjs [rounds] [--json] [--sender=c]         (default 20; after a build)
//   deno run --no-check --no-lock --allow-read --allow-env --allow-sys --allow-run \
//     --allow-net=127.0.0.1 [--allow-ffi] bench/burst.mjs [rounds] [--json] [--sender=c]
//
// A benchmark, not a test: it asserts nothing about time.
//
// Each flow: getAuthCode({ port, hostname: "127.0.0.1", timeout }) on a free port; once the
// port accepts, a "burst" flow asks bench/junk-child.mjs (a separate Node process) to open
// 200 junk connections to it at once (bench/junk-child.mjs: favicon, wrong path, malformed
// query, TLS ClientHello, garbage line, 64 KiB header, idle half-sent) and, once half of
// them are connected (the other half still connecting), this process sends the real callback
// (GET /callback?code=...&state=..., as in bench/loopback.mjs) and times
//   callback to response   connect + send -> the response read
//   callback to resolved   connect + send -> the getAuthCode promise resolves
// and checks correctness: the promise resolved with this callback's code and state. A
// "quiet" flow is the same without the junk. A third column, the floor, is
// bench/floor-server.c (compiled into target/ with the system's cc; left out without one): a
// C epoll server that answers the callback and nothing more, in a process of its own, so
// its burst/quiet ratio is what this machine imposes, and each library's burst figure is
// also given as a paired ratio to the floor's (response times; the floor has no promise).
// With --sender=c the junk comes from bench/junk-sender.c instead (same connections, same
// bytes, opened as fast as one thread can), which shows that the burst's cost here is
// the system calls of each loopback connection, not Node's work in the sender. Each round runs quiet and burst flows of both
// libraries in an order rotated per round; burst/quiet is paired (burst / quiet of the
// same library in the same round), median [p10-p90] over rounds. The first rounds are a
// warm-up and are not counted.
import * as net from "node:net";
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as ours from "oauth-callback-rs";
import * as peer from "oauth-callback";
import { buildC } from "./cc.mjs";
import { freePort } from "./ports.mjs";
import { argv, emitJson, num, out, pairedRatio, ratio, rotate, spread, summary } from "./stats.mjs";

const { positional, json, flags } = argv();
const cSender = flags.has("--sender=c");
const rounds = Number(positional[0] ?? 20);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("usage: bench/burst.mjs [rounds] [--json]");
const print = out(json);
const warmup = 2;
const HOST = "127.0.0.1";
const TIMEOUT = 15_000; // getAuthCode's timeout
const RESPONSE_BOUND = 10_000; // a real callback with no response by then counts as failed

const isDeno = typeof Deno !== "undefined";
const ffi = isDeno && Deno.permissions.querySync({ name: "ffi" }).state === "granted";
const runtime = isDeno ? `deno ${Deno.version.deno}${ffi ? " --allow-ffi (addon)" : " (Deno.listen driver)"}` : `node ${process.version} (addon)`;
const runtimeShort = isDeno ? (ffi ? "Deno --allow-ffi" : "Deno, no ffi") : "Node";

const floorBuild = buildC("floor-server");
if (floorBuild.failed) console.error(`  burst: no floor column (cc: ${floorBuild.failed})`);
const floorBin = floorBuild.bin;

/** The floor's server on `port`; resolves once it listens. `stop()` kills it. */
function startFloor(port) {
  const child = spawn(floorBin, [String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", () => resolve({ stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once("exit", r), child.kill()))) }));
  });
}

const libs = [
  { key: "ours", name: "oauth-callback-rs", getAuthCode: ours.getAuthCode },
  { key: "peer", name: "oauth-callback 2.2.1", getAuthCode: peer.getAuthCode },
  ...(floorBin ? [{ key: "floor", name: "floor (C epoll server)", floor: true }] : []),
];
const now = () => performance.now();
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

// The junk process.
const nodeBin = (isDeno ? Deno.env.get("BENCH_NODE") : process.env.BENCH_NODE) ?? (isDeno ? "node" : process.execPath);
function junkCommand() {
  if (!cSender) return [nodeBin, [fileURLToPath(new URL("./junk-child.mjs", import.meta.url))]];
  const sender = buildC("junk-sender");
  if (sender.failed) throw new Error(`--sender=c: cannot build bench/junk-sender.c (cc: ${sender.failed})`);
  return [sender.bin, []];
}
const junk = spawn(...junkCommand(), { stdio: ["pipe", "pipe", "inherit"] });
let junkBuf = "";
const junkMessages = [];
const junkWaiters = [];
junk.stdout.on("data", (d) => {
  junkBuf += d;
  for (let i = junkBuf.indexOf("\n"); i >= 0; i = junkBuf.indexOf("\n")) {
    const msg = JSON.parse(junkBuf.slice(0, i));
    junkBuf = junkBuf.slice(i + 1);
    const w = junkWaiters.shift();
    if (w) w(msg);
    else junkMessages.push(msg);
  }
});
/** The junk process's next message. */
const junkNext = () => (junkMessages.length ? Promise.resolve(junkMessages.shift()) : new Promise((resolve) => junkWaiters.push(resolve)));
const junkSend = (line) => junk.stdin.write(`${line}\n`);


async function probeListen(port, flow) {
  for (;;) {
    if (flow.failed) throw flow.failed;
    const ok = await new Promise((resolve) => {
      const sock = net.connect({ port, host: HOST });
      sock.once("connect", () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
    });
    if (ok) return;
    await turn();
  }
}

/** The browser's request; resolves with the time the response was read, or rejects. */
function sendCallback(port, path) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: HOST });
    let buf = "";
    let need = -1;
    let start = -1;
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const at = now();
      sock.destroy();
      if (err) reject(err);
      else resolve({ at, status: Number(buf.slice(9, 12)) });
    };
    const timer = setTimeout(() => finish(new Error(`no response in ${RESPONSE_BOUND} ms`)), RESPONSE_BOUND);
    sock.on("error", (err) => finish(err));
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      if (start < 0) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        start = end + 4;
        const m = /\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end));
        if (m) need = Number(m[1]);
        else if (/\r\ntransfer-encoding: *chunked/i.test(buf.slice(0, end))) need = -2;
      }
      const body = buf.length - start;
      if (need >= 0 && body >= need) finish();
      else if (need === -2 && buf.endsWith("0\r\n\r\n")) finish();
    });
    sock.on("end", () => (start >= 0 ? finish() : finish(new Error("closed before a response"))));
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUser-Agent: bench/burst.mjs\r\nAccept: */*\r\n\r\n`);
  });
}

const token = () => randomBytes(12).toString("base64url");

/** One login; resolves to { response, resolved, correct, error?, junk? }. */
async function flow(lib, kind) {
  const port = await freePort();
  const code = token();
  const state = token();
  const f = { failed: null };
  let resolvedAt = 0;
  // The floor has no promise: it "resolves" when its answer is read.
  const floor = lib.floor ? await startFloor(port) : null;
  let floorDone;
  const started = floor ? new Promise((resolve) => (floorDone = resolve)) : lib.getAuthCode({ port, hostname: HOST, timeout: TIMEOUT });
  const settled = started.then(
    (result) => {
      resolvedAt = now();
      return result;
    },
    (err) => {
      f.failed = err;
      throw err;
    },
  );
  settled.catch(() => undefined);
  await probeListen(port, f);
  let mid = null;
  if (kind === "burst") {
    junkSend(`burst ${port}`);
    mid = await junkNext(); // half of the junk connected: the callback comes now
  }
  const sentAt = now();
  const sample = { correct: false };
  try {
    const sent = sendCallback(port, `/callback?code=${code}&state=${state}`);
    if (floor) sent.then((res) => floorDone(res.status === 200 ? { code, state } : {}), () => floorDone({}));
    const [res, result] = await Promise.all([sent, settled]);
    sample.response = res.at - sentAt;
    sample.resolved = resolvedAt - sentAt;
    sample.correct = res.status === 200 && result.code === code && result.state === state;
    if (!sample.correct) sample.error = `status ${res.status}, result ${JSON.stringify(result).slice(0, 80)}`;
  } catch (err) {
    sample.error = String(err?.message ?? err).slice(0, 120);
    await settled.catch(() => undefined);
  }
  if (kind === "burst") {
    const ready = await junkNext();
    junkSend("close");
    const closed = await junkNext();
    sample.junk = closed.kinds;
    sample.burstMs = ready.ms;
    sample.midMs = mid.ms;
  }
  await floor?.stop();
  return sample;
}

// rows[lib][kind] = samples in round order (paired by index).
const rows = Object.fromEntries(libs.map((l) => [l.key, { quiet: [], burst: [] }]));
const flows = libs.flatMap((lib) => ["quiet", "burst"].map((kind) => [lib, kind]));
const started = now();
for (let i = 0; i < warmup + rounds; i++) {
  for (const [lib, kind] of rotate(flows, i)) {
    const s = await flow(lib, kind);
    if (i >= warmup) rows[lib.key][kind].push(s);
  }
  if (i + 1 > warmup && ((i + 1 - warmup) % 10 === 0 || i + 1 === warmup + rounds)) console.error(`  burst (${runtimeShort}): ${i + 1 - warmup}/${rounds} rounds, ${((now() - started) / 1000).toFixed(1)} s`);
}
junk.stdin.end();

const col = (xs, f) => xs.map((s) => (s.correct ? s[f] : NaN));
const correct = (xs) => `${xs.filter((s) => s.correct).length}/${xs.length}`;
const W = [34, 26, 26];
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(W[0]) : c.padStart(W[i] ?? 26))).join(" ");
print(`loopback under a junk burst of 200 connections, ${runtime}, ${new Date().toISOString()}`);
print(`${rounds} rounds (+${warmup} warm-up), one process (junk from another: ${cSender ? "bench/junk-sender.c" : "bench/junk-child.mjs in Node"}), rotated order; median [p10-p90]`);
print("");
print(line(["figure", ...libs.map((l) => l.name)]));
const stats = {};
for (const lib of libs) {
  const r = rows[lib.key];
  stats[lib.key] = {
    quietResolved: summary(col(r.quiet, "resolved")),
    burstResolved: summary(col(r.burst, "resolved")),
    quietResponse: summary(col(r.quiet, "response")),
    burstResponse: summary(col(r.burst, "response")),
    burstOverQuiet: pairedRatio(col(r.burst, "resolved"), col(r.quiet, "resolved")),
    // Response times, paired per round with the floor's burst flow (null without a floor).
    burstOverFloor: floorBin ? pairedRatio(col(r.burst, "response"), col(rows.floor.burst, "response")) : null,
    correctQuiet: r.quiet.filter((s) => s.correct).length,
    correctBurst: r.burst.filter((s) => s.correct).length,
    flows: r.burst.length,
  };
}
const S = stats;
const each = (label, f) => print(line([label, ...libs.map((l) => f(S[l.key], rows[l.key]))]));
each("quiet: callback to response ms", (x) => spread(x.quietResponse));
each("quiet: callback to resolved ms", (x) => spread(x.quietResolved));
each("burst: callback to response ms", (x) => spread(x.burstResponse));
each("burst: callback to resolved ms", (x) => spread(x.burstResolved));
each("burst/quiet, resolved (paired)", (x) => ratio(x.burstOverQuiet));
if (floorBin) each("burst response / floor's (paired)", (x) => ratio(x.burstOverFloor));
each("correct, quiet flows", (_, r) => correct(r.quiet));
each("correct, burst flows", (_, r) => correct(r.burst));
each("junk: half connected at ms", (_, r) => spread(summary(r.burst.map((s) => s.midMs))));
each("junk: all connected and sent at ms", (_, r) => spread(summary(r.burst.map((s) => s.burstMs))));
print("");
print("junk answers, summed over the burst flows (status, or what happened):");
for (const lib of libs) {
  const sum = {};
  for (const s of rows[lib.key].burst) for (const [k, v] of Object.entries(s.junk ?? {})) for (const [st, n] of Object.entries(v)) ((sum[k] ??= {})[st] = (sum[k][st] ?? 0) + n);
  print(`  ${lib.name}:`);
  for (const [k, v] of Object.entries(sum)) print(`    ${k.padEnd(18)} ${Object.entries(v).map(([st, n]) => `${st}: ${n}`).join(", ")}`);
}
const errors = libs.flatMap((lib) => [...rows[lib.key].quiet, ...rows[lib.key].burst].filter((s) => !s.correct).map((s) => `${lib.name}: ${s.error}`));
if (errors.length) {
  print("");
  print(`failed flows (${errors.length}), first ones:`);
  for (const e of errors.slice(0, 6)) print(`  ${e}`);
}
print(`\nwall ${((now() - started) / 1000).toFixed(1)} s`);

if (json) {
  const o = S.ours;
  const p = S.peer;
  const pct = (n, d) => `${d ? ((100 * n) / d).toFixed(0) : "n/a"} %`;
  emitJson({
    name: `burst-${runtimeShort}${cSender ? "-c-sender" : ""}`,
    env: runtime,
    rounds,
    stats,
    rows: [
      {
        figure: `junk burst (${runtimeShort}${cSender ? ", junk from the C sender" : ""}): burst/quiet, callback to resolved`,
        ours: `${ratio(o.burstOverQuiet)}; ${num(o.burstResolved.median)} vs ${num(o.quietResolved.median)} ms; correct ${pct(o.correctBurst, o.flows)}`,
        peers: [`oauth-callback ${ratio(p.burstOverQuiet)}; ${num(p.burstResolved.median)} vs ${num(p.quietResolved.median)} ms; correct ${pct(p.correctBurst, p.flows)}`],
        ratio: `burst resolved ${ratio(pairedRatio(col(rows.ours.burst, "resolved"), col(rows.peer.burst, "resolved")))} of oauth-callback's${floorBin ? `; floor (C epoll server) burst/quiet ${ratio(S.floor.burstOverQuiet)}, ours ${ratio(o.burstOverFloor)} of its burst response` : ""}`,
        bar: "≤ 1.5x, real callback correct 100 %",
        met: o.burstOverQuiet.median <= 1.5 && o.correctBurst === o.flows && o.correctQuiet === o.flows,
      },
    ],
  });
}
// Deno keeps the process alive while the peer's Deno.serve drains; nothing else is pending.
if (isDeno) Deno.exit(0);
