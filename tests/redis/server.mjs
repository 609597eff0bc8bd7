// A real redis-server (the Debian package) for the tests, on a free 127.0.0.1 port, with
// its data in a fresh directory: append-only file synced on every write, so a restart
// (even after SIGKILL) keeps every acknowledged write. Works in Node, Bun and Deno.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A port that was free a moment ago (redis-server then binds it; a clash retries). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs redis-server until it accepts connections; rejects if it exits first. */
function launch(port, dir, extra) {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "yes", "--loglevel", "notice", ...extra],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      log += d;
      if (log.includes("Ready to accept connections")) resolve();
    });
    child.stderr.on("data", (d) => (log += d));
    exited.then(() => reject(new Error(`redis-server on port ${port} exited before it was ready:\n${log.slice(-1500)}`)));
  });
  return { child, ready, exited, log: () => log };
}

/**
 * Starts redis-server; resolves to { url, port, stop(), kill(signal), restart() }.
 * `password` turns on `requirepass`.
 */
export async function startRedis({ password } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "ocrs-redis-"));
  const extra = password ? ["--requirepass", password] : [];
  let port;
  let proc;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    proc = launch(port, dir, extra);
    try {
      await proc.ready;
      break;
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
  const auth = password ? `:${encodeURIComponent(password)}@` : "";
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    dir,
    /** Stops the server at once (SIGKILL by default) and waits until it has exited. */
    async kill(signal = "SIGKILL") {
      proc.child.kill(signal);
      await proc.exited;
    },
    /** Starts it again on the same port and data directory. */
    async restart() {
      proc = launch(port, dir, extra);
      await proc.ready;
    },
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill("SIGKILL");
        await proc.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
