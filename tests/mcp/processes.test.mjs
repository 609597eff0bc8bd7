// browserAuth in real MCP client processes (the SDK's Client, Streamable HTTP, a file
// store) against an MCP server built from the SDK's own server pieces, whose authorization
// server rotates refresh tokens and revokes the grant when a rotated one is reused. Every
// count below is what reached the server; no assertion depends on timing.
import { spawn } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileStore } from "oauth-callback-rs/mcp";
import { startMcpServer } from "./servers.mjs";

const CLIENT = new URL("./client-process.mjs", import.meta.url).pathname;
const BIN = (name) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname;
/** How each runtime runs the same client file. */
const RUNTIMES = {
  node: [process.execPath],
  bun: [BIN("bun")],
  deno: [BIN("deno"), "run", "--quiet", "--no-lock", "--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-sys"],
};
const outputs = [];
let server;
let dir;

before(async () => {
  server = await startMcpServer();
  dir = mkdtempSync(join(tmpdir(), "ocrs-mcp-proc-"));
});

after(async () => {
  await server?.close();
});

/** Starts `n` client processes at the same moment; resolves to their reports. */
function run(n, cfg, runtime = "node") {
  const [command, ...pre] = RUNTIMES[runtime];
  return Promise.all(
    Array.from({ length: n }, () =>
      new Promise((resolve, reject) => {
        const child = spawn(command, [...pre, CLIENT, JSON.stringify({ url: server.url, ...cfg })], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("error", reject);
        child.on("close", (code) => {
          outputs.push(out, err);
          const line = out.trim().split("\n").pop();
          try {
            resolve({ ...JSON.parse(line), exit: code, stderr: err });
          } catch {
            reject(new Error(`client process exited ${code} without a report:\n${out}\n${err}`));
          }
        });
      }),
    ),
  );
}

const snapshot = () => ({ ...server.counts });
function delta(before) {
  const d = {};
  for (const [k, v] of Object.entries(server.counts)) d[k] = v - before[k];
  return d;
}

/** Expiry on both sides: the server refuses the access tokens, the stored ones say they expired. */
async function expireEverywhere(storePath) {
  server.expireAccessTokens();
  await fileStore(storePath).update(server.url, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));
}

function allOk(reports, what) {
  for (const r of reports) assert.ok(r.ok, `${what}: ${JSON.stringify(r.error)} ${r.stderr}`);
  for (const r of reports) assert.match(r.text, /^hello, /, `${what}: the tool answered`);
}

const shared = () => join(dir, "shared", "tokens.json");
let clientId;

test("mcp processes: the first login and a tool call take one browser step", async () => {
  const b = snapshot();
  const [r] = await run(1, { store: shared() });
  allOk([r], "first login");
  assert.equal(r.launches, 1, "one browser step");
  const d = delta(b);
  assert.deepEqual([d.registration, d.login, d.authorization_code, d.refresh], [1, 1, 1, 0]);
  assert.equal(server.seen.codeResource.at(-1), server.url, "RFC 8707 resource in the code exchange");
  assert.equal(server.seen.authorizeResource.at(-1), server.url, "RFC 8707 resource in the authorization request");
  const port = Number(new URL(r.redirects[0]).port);
  assert.ok(port > 0 && port !== 3000, `a free port was picked before registration: ${port}`);
  const entry = await fileStore(shared()).getEntry(server.url);
  clientId = entry.client.clientId;
  assert.deepEqual(entry.client.redirectUris, [r.redirects[0]], "the registration holds the picked port");
  const mode = (p) => statSync(p).mode & 0o777;
  assert.equal(mode(shared()) & 0o077, 0, "the store file is not readable by group or others");
  assert.equal(mode(join(dir, "shared")) & 0o077, 0, "nor is its directory");
});

test("mcp processes: a restart reuses the stored tokens without any token request", async () => {
  const b = snapshot();
  const [r] = await run(1, { store: shared() });
  allOk([r], "restart");
  assert.equal(r.launches, 0);
  const d = delta(b);
  assert.deepEqual([d.registration, d.login, d.authorization_code, d.refresh, d.unauthorized, d.toolCalls], [0, 0, 0, 0, 0, 1]);
});

test("mcp processes: a restart after expiry refreshes with the rotated token and the same registration, twice", async () => {
  for (let round = 0; round < 2; round++) {
    await expireEverywhere(shared());
    const b = snapshot();
    const [r] = await run(1, { store: shared() });
    allOk([r], `round ${round}`);
    assert.equal(r.launches, 0, "no browser");
    const d = delta(b);
    assert.deepEqual([d.refresh, d.refreshOk, d.reuse, d.login, d.registration, d.unauthorized], [1, 1, 0, 0, 0, 0], `round ${round}: one refresh, before expiry reached the server`);
    assert.equal(server.seen.refreshResource.at(-1), server.url, "RFC 8707 resource in the refresh request");
    assert.equal((await fileStore(shared()).getEntry(server.url)).client.clientId, clientId, "the same registration");
  }
});

for (const n of [2, 5]) {
  test(`mcp processes: ${n} processes starting with an expired token make one refresh and no login`, async () => {
    await expireEverywhere(shared());
    const b = snapshot();
    const reports = await run(n, { store: shared() });
    allOk(reports, `${n} processes`);
    assert.deepEqual(reports.map((r) => r.launches), Array(n).fill(0), "no browser anywhere");
    const d = delta(b);
    assert.deepEqual([d.refresh, d.reuse, d.login, d.authorization_code, d.unauthorized], [1, 0, 0, 0, 0], "exactly one refresh request, no reuse detection, no login");
    assert.equal(d.toolCalls, n, "every process worked");
  });
}

test("mcp processes: Node, Bun and Deno processes on one store, starting with an expired token, make one refresh", async () => {
  await expireEverywhere(shared());
  const b = snapshot();
  const reports = (await Promise.all([run(2, { store: shared() }, "node"), run(2, { store: shared() }, "bun"), run(2, { store: shared() }, "deno")])).flat();
  allOk(reports, "mixed runtimes");
  assert.equal(reports.reduce((s, r) => s + r.launches, 0), 0, "no browser anywhere");
  const d = delta(b);
  assert.deepEqual([d.refresh, d.reuse, d.login, d.unauthorized, d.toolCalls], [1, 0, 0, 0, 6]);
});

test("mcp processes: a revoked grant costs exactly one login (tokens still valid by the clock)", async () => {
  server.revokeGrants();
  const b = snapshot();
  const [r] = await run(1, { store: shared() });
  allOk([r], "after revocation");
  assert.equal(r.launches, 1, "one browser step");
  assert.deepEqual(r.redirects, (await fileStore(shared()).getEntry(server.url)).client.redirectUris, "the registered port again (this server compares exactly)");
  const d = delta(b);
  assert.deepEqual([d.login, d.authorization_code, d.registration], [1, 1, 0], "one login, the same registration");
});

test("mcp processes: a revoked grant costs exactly one login (tokens expired)", async () => {
  server.revokeGrants();
  await expireEverywhere(shared());
  const b = snapshot();
  const [r] = await run(1, { store: shared() });
  allOk([r], "after revocation and expiry");
  assert.equal(r.launches, 1);
  const d = delta(b);
  assert.deepEqual([d.refresh, d.login, d.authorization_code, d.registration], [1, 1, 1, 0]);
});

test("mcp processes: a refresh answered 503 is an error, never a browser login", async () => {
  await expireEverywhere(shared());
  server.control.refreshStatus = 503;
  try {
    const b = snapshot();
    const [r] = await run(1, { store: shared() });
    assert.equal(r.ok, false, "the connection fails");
    assert.equal(r.launches, 0, "no browser");
    assert.equal(delta(b).login, 0);
    assert.equal(r.error.code, "INVALID_RESPONSE", `the 503 reaches the app: ${JSON.stringify(r.error)}`);
  } finally {
    server.control.refreshStatus = 0;
  }
});

test("mcp processes: a refresh that gets no answer times out as an error, never a browser login", async () => {
  server.control.hangRefresh = true;
  try {
    const b = snapshot();
    const [r] = await run(1, { store: shared(), requestTimeoutMs: 300 });
    assert.equal(r.ok, false);
    assert.equal(r.launches, 0, "no browser");
    assert.equal(r.error.code, "TIMEOUT", JSON.stringify(r.error));
    assert.equal(delta(b).login, 0);
  } finally {
    server.control.hangRefresh = false;
  }
  // And the stored refresh token was not spent: the next start refreshes normally.
  const b = snapshot();
  const [r] = await run(1, { store: shared() });
  allOk([r], "after the outage");
  assert.deepEqual([delta(b).refreshOk, delta(b).reuse, r.launches], [1, 0, 0]);
});

test("mcp processes: two processes with no tokens share one login", async () => {
  const store = join(dir, "pair", "tokens.json");
  const b = snapshot();
  const reports = await run(2, { store });
  allOk(reports, "pair");
  assert.equal(reports.reduce((s, r) => s + r.launches, 0), 1, `one browser step between them: ${JSON.stringify({ reports, counts: delta(b) })}`);
  const d = delta(b);
  assert.deepEqual([d.login, d.authorization_code], [1, 1], "one login, one code exchange");
  // Both may have registered before either signed in (the SDK registers on its own);
  // the store keeps the client the tokens were issued to.
  assert.ok(d.registration === 1 || d.registration === 2, `registrations: ${d.registration}`);
  const entry = await fileStore(store).getEntry(server.url);
  assert.ok(reports.every((r) => r.text === `hello, ${entry.client.clientId}`), "both use the stored client's grant");
});

test("mcp processes: a process killed in the middle of its login leaves no lock behind", async () => {
  const store = join(dir, "killed", "tokens.json");
  const child = spawn(process.execPath, [CLIENT, JSON.stringify({ url: server.url, store, user: "abandon" })], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stdout.on("data", (d) => outputs.push(String(d)));
  // The browser opened: it holds the login lease now. Kill it there.
  await new Promise((resolve) => child.stderr.on("data", (d) => (err += d) && err.includes("browser opened") && resolve()));
  const exited = new Promise((resolve) => child.on("close", resolve));
  child.kill("SIGKILL");
  await exited;
  outputs.push(err);
  const lease = (await fileStore(store).getEntry(server.url))?.discovery?.mcp?.login;
  assert.ok(lease && lease.until > Date.now(), "the dead process's lease is still recorded");
  const b = snapshot();
  const [r] = await run(1, { store });
  allOk([r], "after the kill");
  assert.equal(r.launches, 1, "the next process signs in at once, without waiting for the lease to run out");
  assert.equal(delta(b).login, 1);
});

test("mcp processes: port 0 in two processes with their own stores at once", async () => {
  const b = snapshot();
  const reports = await Promise.all([run(1, { store: join(dir, "a", "t.json"), port: 0 }), run(1, { store: join(dir, "b", "t.json"), port: 0 })]).then((x) => x.flat());
  allOk(reports, "port 0");
  const ports = reports.map((r) => Number(new URL(r.redirects[0]).port));
  assert.ok(ports.every((p) => p > 0), `real ports: ${ports}`);
  assert.notEqual(ports[0], ports[1], "different ports");
  assert.deepEqual([delta(b).login, delta(b).registration], [2, 2]);
});

test("mcp processes: the SDK's low-level pattern (UnauthorizedError, finishAuth(code), connect again)", async () => {
  const store = join(dir, "lowlevel", "tokens.json");
  const b = snapshot();
  const [r] = await run(1, { store, mode: "lowlevel" });
  allOk([r], "low level");
  assert.equal(r.launches, 1);
  const d = delta(b);
  assert.deepEqual([d.login, d.authorization_code, d.registration], [1, 1, 1], "the SDK exchanged the code once");
  const [again] = await run(1, { store, mode: "lowlevel" });
  allOk([again], "low level, restarted");
  assert.equal(again.launches, 0);
});

test("mcp processes: no token, code or client secret appears in any process output", () => {
  assert.ok(outputs.length > 0 && server.secrets.size > 0);
  const all = outputs.join("\n");
  for (const s of server.secrets) assert.ok(!all.includes(s), "a secret the server issued was printed");
  assert.ok(!all.includes("have no 'issuer' property"), "the SDK never warns about a missing issuer");
});
