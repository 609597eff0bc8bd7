// getAuthCode in Node: the addon's hyper server.
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import { authCodeCases, hyperCases } from "./cases.mjs";

for (const [name, fn] of [...authCodeCases, ...hyperCases]) test(name, () => fn(lib));
