// OAuthClient against a misbehaving authorization server, in Deno.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lib from "oauth-callback-rs";
import { faultCases } from "./cases.mjs";

const env = { tmp: () => mkdtempSync(join(tmpdir(), "ocrs-faults-")) };
for (const [name, fn] of faultCases) Deno.test({ name, fn: () => fn(lib, env), sanitizeOps: false, sanitizeResources: false });
