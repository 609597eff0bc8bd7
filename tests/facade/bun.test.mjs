// The facade suite in Bun (`bun test`), through the package's `bun` export condition.
import { test } from "bun:test";
import * as lib from "oauth-callback-rs";
import { cases } from "./cases.mjs";
import { listenerCases } from "./listener-cases.mjs";
import { pkceHostCases } from "./pkce-host-cases.mjs";
import { authorizeModuleCases } from "./authorize-module-cases.mjs";
import { browserWasmBytes } from "./wasm-bytes.mjs";
import * as browserEntry from "../../npm/dist/index.browser.js";

for (const [name, fn] of [...cases, ...listenerCases]) test(name, () => fn(lib));

await browserEntry.init(await Bun.file(browserWasmBytes).arrayBuffer());
for (const [name, fn] of [...pkceHostCases(lib, browserEntry), ...authorizeModuleCases(browserEntry, lib)]) test(name, fn);
