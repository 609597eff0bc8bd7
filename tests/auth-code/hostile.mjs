// Hostile bytes for the loopback callback server, shared by every driver: the addon's
// server (Node, Bun, Deno with --allow-ffi) and the Deno.listen driver (Deno without it)
// must give each the same answer, and the answer hyper 1.x gives. Both drivers read heads
// with core's request_head; hyper is the reference, served by tests/hyper-oracle (the
// addon served on hyper until 2026-12). The statuses are hyper's, measured by sending
// these bytes to it (null: the connection is closed without an answer). None of them may
// complete the flow.
import { spawn } from "node:child_process";
import net from "node:net";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = fileURLToPath(new URL("../../node_modules/.bin/", import.meta.url));
const SERVER = fileURLToPath(new URL("./server-process.mjs", import.meta.url));
/** The reference server (tests/hyper-oracle), built by scripts/lib.sh with the rest. */
const HYPER_ORACLE = fileURLToPath(new URL("../../target/debug/hyper-oracle", import.meta.url));

const pad = (n) => "a".repeat(n);
const headers = (n) => Array.from({ length: n }, (_, i) => `X-${i}: a\r\n`).join("");

/** [name, chunks for the server at host `h` on `port`, status or null]. */
export const hostileRequests = [
  ["absolute-form target", (h) => [`GET http://${h}/callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["absolute-form target with another authority", (h) => [`GET http://evil.example/callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["an authority refused by http::Uri", (h) => [`GET http://a:b:c/callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["absolute-form, scheme in capitals", (h) => [`GET HTTP://${h}/callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["absolute-form, another scheme", (h) => [`GET ws://${h}/callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["absolute-form, userinfo", (h) => [`GET http://u%20@${h}/callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["absolute-form, '%' in the host", (h) => [`GET http://a%20b/callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["absolute-form, an open bracket", (h) => [`GET http://[::1/callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["authority-form with two ports", (h) => [`GET a:1:2 HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["a doubled slash", (h) => [`GET //callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["dot segments are not normalized", (h) => [`GET /x/../callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["authority-form CONNECT", (h) => [`CONNECT ${h} HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["asterisk-form OPTIONS", (h) => [`OPTIONS * HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["fragment in the target", (h) => [`GET /favicon.ico#x HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["'<' in the query", (h) => [`GET /callback?code=<evil> HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["'`' in the path", (h) => [`GET /callback\` HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["a target that is not UTF-8", (h) => [`GET /callback?code=\xff HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["a 9 KiB target to the callback", (h) => [`GET /callback?code=${pad(9 * 1024)} HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 414],
  ["Host ::1:PORT (no brackets)", (h, port) => [`GET /callback?code=evil HTTP/1.1\r\nHost: ::1:${port}\r\n\r\n`], 421],
  ["Host localhost:+PORT", (h, port) => [`GET /callback?code=evil HTTP/1.1\r\nHost: localhost:+${port}\r\n\r\n`], 421],
  ["Host [127.0.0.1]:PORT (brackets around IPv4)", (h, port) => [`GET /callback?code=evil HTTP/1.1\r\nHost: [127.0.0.1]:${port}\r\n\r\n`], 421],
  ["Host with a C1 control character", (h) => [`GET /callback?code=evil HTTP/1.1\r\nHost: ${h}\x9b31m\r\n\r\n`], 421],
  ["two Host headers", (h) => [`GET /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nHost: ${h}\r\n\r\n`], 421],
  ["HTTP/1.0 without Host", () => [`GET /callback?code=evil HTTP/1.0\r\n\r\n`], 421],
  ["h2c prior knowledge", () => ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"], null],
  ["h2c upgrade is not taken", (h) => [`GET /favicon.ico HTTP/1.1\r\nHost: ${h}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`], 404],
  ["pipelined: only the first request is answered", (h) => [`GET /favicon.ico HTTP/1.1\r\nHost: ${h}\r\n\r\nGET /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["keep-alive asked: closed anyway", (h) => [`GET /favicon.ico HTTP/1.1\r\nHost: ${h}\r\nConnection: keep-alive\r\n\r\n`], 404],
  ["a head never finished (closed by the header timeout)", (h) => [`GET /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n`], null],
  ["nothing sent (closed by the header timeout)", () => [], null],
  ["HEAD elsewhere: no body", (h) => [`HEAD /favicon.ico HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["POST with a body", (h) => [`POST /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 5\r\n\r\nhello`], 405],
  ["lower-case method", (h) => [`get /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 405],
  ["HTTP/1.2", (h) => [`GET /callback?code=evil HTTP/1.2\r\nHost: ${h}\r\n\r\n`], 400],
  ["HTTP/2.0 request line", (h) => [`GET /callback?code=evil HTTP/2.0\r\nHost: ${h}\r\n\r\n`], 400],
  ["HTTP/0.9 request line", () => [`GET /callback?code=evil\r\n\r\n`], 400],
  ["a bad byte in the method", (h) => [`G(T /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["two spaces in the request line", (h) => [`GET  /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 400],
  ["a space before a header name", (h) => [`GET /callback?code=evil HTTP/1.1\r\n Host: ${h}\r\n\r\n`], 400],
  ["a space before the colon", (h) => [`GET /callback?code=evil HTTP/1.1\r\nHost : ${h}\r\n\r\n`], 400],
  ["obs-fold", (h) => [`GET /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nX: a\r\n b\r\n\r\n`], 400],
  ["a control byte in a header value", (h) => [`GET /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nX: a\x01b\r\n\r\n`], 400],
  ["a bare CR", (h) => [`GET /callback?code=evil HTTP/1.1\rHost: ${h}\r\n\r\n`], 400],
  ["bare LF line ends", (h) => [`GET /favicon.ico HTTP/1.1\nHost: ${h}\n\n`], 404],
  ["empty lines before the request", (h) => [`\r\n\r\nGET /favicon.ico HTTP/1.1\r\nHost: ${h}\r\n\r\n`], 404],
  ["Transfer-Encoding not ending in chunked", (h) => [`POST /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nTransfer-Encoding: gzip\r\n\r\n`], 400],
  ["Transfer-Encoding in HTTP/1.0", (h) => [`POST /callback?code=evil HTTP/1.0\r\nHost: ${h}\r\nTransfer-Encoding: chunked\r\n\r\n`], 400],
  ["two different Content-Lengths", (h) => [`POST /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`], 400],
  ["a Content-Length past 64 bits", (h) => [`POST /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 18446744073709551616\r\n\r\n`], 400],
  ["a Content-Length hyper cannot hold", (h) => [`POST /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nContent-Length: 18446744073709551615\r\n\r\n`], 431],
  ["65 header lines", (h) => [`GET /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\n${headers(64)}\r\n`], 431],
  ["64 header lines", (h) => [`GET /favicon.ico HTTP/1.1\r\nHost: ${h}\r\n${headers(63)}\r\n`], 404],
  ["a 12 KiB header", (h) => [`GET /favicon.ico HTTP/1.1\r\nHost: ${h}\r\nX-Pad: ${pad(12 * 1024)}\r\n\r\n`], 404],
  ["a 20 KiB head", (h) => [`GET /callback?code=evil HTTP/1.1\r\nHost: ${h}\r\nX-Pad: ${pad(20 * 1024)}\r\n\r\n`], 431],
  ["a TLS ClientHello", () => ["\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"], 400],
];

/**
 * Sends `chunks` (latin1) on a new connection to 127.0.0.1:port and waits for the server
 * to close it. Resolves to the response and whether the server closed the connection;
 * `boundMs` only stops a server that never does (then `closedByServer` is false).
 */
export function exchange(port, chunks, { boundMs = 15_000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    let response = "";
    let settled = false;
    const done = (closedByServer) => {
      if (settled) return;
      settled = true;
      clearTimeout(bound);
      s.destroy();
      resolve({ response, closedByServer });
    };
    const bound = setTimeout(() => done(false), boundMs);
    s.on("connect", () => {
      for (const c of chunks) s.write(Buffer.from(c, "latin1"));
    });
    s.on("data", (d) => (response += d.toString("latin1")));
    s.on("end", () => done(true));
    s.on("close", () => done(true));
    s.on("error", () => done(true));
  });
}

/** The status of a raw response, or null when there was none. */
export function statusOf(response) {
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(response);
  return m ? Number(m[1]) : null;
}

/** The response head's lines, minus `date` (the only part that may differ). */
export function headLines(response) {
  const end = response.indexOf("\r\n\r\n");
  return response.slice(0, end < 0 ? response.length : end).split("\r\n").filter((l) => !/^date: /i.test(l));
}

/** The response with its `date` line removed, for byte comparisons. */
export function withoutDate(response) {
  return response.replace(/\r\ndate: [^\r\n]*/i, "");
}

/**
 * Starts getAuthCode in a child process of `runtime` ("node" or "deno"; Deno without
 * --allow-ffi unless `ffi`), optionally under `ulimit -n fdLimit`. Resolves once it
 * listens to { port, result, state, kill } where `result` resolves when the child exits,
 * to { exit, signal, lines, stderr }, and `state` says whether it has exited yet.
 */
export function startServerProcess(runtime, { fdLimit, ffi = false, options = {} } = {}) {
  const args = JSON.stringify(options);
  const [cmd, argv] = runtime === "hyper"
    ? [HYPER_ORACLE, []]
    : runtime === "node"
    ? [process.execPath, [SERVER, args]]
    : [`${BIN}deno`, ["run", "--no-check", "--no-lock", "--allow-read", "--allow-env", "--allow-sys", "--allow-net=127.0.0.1,[::1]", ...(ffi ? ["--allow-ffi"] : []), SERVER, args]];
  // The limit is set by a shell that then becomes the server: it holds for that process only.
  const [file, fileArgs] = fdLimit ? ["/bin/sh", ["-c", `ulimit -n ${fdLimit} && exec "$0" "$@"`, cmd, ...argv]] : [cmd, argv];
  // No update check: a test does not phone home (and Deno's check reads the CA bundle,
  // which warns on stderr when the flood has taken every descriptor).
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1" };
  const child = spawn(file, fileArgs, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  let stderr = "";
  let listening;
  const port = new Promise((resolve, reject) => {
    listening = { resolve, reject };
  });
  let buffered = "";
  child.stdout.on("data", (d) => {
    buffered += d;
    for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
      const line = JSON.parse(buffered.slice(0, i));
      buffered = buffered.slice(i + 1);
      lines.push(line);
      if (line.port) listening.resolve(line.port);
    }
  });
  child.stderr.on("data", (d) => (stderr += d));
  const state = { exited: false, stderr: () => stderr };
  const result = new Promise((resolve) => {
    child.on("close", (exit, signal) => {
      state.exited = true;
      listening.reject(new Error(`the server process ended before listening (${exit ?? signal}): ${stderr}`));
      resolve({ exit, signal, lines, stderr });
    });
  });
  return port.then((p) => ({ port: p, result, state, kill: () => child.kill("SIGKILL") }));
}

/**
 * Opens `n` connections to 127.0.0.1:port that send nothing, and resolves once every one
 * has ended, to { shed, refused }: connections the server accepted or held and then
 * closed (the flood shed by the connection cap and the header timeout), and connections
 * that never connected. At `boundMs` (a hang guard) the rest are destroyed, uncounted.
 */
export function floodUntilShed(port, n, { boundMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const sockets = [];
    let ended = 0;
    let shed = 0;
    let refused = 0;
    let guardFired = false;
    const guard = setTimeout(() => {
      guardFired = true;
      for (const s of sockets) s.destroy();
    }, boundMs);
    for (let i = 0; i < n; i++) {
      const s = net.connect({ host: "127.0.0.1", port });
      let connected = false;
      s.once("connect", () => (connected = true));
      s.on("error", () => {});
      s.on("end", () => s.destroy());
      s.once("close", () => {
        if (!guardFired) {
          if (connected) shed++;
          else refused++;
        }
        if (++ended === n) {
          clearTimeout(guard);
          resolve({ shed, refused });
        }
      });
      sockets.push(s);
    }
  });
}

/**
 * Opens `n` connections that send nothing yet; resolves once all are connected, to
 * handles that say whether the server has closed each, can send on it, and collect what
 * came back.
 */
export async function holdConnections(port, n) {
  return Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    const handle = { closed: false, response: "" };
    handle.ended = new Promise((ended) => {
      s.on("data", (d) => (handle.response += d.toString("latin1")));
      s.on("error", () => {});
      s.on("end", () => s.destroy());
      s.once("close", () => {
        handle.closed = true;
        ended(handle.response);
      });
    });
    handle.send = (text) => s.write(Buffer.from(text, "latin1"));
    handle.destroy = () => s.destroy();
    s.once("connect", () => resolve(handle));
    s.once("close", () => resolve(handle));
  })));
}
