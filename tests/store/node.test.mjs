// Token stores in Node.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import { storeCases } from "./cases.mjs";
import { makeEnv } from "./env-node.mjs";

process.env.HOME = mkdtempSync(join(tmpdir(), "ocrs-home-"));
const env = makeEnv(process.env.HOME);
for (const [name, fn] of storeCases) test(name, () => fn(lib, env));
