// Token stores in Node.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as peer from "oauth-callback";
import * as lib from "oauth-callback-rs";
import { storeCases } from "./cases.mjs";
import { makeEnv } from "./env-node.mjs";

// Set before any store runs: the addon and os.homedir() read HOME when they need it.
process.env.HOME = mkdtempSync(join(tmpdir(), "ocrs-home-"));
const env = makeEnv(process.env.HOME, { isolatedHome: true, peer });
for (const [name, fn] of storeCases) test(name, () => fn(lib, env));
