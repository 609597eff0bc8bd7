// The benchmarks' C helpers (bench/floor-server.c, bench/junk-sender.c), built with the
// system's cc into target/ (cc writes the file, so Deno needs no write permission).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** bench/NAME.c built into target/bench-NAME: `{ bin }`, or `{ bin: null, failed }` with cc's first complaint. */
export function buildC(name) {
  const bin = fileURLToPath(new URL(`../target/bench-${name}`, import.meta.url));
  const cc = spawnSync("cc", ["-O2", "-o", bin, fileURLToPath(new URL(`./${name}.c`, import.meta.url))], { stdio: ["ignore", "ignore", "pipe"] });
  if (cc.status === 0) return { bin };
  return { bin: null, failed: cc.error?.message ?? String(cc.stderr).trim().split("\n")[0] };
}
