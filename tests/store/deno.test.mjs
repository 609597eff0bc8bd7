// Token stores in Deno: Deno's file API, the same on-disk format through the wasm core.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as peer from "oauth-callback";
import * as lib from "oauth-callback-rs";
import { storeCases } from "./cases.mjs";
import { makeEnv } from "./env-node.mjs";

const home = mkdtempSync(join(tmpdir(), "ocrs-home-"));
Deno.env.set("HOME", home);
const env = makeEnv(home, { isolatedHome: true, peer });
for (const [name, fn] of storeCases) Deno.test(name, () => fn(lib, env));
