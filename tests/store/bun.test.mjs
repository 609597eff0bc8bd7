// Token stores in Bun, through the same addon as Node.
import { test } from "bun:test";
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";
import * as peer from "oauth-callback";
import * as lib from "oauth-callback-rs";
import { storeCases } from "./cases.mjs";
import { makeEnv } from "./env-node.mjs";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));

/** `fileStore()` (the default path) in a Bun child whose HOME is `home`: sets one key. */
function putWithHome(home, key, accessToken) {
  const r = spawnSync(process.execPath, [WORKER, "@default", "-", "put", key, accessToken], { encoding: "utf8", env: { ...process.env, HOME: home } });
  if (r.status !== 0) throw new Error(`bun worker failed (${r.status}): ${r.stderr}`);
}

// Bun keeps the HOME it started with (setting process.env.HOME does not reach native
// code or os.homedir()), so the "~" case uses a uniquely named directory there and removes it,
// and the default-path case runs in a child process with its own HOME.
const env = makeEnv(homedir(), { isolatedHome: false, peer, putWithHome });
for (const [name, fn] of storeCases) test(name, () => fn(lib, env), 30_000);
