// The facade suite in Deno (`deno test`), through the package's `deno` export condition.
import * as lib from "oauth-callback-rs";
import { cases } from "./cases.mjs";
import { listenerCases } from "./listener-cases.mjs";

for (const [name, fn] of [...cases, ...listenerCases]) Deno.test(name, () => fn(lib));
