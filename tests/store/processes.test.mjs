// Token store files shared by real processes: Node, Bun and Deno writers updating one
// encrypted file under the cross-process lock; writers killed with SIGKILL mid-write;
// Node and Deno reading each other's files; and a plain file shared by the three
// runtimes and the peer package, `oauth-callback`.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

test("stores: writers SIGKILLed inside the write window leave the old value or the new, never a torn file", async () => {
  const dir = tmp();
  const path = join(dir, "crash.enc");
  const rounds = 25;
  let landed = 0;
  let last = 0;
  for (let round = 0; round < rounds; round++) {
    const [cmd, argv] = command("node", [path, PASS, "write-forever"]);
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "ignore"] });
    const exited = new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
    // The writer says when its loop runs (after start-up and the Argon2id derivation).
    await Promise.race([new Promise((resolve) => child.stdout.once("data", resolve)), exited]);
    // Kill it the moment its next temporary file appears: between creating that file and
    // renaming it over the store, the write window.
    const watcher = watch(dir);
    const appeared = new Promise((resolve) => {
      watcher.on("change", (_, name) => {
        if (String(name).endsWith(".tmp") && existsSync(join(dir, String(name)))) resolve(String(name));
      });
    });
    // A hang guard, not a measurement: a writer that never makes a temporary file (a write
    // in place) fails here instead of hanging the suite.
    let guard;
    const noTemp = new Promise((resolve) => (guard = setTimeout(() => resolve("none"), 20_000)));
    const tmpName = await Promise.race([appeared, exited.then(() => null), noTemp]);
    clearTimeout(guard);
    if (tmpName === "none") child.kill("SIGKILL");
    ok(tmpName !== "none", `round ${round}: the writer writes through a temporary file`);
    child.kill("SIGKILL");
    const { signal } = await exited;
    watcher.close();
    equal(signal, "SIGKILL", `round ${round}: the writer was killed, it did not stop on its own`);
    // The temporary file still there after the writer is dead: it died before the rename.
    if (tmpName !== null && existsSync(join(dir, tmpName))) landed++;
    const entry = await lib.fileStore(path, { encryptionKey: PASS }).getEntry("crash");
    if (entry === null) continue; // killed before its first write finished
    const value = entry.discovery.value;
    ok(Number.isInteger(value) && value >= 1, `round ${round}: a whole value (${value})`);
    equal(entry.discovery.padding.length, 256 * 1024, `round ${round}: the whole padding`);
    last = value;
  }
  ok(landed >= 5, `kills that landed inside the write window: ${landed} of ${rounds}`);
  ok(last > 0, "writers made progress between kills");
  ok(readdirSync(dir).some((n) => n.endsWith(".tmp")), "killed writers left their temporary files");
  // The next write removes the temporary files of writers that are gone, and leaves those
  // of running processes alone.
  const alive = join(dir, ".crash.enc.1.0.tmp");
  writeFileSync(alive, "a write in progress");
  await lib.fileStore(path, { encryptionKey: PASS }).set("after", { accessToken: "x" });
  const leftovers = readdirSync(dir).filter((n) => n.endsWith(".tmp"));
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
