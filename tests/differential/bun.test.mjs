// The differential suite in Bun (`bun test`): each case against oauth-callback@2.2.1 and
// against oauth-callback-rs, compared; the table at the end.
import { test } from "bun:test";
import { cases, check, table } from "./suite.mjs";

for (const c of cases) test(`differential: ${c.name}`, () => check(c), 60_000);
test("differential: table", () => console.log(table()));
