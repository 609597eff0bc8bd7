// OAuthClient against a misbehaving authorization server, in Bun.
import { test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lib from "oauth-callback-rs";
import { faultCases } from "./cases.mjs";

const env = { tmp: () => mkdtempSync(join(tmpdir(), "ocrs-faults-")) };
for (const [name, fn] of faultCases) test(name, () => fn(lib, env), 60_000);
