// Token stores in Bun, through the same addon as Node.
import { test } from "bun:test";
import { homedir } from "node:os";
import * as lib from "oauth-callback-rs";
import { storeCases } from "./cases.mjs";
import { makeEnv } from "./env-node.mjs";

// Bun keeps the HOME it started with (setting process.env.HOME does not reach native
// code or os.homedir()), so the "~" case uses a uniquely named directory there and removes it.
const env = makeEnv(homedir());
for (const [name, fn] of storeCases) test(name, () => fn(lib, env), 30_000);
