// Token store files shared by real processes: Node, Bun and Deno writers updating one
// encrypted file under the cross-process lock; writers killed with SIGKILL mid-write;
// Node and Deno reading each other's files; and a plain file shared by the three
// runtimes and the peer package, `oauth-callback`.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as peer from "oauth-callback";
import * as lib from "oauth-callback-rs";
import { equal, ok } from "../facade/assert.mjs";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const BIN = fileURLToPath(new URL("../../node_modules/.bin/", import.meta.url));
const PASS = "interop passphrase 1";
const DENO_FLAGS = ["run", "--no-check", "--no-lock", "--allow-read", "--allow-write", "--allow-env"];

function command(runtime, args) {
  if (runtime === "node") return [process.execPath, [WORKER, ...args]];
  if (runtime === "bun") return [`${BIN}bun`, [WORKER, ...args]];
  return [`${BIN}deno`, [...DENO_FLAGS, WORKER, ...args]];
}

function run(runtime, args) {
  const [cmd, argv] = command(runtime, args);
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

const tmp = () => mkdtempSync(join(tmpdir(), "ocrs-proc-"));

test("stores: Node, Bun and Deno processes updating one file lose no update", async () => {
  const path = join(tmp(), "shared.enc");
  const runtimes = ["node", "node", "bun", "deno"];
  const results = await Promise.all(runtimes.map((r, i) => run(r, [path, PASS, "increment", "25", String(i)])));
  results.forEach((r, i) => equal(r.code, 0, `${runtimes[i]} worker exit (${r.err})`));
  const store = lib.fileStore(path, { encryptionKey: PASS });
  equal((await store.getEntry("shared")).discovery.count, 100, "every increment of every process");
  for (let i = 0; i < runtimes.length; i++) equal((await store.getEntry(`worker-${i}`)).discovery.count, 25, `worker ${i}'s own key`);
});

test("stores: a writer killed with SIGKILL leaves the old value or the new, never a torn file", async () => {
  const path = join(tmp(), "crash.enc");
  let last = 0;
  let kills = 0;
  for (let round = 0; round < 25; round++) {
    const [cmd, argv] = command("node", [path, PASS, "write-forever"]);
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "ignore"] });
    // Wait until the writer is in its loop (past start-up and the Argon2id derivation,
    // however slow the machine is), then kill it anywhere in a write.
    await new Promise((resolve) => {
      child.stdout.once("data", resolve);
      child.once("close", resolve);
    });
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    kills++;
    const entry = await lib.fileStore(path, { encryptionKey: PASS }).getEntry("crash");
    if (entry === null) continue; // killed before the first write finished
    const value = entry.discovery.value;
    ok(Number.isInteger(value) && value >= 1, `round ${round}: a whole value (${value})`);
    equal(entry.discovery.padding.length, 256 * 1024, `round ${round}: the whole padding`);
    last = value;
  }
  equal(kills, 25, "every round killed its writer");
  ok(last > 0, "writers made progress between kills");
  // Writers killed mid-write leave temporary files; the next write removes those of
  // processes that are gone, and leaves those of running processes alone.
  const dead = join(dirname(path), ".crash.enc.999999999.0.tmp");
  const alive = join(dirname(path), ".crash.enc.1.0.tmp");
  writeFileSync(dead, "half a write");
  writeFileSync(alive, "a write in progress");
  await lib.fileStore(path, { encryptionKey: PASS }).set("after", { accessToken: "x" });
  const leftovers = readdirSync(dirname(path)).filter((n) => n.endsWith(".tmp"));
  equal(leftovers.join(","), ".crash.enc.1.0.tmp", "only the live process's temporary file remains");
});

test("stores: Node and Deno read each other's encrypted files", async () => {
  const path = join(tmp(), "interop.enc");
  await lib.fileStore(path, { encryptionKey: PASS }).set("from-node", { accessToken: "node-token" });
  const read = await run("deno", [path, PASS, "get", "from-node"]);
  equal(read.code, 0, `deno read (${read.err})`);
  equal(JSON.parse(read.out).accessToken, "node-token", "Deno reads Node's file");
  const write = await run("deno", [path, PASS, "put", "from-deno", "deno-token"]);
  equal(write.code, 0, `deno write (${write.err})`);
  const store = lib.fileStore(path, { encryptionKey: PASS });
  equal((await store.get("from-deno")).accessToken, "deno-token", "Node reads Deno's write");
  equal((await store.get("from-node")).accessToken, "node-token", "and Deno kept Node's key");
  const wrongKey = await run("deno", [path, "another passphrase", "get", "from-node"]);
  ok(wrongKey.code !== 0 && /^STORE_DECRYPT_FAILED: /.test(wrongKey.err), `wrong key refused in Deno too: ${wrongKey.err.slice(0, 200)}`);
});

test("stores: Node, Bun, Deno and oauth-callback share a plain file, under the lock", async () => {
  const path = join(tmp(), "plain.json");
  await lib.fileStore(path).setClient("srv", { clientId: "node-client" });
  const runtimes = ["node", "bun", "deno"];
  const counted = await Promise.all(runtimes.map((r, i) => run(r, [path, "-", "increment", "20", String(i)])));
  counted.forEach((r, i) => equal(r.code, 0, `${runtimes[i]} plain worker exit (${r.err})`));
  for (const r of runtimes) {
    const put = await run(r, [path, "-", "put", `from-${r}`, `${r}-token`]);
    equal(put.code, 0, `${r} put (${put.err})`);
  }
  const client = await run("deno", [path, "-", "set-client", "deno-key", "deno-client"]);
  equal(client.code, 0, `deno set-client (${client.err})`);
  const bunRead = await run("bun", [path, "-", "get", "from-deno"]);
  equal(JSON.parse(bunRead.out).accessToken, "deno-token", `Bun reads Deno's write (${bunRead.err})`);

  const theirs = peer.fileStore(path);
  for (const r of runtimes) equal((await theirs.get(`from-${r}`)).accessToken, `${r}-token`, `oauth-callback reads ${r}'s tokens`);
  const ours = lib.fileStore(path);
  equal((await ours.getEntry("shared")).discovery.count, 60, "every increment of every process");
  equal((await ours.getClient("srv")).clientId, "node-client", "Node's client kept through every write");
  equal((await ours.getClient("deno-key")).clientId, "deno-client", "Deno's client");
});
