// examples/mcp-client.mjs, run as a user runs it: no browser can open here, so it prints
// the authorization URL; the "user" (plain HTTP) opens it and clicks Allow. The second run
// signs in no more.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";
import { startMcpServer } from "./servers.mjs";

const EXAMPLE = new URL("../../examples/mcp-client.mjs", import.meta.url).pathname;
let server;
before(async () => {
  server = await startMcpServer();
});
after(async () => {
  await server?.close();
});

/** Runs the example; signs in at the URL it prints, if it prints one. */
function runExample(args) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, BROWSER: "none" };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [EXAMPLE, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let signIn = Promise.resolve(false);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => {
      err += d;
      const url = /^\s+(http\S+)$/m.exec(err)?.[1];
      if (url && !child.signedIn) {
        child.signedIn = true;
        signIn = headlessSignIn(url).then(() => true);
      }
    });
    child.on("error", reject);
    child.on("close", async (code) => resolve({ code, out, err, signedIn: await signIn }));
  });
}

test("mcp example: connects in one call, signs in once, then reuses the login", async () => {
  const store = join(mkdtempSync(join(tmpdir(), "ocrs-mcp-example-")), "tokens.json");
  const first = await runExample([server.url, "--call", "whoami", "--store", store]);
  assert.equal(first.code, 0, first.err);
  assert.ok(first.signedIn, "the URL was printed and the user signed in");
  assert.match(first.out, /connected to browserAuth-test; tools: whoami/);
  assert.match(first.out, /hello, /);
  const second = await runExample([server.url, "--call", "whoami", "--store", store]);
  assert.equal(second.code, 0, second.err);
  assert.equal(second.signedIn, false, "no sign-in the second time");
  assert.equal(second.err, "", "nothing on stderr");
  assert.equal(server.counts.login, 1);
  for (const s of server.secrets) assert.ok(!(first.out + first.err + second.out + second.err).includes(s), "no secret in the output");
});
