// getAuthCode in Bun, through the same addon.
import { test } from "bun:test";
import * as lib from "oauth-callback-rs";
import { authCodeCases } from "./cases.mjs";

for (const [name, fn] of authCodeCases) test(name, () => fn(lib), 30_000);
