// The facade suite in Node, through the package's own conditional export.
import { copyFileSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import * as browserEntry from "../../npm/dist/index.browser.js";
import { equal, ok } from "./assert.mjs";
import { cases } from "./cases.mjs";
import { listenerCases } from "./listener-cases.mjs";

for (const [name, fn] of [...cases, ...listenerCases]) test(name, () => fn(lib));

test("node: require() of the package works (no top-level await)", () => {
  const required = createRequire(import.meta.url)("oauth-callback-rs");
  equal(typeof required.generatePkce, "function", "generatePkce");
  equal(required.challengeFromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "vector");
});

test("node: the browser entry loaded beside the node entry changes nothing", () => {
  equal(lib.challengeFromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "vector");
  let err;
  try {
    lib.getRedirectUrl({ hostname: "example.com" });
  } catch (e) {
    err = e;
  }
  ok(err instanceof browserEntry.OAuthCallbackError, "a node-entry error is an instance of the browser entry's class");
  ok(new browserEntry.OAuthCallbackError("INVALID_URL", "x") instanceof lib.OAuthCallbackError, "and back");
});

test("node: errors from two copies of the package are instances of each other's class", async () => {
  // A second copy of the module, as when two versions sit in node_modules.
  const dir = mkdtempSync(join(tmpdir(), "oauth-callback-rs-copy-"));
  copyFileSync(new URL("../../npm/dist/index.node.js", import.meta.url), join(dir, "index.js"));
  const copy = await import(pathToFileURL(join(dir, "index.js")).href);
  let err;
  try {
    lib.getRedirectUrl({ hostname: "0.0.0.0" });
  } catch (e) {
    err = e;
  }
  ok(copy.OAuthCallbackError !== lib.OAuthCallbackError, "two distinct classes");
  ok(err instanceof copy.OAuthCallbackError, "an error of one copy is an instance of the other's class");
  ok(new copy.OAuthCallbackError("INVALID_URL", "x") instanceof lib.OAuthCallbackError, "and back");
  ok(!(new Error("x") instanceof copy.OAuthCallbackError), "plain errors are not");
});
