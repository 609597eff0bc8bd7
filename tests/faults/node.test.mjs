// OAuthClient against a misbehaving authorization server, in Node; plus a second process
// writing the same token file while a refresh here hangs.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as lib from "oauth-callback-rs";
import { equal, ok } from "../facade/assert.mjs";
import { faultCases } from "./cases.mjs";
import { faults, startFaultServer } from "./server.mjs";

const env = { tmp: () => mkdtempSync(join(tmpdir(), "ocrs-faults-")) };
for (const [name, fn] of faultCases) test(name, { timeout: 60_000 }, () => fn(lib, env));

const WORKER = fileURLToPath(new URL("../store/worker.mjs", import.meta.url));

test("faults: another process writing the token file while a refresh hangs completes once the refresh times out", { timeout: 60_000 }, async () => {
  const srv = await startFaultServer({ "/token": faults.hang() });
  try {
    const path = join(env.tmp(), "tokens.json");
    const store = lib.fileStore(path);
    await store.set(srv.origin, { accessToken: "old-access-SECRET-1", refreshToken: "old-refresh-SECRET-2", expiresAt: Date.now() - 1000 });
    const before = JSON.stringify(await store.getEntry(srv.origin));
    const client = new lib.OAuthClient({ issuer: srv.origin, clientId: "fault-client", storage: store, requestTimeoutMs: 2000, endpoints: { tokenEndpoint: `${srv.origin}/token`, tokenEndpointAuthMethods: ["none"] } });
    const refresh = client.getValidToken().then(() => null, (e) => e);
    await srv.received("/token");
    // This process holds the file's lock now. The other one waits for it (up to 60 s, its
    // own lock timeout) and writes once the refresh has failed and let go.
    const child = spawn(process.execPath, [WORKER, path, "-", "put", "written-by-another-process", "its-token"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exit = new Promise((resolve) => child.on("close", resolve));
    const err = await refresh;
    ok(err instanceof lib.OAuthCallbackError, `typed error, got ${err}`);
    equal(err.code, "TIMEOUT", "the refresh timed out");
    equal(await exit, 0, `the other process wrote (${stderr.trim()})`);
    equal((await store.get("written-by-another-process")).accessToken, "its-token", "its write is in the file");
    equal(JSON.stringify(await store.getEntry(srv.origin)), before, "our tokens are as they were");
  } finally {
    await srv.close();
  }
});
