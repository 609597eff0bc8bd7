// What one junk request costs the server that answers it: CPU time (every thread of the
// server's process, from /proc/PID/task/*/schedstat, in ns) per favicon request, for
// oauth-callback-rs (the addon's server in Node and in Deno with --allow-ffi, the
// Deno.listen driver in Deno without it), oauth-callback 2.2.1 in Node, and the floor,
// bench/floor-server.c (accept, read, a fixed 404, close; built with the system's cc).
//
//   node bench/junk-cost.mjs [rounds] [--json]        (default 5; Linux only, after a build)
//
// Each server runs in a process of its own (bench/junk-cost-server.mjs, or the floor),
// waiting in getAuthCode; this process sends it favicon requests one after another on
// fresh connections (each answered and closed before the next), 200 to warm up, then
// `rounds` times 1000, reading the server's CPU time around each 1000. The subjects take
// turns, in an order rotated per round. Unlike the burst's latencies, a CPU time barely
// depends on what else runs: it says what a library adds per junk request where the
// burst's ratio is the machine's. A benchmark, not a test: nothing about time is asserted.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { buildC } from "./cc.mjs";
import { freePort } from "./ports.mjs";
import { argv, emitJson, num, out, pairedRatio, ratio, rotate, spread, summary } from "./stats.mjs";

const { positional, json } = argv();
const rounds = Number(positional[0] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("usage: bench/junk-cost.mjs [rounds] [--json]");
const print = out(json);
const PER_ROUND = 1000;
const WARMUP = 200;
const HOST = "127.0.0.1";
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SERVER = fileURLToPath(new URL("./junk-cost-server.mjs", import.meta.url));
const deno = `${ROOT}node_modules/.bin/deno`;
const denoArgs = (ffi) => ["run", "--no-check", "--no-lock", "--allow-read", "--allow-env", "--allow-sys", "--allow-net=127.0.0.1", ...(ffi ? ["--allow-ffi"] : []), SERVER, "ours"];

if (process.platform !== "linux") throw new Error("bench/junk-cost.mjs reads /proc: Linux only");
const { bin: floorBin, failed: ccFailed } = buildC("floor-server");
const subjects = [
  { key: "ours-node", name: "oauth-callback-rs, Node (addon)", cmd: [process.execPath, [SERVER, "ours"]] },
  { key: "peer-node", name: "oauth-callback 2.2.1, Node", cmd: [process.execPath, [SERVER, "peer"]] },
  { key: "ours-deno-ffi", name: "oauth-callback-rs, Deno --allow-ffi (addon)", cmd: [deno, denoArgs(true)] },
  { key: "ours-deno", name: "oauth-callback-rs, Deno (Deno.listen)", cmd: [deno, denoArgs(false)] },
  ...(floorBin ? [{ key: "floor", name: "floor (C epoll server)", floor: true }] : []),
];
if (ccFailed) console.error(`  junk-cost: no floor column (cc: ${ccFailed})`);

/** The CPU time of every thread of process `pid` so far, in microseconds. */
function cpuMicros(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1000;
}


/** Starts a subject's server; resolves to { pid, port, stop() } once it listens. */
async function startServer(subject) {
  const port = await freePort();
  const [cmd, args] = subject.floor ? [floorBin, []] : subject.cmd;
  const child = spawn(cmd, [...args, String(port)], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
  await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${subject.name} exited (${code}) before listening`)));
    child.stdout.once("data", resolve);
  });
  child.removeAllListeners("exit");
  const stop = () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", resolve), child.kill())));
  return { pid: child.pid, port, stop };
}

/** One request on a fresh connection, the answer read to the server's close; resolves to its status. */
function request(port, target) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: HOST });
    let head = "";
    sock.on("data", (d) => {
      if (head.length < 16) head += d.toString("latin1");
    });
    sock.on("error", reject);
    sock.on("close", () => resolve(Number(head.slice(9, 12))));
    sock.write(`GET ${target} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nAccept: image/avif,image/webp,*/*\r\nSec-Fetch-Dest: image\r\n\r\n`);
  });
}

async function junk(port, n) {
  for (let i = 0; i < n; i++) {
    const status = await request(port, "/favicon.ico");
    if (status !== 404) throw new Error(`favicon answered ${status}, not 404`);
  }
}

const servers = new Map();
for (const s of subjects) {
  const server = await startServer(s);
  await junk(server.port, WARMUP);
  servers.set(s.key, server);
}
const samples = Object.fromEntries(subjects.map((s) => [s.key, []]));
for (let r = 0; r < rounds; r++) {
  for (const s of rotate(subjects, r)) {
    const { pid, port } = servers.get(s.key);
    const before = cpuMicros(pid);
    await junk(port, PER_ROUND);
    samples[s.key].push((cpuMicros(pid) - before) / PER_ROUND);
  }
  console.error(`  junk-cost: ${r + 1}/${rounds} rounds`);
}
for (const s of subjects) {
  const { port, stop } = servers.get(s.key);
  if (!s.floor) await request(port, "/callback?code=end&state=end"); // ends the flow
  await stop();
}

const floorKey = subjects.some((s) => s.floor) ? "floor" : null;
print(`CPU time of the server's process per junk request (favicon, 404), ${rounds} rounds of ${PER_ROUND} (+${WARMUP} warm-up); median [p10-p90]`);
print("");
const W = 44;
print(`${"server".padEnd(W)} ${"us of CPU per request".padStart(24)} ${floorKey ? "/ floor's (paired)".padStart(22) : ""}`);
const stats = {};
for (const s of subjects) {
  stats[s.key] = { cpu: summary(samples[s.key]), overFloor: floorKey ? pairedRatio(samples[s.key], samples[floorKey]) : null };
  print(`${s.name.padEnd(W)} ${spread(stats[s.key].cpu).padStart(24)} ${floorKey ? ratio(stats[s.key].overFloor).padStart(22) : ""}`);
}

if (json) {
  const row = (key, label) => ({
    figure: `junk request cost (${label}): server CPU per favicon request`,
    ours: `${num(stats[key].cpu.median)} us [${num(stats[key].cpu.p10)}-${num(stats[key].cpu.p90)}]`,
    peers: [
      ...(key === "ours-node" ? [`oauth-callback ${num(stats["peer-node"].cpu.median)} us (ours ${ratio(pairedRatio(samples[key], samples["peer-node"]))})`] : []),
      ...(floorKey ? [`floor (C epoll server) ${num(stats.floor.cpu.median)} us`] : []),
    ],
    ratio: floorKey ? `${ratio(stats[key].overFloor)} of the floor's` : "",
    bar: "(no bar; what the junk burst's ratio is made of)",
    met: null,
  });
  emitJson({
    name: "junk-cost",
    env: `node ${process.version}`,
    rounds,
    stats,
    rows: [row("ours-node", "Node"), row("ours-deno-ffi", "Deno --allow-ffi"), row("ours-deno", "Deno, no ffi")],
  });
}
