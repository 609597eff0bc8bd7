// getAuthCode in Node.
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import { equal } from "../facade/assert.mjs";
import { authCodeCases } from "./cases.mjs";
import { rawRequest, statusOf } from "./raw-http.mjs";

for (const [name, fn] of authCodeCases) test(name, () => fn(lib));

// hyper sees the raw request target; Deno.serve hands over a parsed URL, so this case is
// for the addon's server only.
test("getAuthCode (hyper): an absolute-form request target matches no path", async () => {
  let port;
  const p = lib.getAuthCode({ port: 0, hostname: "127.0.0.1", onListening: (i) => (port = i.port) });
  const head = `GET http://127.0.0.1:${port}/callback?code=evil HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
  equal(statusOf(await rawRequest(port, head)), 404, "absolute-form target");
  await fetch(`http://127.0.0.1:${port}/callback?code=good`);
  equal((await p).code, "good", "the real redirect still works");
});
