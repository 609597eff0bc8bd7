// The differential suite in Node: each case against oauth-callback@2.2.1 and against
// oauth-callback-rs, compared; the table at the end. DIFFERENTIAL_DUMP=1 also prints
// both observations of every case.
import { test } from "node:test";
import { cases, check, table } from "./suite.mjs";

for (const c of cases) test(`differential: ${c.name}`, () => check(c));
test("differential: table", () => console.log(table()));
