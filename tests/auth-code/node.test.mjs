// getAuthCode in Node: the addon's hyper server. Also the two drivers side by side (the
// Deno.listen driver in a Deno child process against the addon here), and a connection
// flood past the descriptor limit of a Node child process.
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import { equal, ok } from "../facade/assert.mjs";
import { authCodeCases } from "./cases.mjs";
import { exchange, floodUntilShed, hostileRequests, startServerProcess, statusOf, withoutDate } from "./hostile.mjs";

for (const [name, fn] of authCodeCases) test(name, () => fn(lib));

const redirect = (port, code) => [`GET /callback?code=${code} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: t\r\n\r\n`];

test("drivers: the Deno.listen driver answers every hostile request byte for byte as hyper does", async () => {
  const deno = await startServerProcess("deno");
  try {
    let listening;
    const here = new Promise((resolve) => (listening = resolve));
    const flow = lib.getAuthCode({ port: 0, hostname: "127.0.0.1", timeout: 60_000, onListening: listening });
    const { port } = await here;
    const send = (p) => Promise.all(hostileRequests.map(([, chunks]) => exchange(p, chunks(`127.0.0.1:${p}`, p))));
    const [hyper, denoListen] = await Promise.all([send(port), send(deno.port)]);
    hostileRequests.forEach(([name], i) => {
      equal(withoutDate(denoListen[i].response), withoutDate(hyper[i].response), `${name}: the same response minus date`);
      equal(denoListen[i].closedByServer, hyper[i].closedByServer, `${name}: closed alike`);
    });
    // The redirect that completes the flow: the same page, the same head.
    const [a, b] = await Promise.all([exchange(port, redirect(port, "real")), exchange(deno.port, redirect(deno.port, "real"))]);
    equal(statusOf(a.response), 200, "hyper: the page");
    equal(withoutDate(b.response), withoutDate(a.response), "the completing response, minus date");
    equal((await flow).code, "real", "hyper: completed by the real redirect only");
    const child = await deno.result;
    equal(child.exit, 0, `the Deno process exits cleanly (${child.stderr})`);
    equal(JSON.stringify(child.lines.at(-1)), JSON.stringify({ code: "real" }), "Deno: completed by the real redirect only");
    equal(child.stderr, "", "nothing printed to stderr, hostile bytes included");
  } finally {
    deno.kill();
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
