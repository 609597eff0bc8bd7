// The facade suite in Bun (`bun test`), through the package's `bun` export condition.
import { test } from "bun:test";
import * as lib from "oauth-callback-rs";
import { cases } from "./cases.mjs";
import { listenerCases } from "./listener-cases.mjs";

for (const [name, fn] of [...cases, ...listenerCases]) test(name, () => fn(lib));
