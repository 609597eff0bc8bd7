// The differential suite in Deno: each case against oauth-callback@2.2.1 and against
// oauth-callback-rs, compared; the table at the end. The peer's Deno server stops
// without waiting for Deno.serve to finish, so the resource sanitizers are off here.
import { cases, check, table } from "./suite.mjs";

for (const c of cases) Deno.test({ name: `differential: ${c.name}`, fn: () => check(c), sanitizeResources: false, sanitizeOps: false });
Deno.test("differential: table", () => console.log(table()));
