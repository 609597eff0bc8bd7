// The junk side of bench/burst.mjs, in its own Node process (junk comes from other
// processes: the browser's favicon fetch, port scanners, a stray TLS client), so sending
// and reading it does not load the event loop of the process that runs getAuthCode.
//
// bench/junk-sender.c is the same in C (bench/burst.mjs --sender=c).
//
// Line protocol on stdin/stdout (JSON on stdout, one line per command):
//   burst PORT   opens the 200 connections below to 127.0.0.1:PORT at once and writes
//                their bytes; answers {"mid":...} once half of them are connected (the
//                moment bench/burst.mjs sends the real callback, in the middle of the
//                burst), then {"ready":...} once every connection is connected and its
//                bytes are flushed to the kernel (or the server closed it first)
//   close        destroys what is still open; answers {"closed":..., "kinds": {kind:
//                {status or "closed, no answer" or "still open": count}}}
import * as net from "node:net";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";

const HOST = "127.0.0.1";

/** [kind, count, bytes for a server on `port`]. 200 connections in all. */
export const JUNK = [
  ["favicon", 30, (h) => `GET /favicon.ico HTTP/1.1\r\nHost: ${h}\r\nAccept: image/avif,image/webp,*/*\r\nSec-Fetch-Dest: image\r\n\r\n`],
  ["wrong path", 30, (h) => `GET /wp-login.php?redirect_to=%2Fadmin HTTP/1.1\r\nHost: ${h}\r\nUser-Agent: scanner\r\n\r\n`],
  // A control byte and broken escapes in the callback's query: every HTTP parser here
  // refuses it. (A well-formed query on the callback path is not junk to oauth-callback:
  // it completes its flow with whatever the query holds.)
  ["malformed query", 30, (h) => `GET /callback?code=\x01%zz&state=%%%E0%A4%A HTTP/1.1\r\nHost: ${h}\r\n\r\n`],
  ["TLS ClientHello", 30, () => tlsClientHello()],
  ["garbage line", 30, () => `${randomBytes(48).toString("latin1")}\r\n`],
  ["64 KiB header", 10, (h) => `GET /favicon.ico HTTP/1.1\r\nHost: ${h}\r\nX-Pad: ${"a".repeat(64 * 1024)}\r\n\r\n`],
  ["idle half-sent", 40, (h) => `GET /callback?code=idle&state=idle HTTP/1.1\r\nHost: ${h}\r\n`],
];

/** A TLS 1.2/1.3 ClientHello record as a browser sends it first (517 bytes, random body). */
function tlsClientHello() {
  const body = randomBytes(512);
  body[0] = 0x01; // handshake type: client_hello
  body[1] = 0x00;
  body[2] = 0x01;
  body[3] = 0xfc; // length 508
  body[4] = 0x03;
  body[5] = 0x03; // client_version TLS 1.2
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), body]).toString("latin1");
}

let open = [];

function burst(port, onHalf) {
  const host = `${HOST}:${port}`;
  const conns = [];
  const total = JUNK.reduce((a, [, n]) => a + n, 0);
  let connected = 0;
  for (const [kind, count, bytes] of JUNK) {
    for (let i = 0; i < count; i++) {
      conns.push(
        new Promise((resolve) => {
          const c = { kind, status: null, ended: false, sock: null };
          open.push(c);
          const sock = net.connect({ host: HOST, port });
          c.sock = sock;
          let head = "";
          let sent = false;
          sock.on("connect", () => {
            if (++connected === total >> 1) onHalf();
            sock.write(Buffer.from(bytes(host), "latin1"), () => {
              sent = true;
              resolve();
            });
          });
          sock.on("data", (d) => {
            if (c.status !== null) return;
            head += d.toString("latin1");
            const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
            if (m) c.status = Number(m[1]);
            else if (head.length > 12) c.status = "not HTTP";
          });
          const end = () => {
            c.ended = true;
            resolve(sent);
          };
          sock.on("error", end);
          sock.on("close", end);
        }),
      );
    }
  }
  return Promise.all(conns);
}

function close() {
  const kinds = {};
  for (const c of open) {
    const k = c.status !== null ? String(c.status) : c.ended ? "closed, no answer" : "still open";
    kinds[c.kind] ??= {};
    kinds[c.kind][k] = (kinds[c.kind][k] ?? 0) + 1;
    c.sock.destroy();
  }
  open = [];
  return kinds;
}

const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const [cmd, arg] = line.trim().split(" ");
  if (cmd === "burst") {
    const t0 = performance.now();
    await burst(Number(arg), () => process.stdout.write(`${JSON.stringify({ mid: true, ms: performance.now() - t0 })}\n`));
    process.stdout.write(`${JSON.stringify({ ready: true, ms: performance.now() - t0, connections: open.length })}\n`);
  } else if (cmd === "close") {
    process.stdout.write(`${JSON.stringify({ closed: true, kinds: close() })}\n`);
  }
});
rl.on("close", () => process.exit(0));
