// The loopback login, timed against the peer `oauth-callback` 2.2.1: headless
// `getAuthCode({ port, hostname: "127.0.0.1", timeout })` of each library, with this script
// playing the browser (one `GET /callback?code=...&state=...` with a proper Host header,
// like curl: the response is read, a redirect is not followed, then the socket is closed).
//
//   node bench/loopback.mjs [rounds] [--json]    (default 200; after a build)
//
// A benchmark, not a test: it prints figures and asserts nothing about time.
//
// Figures, per flow, each on a free port chosen just before the flow:
//   time-to-listen             getAuthCode() called -> the port accepts a TCP connection
//                              (probed by connecting in a loop, the same way for both
//                              libraries; ours binds inside the call, the peer after a tick)
//   callback to response       connect + send the redirect -> its response fully read
//   callback to resolved       connect + send the redirect -> the getAuthCode promise resolves
//   callback to port bindable  connect + send the redirect -> a fresh
//                              net.createServer().listen(port, "127.0.0.1") succeeds
//   port free at settle        in the promise's reaction, listen() on the port at once:
//                              successes out of the flows
// plus the status and content-type of the callback response.
//
// Method. Both libraries run in this one Node process, imported up front, interleaved: each
// round runs four flows, a "plain" pair and a "bind" pair (ours then peer, or peer then ours,
// alternating by round and by pair, so neither library always goes first). The bind probe
// (a listen() attempt on every event-loop turn until one succeeds) loads the event loop the
// peer's server runs on, so it runs only in the "bind" flows; "callback to response",
// "callback to resolved" and "port free at settle" come from the "plain" flows only, and
// time-to-listen from all. One process rather than fresh ones: this measures the login
// itself, warm, not module loading (bench/import.mjs measures that in fresh processes), and
// 800 flows take seconds instead of minutes of process start-up noise. The first rounds are
// a warm-up and are not counted (they load the addon and the peer's node:http).
//
// Ratios are paired: ours/peer of the same figure in the same round, then median and
// p10-p90 over the rounds. Times are performance.now() in this process.
import * as net from "node:net";
import { randomBytes } from "node:crypto";
import * as ours from "oauth-callback-rs";
import * as peer from "oauth-callback";
import { freePort } from "./ports.mjs";
import { argv, emitJson, pairedRatio, ratio, spread as spreadOf, summary } from "./stats.mjs";

const { positional, json } = argv();
const rounds = Number(positional[0] ?? 200);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("usage: node bench/loopback.mjs [rounds] [--json]");
// With --json the tables go to stderr and one JSON line to stdout (bench/run.mjs).
const print = json ? (s = "") => console.error(s) : (s = "") => console.log(s);
const warmup = 3;
const HOST = "127.0.0.1";
const TIMEOUT = 15_000; // getAuthCode's timeout; no flow should come near it
const libs = [
  { key: "ours", name: "oauth-callback-rs", getAuthCode: ours.getAuthCode },
  { key: "peer", name: "oauth-callback 2.2.1", getAuthCode: peer.getAuthCode },
];
const now = () => performance.now();
const turn = () => new Promise((resolve) => setImmediate(resolve));


/** Connects until the port accepts; resolves with the time of the first accepted connection. */
async function probeListen(port, flow) {
  for (;;) {
    if (flow.failed) throw flow.failed;
    const t = await new Promise((resolve) => {
      const sock = net.connect({ port, host: HOST });
      sock.once("connect", () => {
        const at = now();
        sock.destroy();
        resolve(at);
      });
      sock.once("error", () => resolve(null));
    });
    if (t !== null) return t;
    await turn();
  }
}

/** Tries listen() on the port on every event-loop turn; resolves with the time it succeeds. */
async function probeBindable(port) {
  for (;;) {
    const t = await tryBind(port);
    if (t !== null) return t;
    await turn();
  }
}

/** One listen() on the port, started synchronously (Node binds inside listen()). */
function tryBind(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(null));
    s.listen(port, HOST, () => {
      const at = now();
      s.close(() => resolve(at));
    });
  });
}

/** The browser's request, as curl sends it; reads one response (no redirect followed), then closes. */
function sendCallback(port, path) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: HOST });
    const chunks = [];
    let head = null;
    let bodyNeeded = -1; // -1: until the server closes
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const at = now();
      sock.destroy();
      resolve({ at, ...head });
    };
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no complete response from 127.0.0.1:${port} in ${TIMEOUT} ms`));
    }, TIMEOUT);
    sock.once("close", () => clearTimeout(timer));
    sock.on("error", (err) => {
      if (!done) reject(err);
    });
    sock.on("data", (chunk) => {
      chunks.push(chunk);
      const buf = Buffer.concat(chunks);
      if (head === null) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
        const headers = new Map();
        for (const line of lines.slice(1)) {
          const i = line.indexOf(":");
          if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
        }
        head = { status: Number(lines[0].split(" ")[1]), contentType: headers.get("content-type") ?? "(none)", bodyStart: end + 4 };
        if (headers.has("content-length")) bodyNeeded = Number(headers.get("content-length"));
        else if (/chunked/i.test(headers.get("transfer-encoding") ?? "")) bodyNeeded = -2;
      }
      const body = buf.subarray(head.bodyStart);
      if (bodyNeeded >= 0 && body.length >= bodyNeeded) finish();
      else if (bodyNeeded === -2 && /(^|\r\n)0\r\n\r\n$/.test(body.toString("latin1"))) finish();
    });
    sock.once("end", () => {
      if (head !== null) finish();
      else if (!done) reject(new Error("connection closed before a response head"));
    });
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUser-Agent: bench/loopback.mjs\r\nAccept: */*\r\n\r\n`);
  });
}

const token = () => randomBytes(12).toString("base64url");
const isPortTaken = (err) => err?.code === "EADDRINUSE" || err?.code === "PORT_IN_USE";

/** One login: "plain" (listen, response, resolved, free at settle) or "bind" (listen, bindable). */
async function flow(lib, kind) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await flowOnce(lib, kind);
    } catch (err) {
      // Another process took the port between freePort() and the bind: pick another.
      if (isPortTaken(err) && attempt < 5) {
        portRetries++;
        continue;
      }
      throw new Error(`${lib.name} (${kind} flow): ${err?.stack ?? err}`);
    }
  }
}
let portRetries = 0;

async function flowOnce(lib, kind) {
  const port = await freePort();
  const code = token();
  const state = token();
  const f = { failed: null };
  let resolvedAt = 0;
  let freeAtSettle = null;
  const t0 = now();
  const settled = lib.getAuthCode({ port, hostname: HOST, timeout: TIMEOUT }).then(
    (result) => {
      resolvedAt = now();
      if (kind === "plain") freeAtSettle = tryBind(port); // bind attempted right here, in the reaction
      return result;
    },
    (err) => {
      f.failed = err;
      throw err;
    },
  );
  settled.catch(() => undefined); // observed below; avoids an unhandled rejection meanwhile
  const listenAt = await probeListen(port, f);
  const sentAt = now();
  const response = sendCallback(port, `/callback?code=${code}&state=${state}`);
  const bindable = kind === "bind" ? probeBindable(port) : null;
  const [res, result, bindableAt] = await Promise.all([response, settled, bindable]);
  if (result.code !== code || result.state !== state) throw new Error(`wrong result ${JSON.stringify(result)}`);
  const sample = {
    listen: listenAt - t0,
    status: `${res.status} ${res.contentType}`,
  };
  if (kind === "plain") {
    sample.response = res.at - sentAt;
    sample.resolved = resolvedAt - sentAt;
    sample.freeAtSettle = (await freeAtSettle) !== null;
  } else {
    sample.bindable = bindableAt - sentAt;
  }
  return sample;
}

// rows[key][figure] = samples in round order (paired by index across libraries).
const figures = ["listen", "response", "resolved", "bindable"];
const rows = Object.fromEntries(libs.map((l) => [l.key, { ...Object.fromEntries(figures.map((f) => [f, []])), free: [], status: new Map() }]));
const kinds = ["plain", "bind"];
const started = now();
for (let i = 0; i < warmup + rounds; i++) {
  for (let k = 0; k < kinds.length; k++) {
    const order = (i + k) % 2 === 0 ? libs : [...libs].reverse();
    for (const lib of order) {
      const s = await flow(lib, kinds[k]);
      if (i < warmup) continue;
      const row = rows[lib.key];
      for (const f of figures) if (s[f] !== undefined) row[f].push(s[f]);
      if (s.freeAtSettle !== undefined) row.free.push(s.freeAtSettle);
      row.status.set(s.status, (row.status.get(s.status) ?? 0) + 1);
    }
  }
  if (i + 1 > warmup && ((i + 1 - warmup) % 50 === 0 || i + 1 === warmup + rounds)) {
    process.stderr.write(`  ${i + 1 - warmup}/${rounds} rounds, ${((now() - started) / 1000).toFixed(1)} s\n`);
  }
}

// Linear interpolation between closest ranks.
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const num = (v) => (v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(1));
const spread = (xs, unit = "") => `${num(quantile(xs, 0.5))}${unit} [${num(quantile(xs, 0.1))}-${num(quantile(xs, 0.9))}]`;

const labels = {
  listen: "time-to-listen ms",
  response: "callback to response ms",
  resolved: "callback to resolved ms",
  bindable: "callback to port bindable ms",
};
const W = [30, 26, 26, 24];
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(W[0]) : c.padStart(W[i]))).join(" ");
print(`loopback login: getAuthCode({ port, hostname: "127.0.0.1", timeout }), headless`);
print(`node ${process.version} ${process.platform}-${process.arch}, ${new Date().toISOString()}, ${rounds} rounds (+${warmup} warm-up), one process, interleaved`);
print(`per library: ${rounds * 2} flows for time-to-listen, ${rounds} for each other figure; median [p10-p90]`);
print("");
print(line(["figure", libs[0].name, libs[1].name, "ours/peer (paired)"]));
for (const f of figures) {
  const a = rows.ours[f];
  const b = rows.peer[f];
  const ratios = a.map((x, i) => x / b[i]);
  print(line([labels[f], spread(a), spread(b), spread(ratios, "x")]));
}
const freeCell = (xs) => `${xs.filter(Boolean).length}/${xs.length} (${((100 * xs.filter(Boolean).length) / xs.length).toFixed(0)}%)`;
print(line(["port free at settle", freeCell(rows.ours.free), freeCell(rows.peer.free), ""]));
print("");
print("callback response (status content-type: flows)");
for (const lib of libs) {
  const parts = [...rows[lib.key].status].map(([s, n]) => `${s}: ${n}`);
  print(`  ${lib.name.padEnd(W[0] - 2)} ${parts.join(", ")}`);
}
print(`\nwall ${((now() - started) / 1000).toFixed(1)} s${portRetries ? `, ${portRetries} flows retried on a port taken by another process` : ""}`);

// Summary rows for bench/run.mjs, each against its bar (issue 11, DESIGN.md "Budgets").
if (json) {
  const pr = (f) => pairedRatio(rows.ours[f], rows.peer[f]);
  const count = (xs) => xs.filter(Boolean).length;
  const figureRow = (f, name) => ({
    figure: `loopback quiet (Node): ${name}`,
    ours: spreadOf(summary(rows.ours[f]), " ms"),
    peers: [`oauth-callback ${spreadOf(summary(rows.peer[f]), " ms")}`],
    ratio: `${ratio(pr(f))} of oauth-callback`,
    bar: "≤ oauth-callback's (≤ 1.0x)",
    met: pr(f).median <= 1,
  });
  emitJson({
    name: "loopback",
    env: `node ${process.version}`,
    rounds,
    rows: [
      figureRow("listen", "time-to-listen"),
      figureRow("resolved", "callback to resolved"),
      figureRow("bindable", "callback to port bindable"),
      {
        figure: "loopback quiet (Node): port free at settle",
        ours: freeCell(rows.ours.free),
        peers: [`oauth-callback ${freeCell(rows.peer.free)}`],
        ratio: "",
        bar: "100 %",
        met: count(rows.ours.free) === rows.ours.free.length,
      },
    ],
  });
}
