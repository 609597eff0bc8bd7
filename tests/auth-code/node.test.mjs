// getAuthCode in Node: the addon's server. Also the drivers side by side against hyper
// (the Deno.listen driver in a Deno child process, the addon here, and tests/hyper-oracle),
// and a connection
// flood past the descriptor limit of a Node child process.
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import { equal, match, ok } from "../facade/assert.mjs";
import { authCodeCases } from "./cases.mjs";
import net from "node:net";
import { loadNative } from "../../npm/dist/node/addon.js";
import { exchange, floodUntilShed, hostileRequests, startServerProcess, statusOf, withoutDate } from "./hostile.mjs";

for (const [name, fn] of authCodeCases) test(name, () => fn(lib));

const redirect = (port, code) => [`GET /callback?code=${code} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: t\r\n\r\n`];

test("drivers: the addon and the Deno.listen driver answer every hostile request byte for byte as hyper does", async () => {
  const [deno, hyper] = await Promise.all([startServerProcess("deno"), startServerProcess("hyper")]);
  try {
    let listening;
    const here = new Promise((resolve) => (listening = resolve));
    const flow = lib.getAuthCode({ port: 0, hostname: "127.0.0.1", timeout: 60_000, onListening: listening });
    const { port } = await here;
    const send = (p) => Promise.all(hostileRequests.map(([, chunks]) => exchange(p, chunks(`127.0.0.1:${p}`, p))));
    const [addon, denoListen, reference] = await Promise.all([send(port), send(deno.port), send(hyper.port)]);
    hostileRequests.forEach(([name], i) => {
      equal(withoutDate(addon[i].response), withoutDate(reference[i].response), `${name}: the addon answers as hyper, minus date`);
      equal(addon[i].closedByServer, reference[i].closedByServer, `${name}: the addon closes as hyper`);
      equal(withoutDate(denoListen[i].response), withoutDate(reference[i].response), `${name}: Deno.listen answers as hyper, minus date`);
      equal(denoListen[i].closedByServer, reference[i].closedByServer, `${name}: Deno.listen closes as hyper`);
    });
    // The redirect that completes the flow: the same page, the same head (the reference
    // has core's default page, which the facade does not use: its status only).
    const [a, b, c] = await Promise.all([exchange(port, redirect(port, "real")), exchange(deno.port, redirect(deno.port, "real")), exchange(hyper.port, redirect(hyper.port, "real"))]);
    equal(statusOf(a.response), 200, "addon: the page");
    equal(statusOf(c.response), 200, "hyper: the page");
    equal(withoutDate(b.response), withoutDate(a.response), "the completing response, minus date");
    equal((await flow).code, "real", "addon: completed by the real redirect only");
    for (const [who, server] of [["Deno", deno], ["hyper", hyper]]) {
      const child = await server.result;
      equal(child.exit, 0, `the ${who} process exits cleanly (${child.stderr})`);
      equal(JSON.stringify(child.lines.at(-1)), JSON.stringify({ code: "real" }), `${who}: completed by the real redirect only`);
      equal(child.stderr, "", `${who}: nothing printed to stderr, hostile bytes included`);
    }
  } finally {
    deno.kill();
    hyper.kill();
  }
});

test("drivers: a connection flood past the descriptor limit does not take a Node process down", async () => {
  // 300 idle connections against a process allowed 256 descriptors: accept fails with
  // EMFILE until the header timeout frees some; every connection is shed in the end.
  const server = await startServerProcess("node", { fdLimit: 256 });
  try {
    const flood = 300;
    const { shed, refused } = await floodUntilShed(server.port, flood);
    ok(!server.state.exited, `the process is still running after the flood: ${server.state.stderr()}`);
    equal(refused, 0, "every flood connection reached the server");
    equal(shed, flood, "every flood connection was closed by the server");
    const { response } = await exchange(server.port, redirect(server.port, "after-flood"));
    equal(statusOf(response), 200, "the real redirect is served once the flood is gone");
    const child = await server.result;
    equal(child.exit, 0, `the process survived (${child.signal ?? ""} ${child.stderr})`);
    equal(JSON.stringify(child.lines.at(-1)), JSON.stringify({ code: "after-flood" }), "the flow completed");
    ok(!/too many open files/i.test(child.stderr), `no descriptor error escaped: ${child.stderr}`);
  } finally {
    server.kill();
  }
});

// The addon's server itself (npm/dist/node/addon.js), for what the facade hides.
const startNative = (options = {}) =>
  loadNative().startCallbackServer({ hostname: "127.0.0.1", port: 0, callbackPath: "/callback", timeoutMs: 30_000, ...options });

/** Connects to 127.0.0.1:port; resolves to the socket and a promise of its close. */
async function connectTo(port) {
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  const closed = new Promise((resolve) => socket.once("close", resolve));
  await new Promise((resolve) => socket.once("connect", resolve));
  return { socket, closed };
}

test("addon: a head sent one byte at a time is read to its end and answered", async () => {
  const server = startNative();
  const { socket, closed } = await connectTo(server.port);
  let response = "";
  socket.on("data", (d) => (response += d.toString("latin1")));
  for (const byte of Buffer.from(`GET /callback?code=slow HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`, "latin1")) {
    socket.write(Buffer.of(byte));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await closed;
  equal(statusOf(response), 200, "the page");
  const result = await server.wait();
  equal(result.kind, "code", "completed");
  equal(JSON.stringify(result.params), JSON.stringify([["code", "slow"]]), "with the code sent");
});

test("addon: wait() settles whether it is called before or after the result, and only once", async () => {
  // Before: the server's thread settles the waiting promise. After: the result waits for it.
  const early = startNative();
  const waiting = early.wait();
  const again = early.wait().then(() => "resolved", (err) => err);
  equal(statusOf((await exchange(early.port, redirect(early.port, "early"))).response), 200, "the redirect is answered");
  equal(JSON.stringify((await waiting).params), JSON.stringify([["code", "early"]]), "the first wait() has the result");
  match(String((await again)?.message), /^INVALID_PARAMETER: wait\(\) may be called only once/, "a second wait() rejects (a promise, not a throw)");
  const late = startNative();
  equal(statusOf((await exchange(late.port, redirect(late.port, "late"))).response), 200, "the redirect is answered");
  equal(JSON.stringify((await late.wait()).params), JSON.stringify([["code", "late"]]), "a wait() after the end has the result");
  match(String((await late.wait().then(() => "resolved", (err) => err))?.message), /^INVALID_PARAMETER: /, "and only once");
  late.close();
  early.close();
});

test("addon: connections still open at the end are closed once the result is taken, without close() too", async () => {
  // The server holds them until JavaScript has the result (the facade then calls close());
  // without that call it closes them a second after the end. A hang guard of 10 s.
  for (const release of [true, false]) {
    const server = startNative();
    const idle = await connectTo(server.port);
    const half = await connectTo(server.port);
    half.socket.write(`GET /favicon.ico HTTP/1.1\r\n`);
    equal(statusOf((await exchange(server.port, redirect(server.port, "end"))).response), 200, "the redirect is answered");
    const result = await server.wait();
    equal(result.kind, "code", "completed");
    if (release) server.close();
    const guard = new Promise((resolve) => setTimeout(resolve, 10_000, "still open"));
    equal(await Promise.race([Promise.all([idle.closed, half.closed]).then(() => "closed"), guard]), "closed", `closed by the server (close() called: ${release})`);
    server.close();
  }
});

test("addon: a redirect whose page is never read ends the flow at the connection timeout", async () => {
  // 8 MiB cannot be written while the client reads nothing: the server waits for room,
  // then gives up after 10 s, and the flow ends with the code (the page is cut short).
  const server = startNative({ successHtml: `<p>${"x".repeat(8 * 1024 * 1024)}</p>` });
  const { socket, closed } = await connectTo(server.port);
  socket.pause();
  socket.write(`GET /callback?code=unread HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
  const result = await server.wait();
  equal(result.kind, "code", "the flow ended with the code");
  socket.resume();
  await closed;
});
