// The differential suite's machinery, the same in Node, Bun and Deno: the two libraries,
// sockets for probing ports, raw HTTP, child processes with a controlled environment,
// observations turned into plain comparable data, and the printed table.
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";

/** Both libraries, each as a program written for the peer sees it: the root and the `./mcp` entry. */
export async function loadLibraries() {
  const [peerRoot, peerMcp, oursRoot, oursMcp] = await Promise.all([
    import("oauth-callback"),
    import("oauth-callback/mcp"),
    import("oauth-callback-rs"),
    import("oauth-callback-rs/mcp"),
  ]);
  return {
    peer: { name: "peer", root: peerRoot, mcp: peerMcp },
    ours: { name: "ours", root: oursRoot, mcp: oursMcp },
  };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port that was free a moment ago on 127.0.0.1 (the peer cannot listen on port 0 and say where). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** True when this process can bind host:port right now (the port was freed). */
export function canBind(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** Holds host:port with a plain server; resolves to a function that frees it. */
export function occupy(port, host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const s = net.createServer((c) => c.destroy());
    s.once("error", reject);
    s.listen(port, host, () => resolve(() => new Promise((r) => s.close(() => r()))));
  });
}

/** Polls until host:port accepts connections (or `ms` pass); resolves to whether it did. */
export async function waitOpen(port, ms = 3000, host = "127.0.0.1") {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await portOpen(port, host)) return true;
    await sleep(10);
  }
  return false;
}

/** Polls until host:port can be bound (or `ms` pass). */
export async function waitFree(port, ms = 10_000, host = "127.0.0.1") {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await canBind(port, host)) return true;
    await sleep(50);
  }
  return false;
}

function decodeChunked(buf) {
  const parts = [];
  let i = 0;
  while (i < buf.length) {
    const eol = buf.indexOf("\r\n", i);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(i, eol).toString("latin1"), 16);
    if (!(size > 0)) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * One HTTP/1.1 request over a fresh TCP connection, exactly as written (any Host, any
 * method). Resolves to { status, headers (lower-case names), body (UTF-8) }, or
 * { status: 0 } when the connection was refused or closed without an answer.
 */
export function http(port, { method = "GET", target = "/callback", host = `127.0.0.1:${port}`, headers = {}, body = "" } = {}) {
  const lines = [`${method} ${target} HTTP/1.1`];
  if (host !== null) lines.push(`Host: ${host}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body || method === "POST") lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  lines.push("Connection: close");
  const raw = `${lines.join("\r\n")}\r\n\r\n${body}`;
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    const chunks = [];
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      s.destroy();
      resolve(parse(Buffer.concat(chunks)));
    };
    const timer = setTimeout(done, 5000);
    s.on("connect", () => s.write(raw));
    s.on("data", (d) => {
      chunks.push(d);
      // Some servers keep the connection open although we asked to close it: stop at
      // the end of a Content-Length body.
      const all = Buffer.concat(chunks);
      const end = all.indexOf("\r\n\r\n");
      if (end < 0) return;
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(all.subarray(0, end).toString("latin1"));
      if (m && all.length >= end + 4 + Number(m[1])) done();
    });
    s.on("end", done);
    s.on("close", done);
    s.on("error", done);
  });
}

function parse(buf) {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return { status: 0, headers: {}, body: "" };
  const head = buf.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0])?.[1] ?? 0);
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = buf.subarray(end + 4);
  if (/chunked/i.test(headers["transfer-encoding"] ?? "")) body = decodeChunked(body);
  else if (headers["content-length"] !== undefined) body = body.subarray(0, Number(headers["content-length"]));
  return { status, headers, body: body.toString("utf8") };
}

/** Tracks a promise: `state.done`, `state.value` / `state.error`, and `state.settled` (never rejects). */
export function track(promise) {
  const state = { done: false, value: undefined, error: undefined, rejected: false };
  state.settled = promise.then(
    (v) => {
      state.done = true;
      state.value = v;
    },
    (e) => {
      state.done = true;
      state.rejected = true;
      state.error = e;
    },
  );
  return state;
}

/** Resolves once `state` settled or `ms` passed; returns `state.done`. */
export async function settledWithin(state, ms) {
  await Promise.race([state.settled, sleep(ms)]);
  return state.done;
}

/** The library's class for an error, by `instanceof` the library's own exports. */
export function classOf(lib, e) {
  if (e instanceof lib.root.OAuthError) return "OAuthError";
  if (e instanceof lib.root.TimeoutError) return "TimeoutError";
  if (lib.root.OAuthCallbackError && e instanceof lib.root.OAuthCallbackError) return "OAuthCallbackError";
  if (e instanceof Error) return "Error";
  return typeof e;
}

/**
 * Turns a value into plain JSON data that keeps what a program can tell apart:
 * undefined, functions, symbols, non-finite numbers and key order.
 */
export function snap(v, depth = 0) {
  if (v === undefined) return "‹undefined›";
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : `‹${v}›`;
  if (typeof v === "bigint") return `‹${v}n›`;
  if (typeof v === "function") return "‹function›";
  if (typeof v === "symbol") return `‹symbol ${v.description}›`;
  if (depth > 8) return "‹deep›";
  if (Array.isArray(v)) return v.map((x) => snap(x, depth + 1));
  const out = {};
  for (const k of Object.keys(v)) out[k] = snap(v[k], depth + 1);
  return out;
}

export const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** A fresh temporary directory; `dispose()` removes it. */
export function tempDir(prefix = "oauth-diff-") {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A directory with an `xdg-open` that appends the URL it was given to `log` and opens
 * nothing; put first on PATH.
 */
export function stubLauncher(dir) {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const log = join(dir, "launched.txt");
  const script = `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\n`;
  writeFileSync(join(bin, "xdg-open"), script);
  chmodSync(join(bin, "xdg-open"), 0o755);
  return { bin, log };
}

const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));
const MARK = "DIFFERENTIAL-OBSERVATION ";

/** The command that runs `child.mjs` in this same runtime. */
function childCommand() {
  if (runtime === "deno") {
    return [
      globalThis.Deno.execPath(),
      ["run", "--quiet", "--no-check", "--no-lock", "--allow-read", "--allow-write", "--allow-env", "--allow-run", "--allow-net=127.0.0.1,[::1],localhost,0.0.0.0", "--allow-sys", CHILD],
    ];
  }
  return [process.execPath, [CHILD]];
}

/**
 * Runs case `name` against library `which` in a child process of this runtime with
 * `env` (a key with value undefined is removed); resolves to the case's observation.
 */
export function runInChild(name, which, env) {
  const childEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const [cmd, args] = childCommand();
  return new Promise((resolve) => {
    execFile(cmd, [...args, which, name], { env: childEnv, timeout: 60_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      const line = String(stdout)
        .split("\n")
        .reverse()
        .find((l) => l.startsWith(MARK));
      if (line) resolve(JSON.parse(line.slice(MARK.length)));
      else resolve({ crashed: `child exited without an observation: ${err?.message ?? ""} ${String(stderr).slice(-2000)}` });
    });
  });
}

/** What child.mjs prints. */
export function printObservation(observation) {
  process.stdout.write(`${MARK}${JSON.stringify(observation)}\n`);
}

function cell(v, width) {
  const s = typeof v === "string" ? v : v === undefined ? "(absent)" : JSON.stringify(v);
  // Control characters (a peer message may hold terminal escapes) are shown, not sent.
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

/** The two-column table: one row per case (both equal), one per deliberate difference. */
export function formatTable(rows) {
  const w = [58, 46, 46];
  const line = (a, b, c) => `${cell(a, w[0])} | ${cell(b, w[1])} | ${cell(c, w[2])}`.trimEnd();
  const out = [`differential suite in ${runtime}: oauth-callback@2.2.1 (peer) against oauth-callback-rs (ours)`, line("case", "peer", "ours"), `${"-".repeat(w[0])}-+-${"-".repeat(w[1])}-+-${"-".repeat(w[2])}`];
  for (const r of rows) out.push(line(r.case, r.peer, r.ours));
  return out.join("\n");
}
