// The file store's write protocol, as the kernel sees it: strace records the system calls
// of a real writer (Node with the addon, Deno with its file API), and the test checks
// their order: the lock taken, the temporary file created exclusively and fsynced, renamed
// over the store, the directory fsynced after the rename (or the rename is not durable),
// and the lock released last. A power cut cannot be simulated here; this is what makes a
// write survive one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { equal, ok } from "../facade/assert.mjs";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const DENO = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));

/** Runs one `put` under strace; returns the calls that touch the store's directory. */
function traced(runtime, encrypted) {
  const dir = mkdtempSync(join(tmpdir(), "ocrs-durable-"));
  const path = join(dir, "tokens.json");
  const out = join(dir, "..", `${dir.split("/").pop()}.strace`);
  const worker = [WORKER, path, encrypted ? "durability passphrase" : "-", "put", "k", "v"];
  const argv = runtime === "node" ? [process.execPath, ...worker] : [DENO, "run", "--no-check", "--no-lock", "--allow-read", "--allow-write", "--allow-env", ...worker];
  const r = spawnSync("strace", ["-f", "-y", "-qq", "-e", "trace=openat,fsync,fdatasync,rename,renameat,renameat2,flock", "-o", out, ...argv], { encoding: "utf8", timeout: 60_000 });
  equal(r.status, 0, `${runtime} writer under strace (${r.stderr.slice(-300)})`);
  const calls = readFileSync(out, "utf8")
    .split("\n")
    .map((line) => line.replace(/^\d+\s+/, ""))
    .filter((line) => line.includes(dir) && !line.includes("ENOENT"));
  return { dir, path, calls };
}

function indexOf(calls, re, what) {
  const i = calls.findIndex((c) => re.test(c));
  ok(i >= 0, `${what} (calls: ${calls.join(" | ")})`);
  return i;
}

for (const runtime of ["node", "deno"]) {
  for (const encrypted of [false, true]) {
    test(`durability (${runtime}${encrypted ? ", encrypted" : ""}): lock, exclusive temporary file, fsync, rename, directory fsync, unlock`, () => {
      const { dir, calls } = traced(runtime, encrypted);
      const esc = dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const lock = indexOf(calls, new RegExp(`^flock\\(\\d+<${esc}/tokens\\.json\\.lock>, LOCK_EX`), "the lock is taken");
      const create = indexOf(calls, new RegExp(`^openat\\(.*"${esc}/\\.tokens\\.json\\.[^"]+\\.tmp", [^)]*O_CREAT\\|O_EXCL`), "the temporary file is created exclusively");
      const tmpName = /"([^"]+\.tmp)"/.exec(calls[create])[1];
      ok(/\/\.tokens\.json\.\d+\.[0-9a-f]{16}\.tmp$/.test(tmpName), `the temporary name ends in 64 random bits: ${tmpName}`);
      const syncTmp = indexOf(calls, new RegExp(`^f(data)?sync\\(\\d+<${tmpName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}>\\)`), "the temporary file is fsynced");
      const rename = indexOf(calls, new RegExp(`^rename(at2?)?\\(.*"${tmpName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}".*"${esc}/tokens\\.json"`), "it is renamed over the store");
      const syncDir = calls.findIndex((c, i) => i > rename && new RegExp(`^f(data)?sync\\(\\d+<${esc}>\\)`).test(c));
      ok(syncDir > rename, `the directory is fsynced after the rename (calls: ${calls.join(" | ")})`);
      const unlock = calls.findIndex((c, i) => i > lock && /^flock\(\d+<.*\.lock>, LOCK_UN/.test(c));
      ok(lock < create && create < syncTmp && syncTmp < rename, "lock → create → fsync → rename");
      // The lock is released by an explicit LOCK_UN or by closing the descriptor; when
      // explicit, it comes after the directory fsync.
      ok(unlock === -1 || unlock > syncDir, "the lock is held until the write is durable");
    });
  }
}
