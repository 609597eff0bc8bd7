// getAuthCode in Deno: the same cases, served by Deno.serve and the wasm core handler.
import * as lib from "oauth-callback-rs";
import { authCodeCases } from "./cases.mjs";

for (const [name, fn] of authCodeCases) Deno.test({ name, fn: () => fn(lib), sanitizeResources: true, sanitizeOps: true });
