// The facade suite in Deno (`deno test`), through the package's `deno` export condition.
import * as lib from "oauth-callback-rs";
import { cases } from "./cases.mjs";
import { listenerCases } from "./listener-cases.mjs";
import { pkceHostCases } from "./pkce-host-cases.mjs";
import { authorizeModuleCases } from "./authorize-module-cases.mjs";
import { browserWasmBytes } from "./wasm-bytes.mjs";
import * as browserEntry from "../../npm/dist/index.browser.js";

for (const [name, fn] of [...cases, ...listenerCases]) Deno.test(name, () => fn(lib));

await browserEntry.init(await Deno.readFile(browserWasmBytes));
for (const [name, fn] of [...pkceHostCases(lib, browserEntry), ...authorizeModuleCases(browserEntry, lib)]) Deno.test(name, fn);
