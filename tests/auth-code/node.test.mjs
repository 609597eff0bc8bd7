// getAuthCode in Node.
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import { authCodeCases } from "./cases.mjs";

for (const [name, fn] of authCodeCases) test(name, () => fn(lib));
