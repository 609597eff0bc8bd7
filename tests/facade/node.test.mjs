// The facade suite in Node, through the package's own conditional export.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
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
import { browserWasmBytes, minWasmBytes } from "./wasm-bytes.mjs";
import { pkceHostCases } from "./pkce-host-cases.mjs";
import { authorizeModuleCases, minModuleCases } from "./authorize-module-cases.mjs";
import { loginModuleCases } from "./login-module-cases.mjs";
import { loadLoginModule } from "../../npm/dist/login-module.js";
import { toLibraryError } from "../../npm/dist/errors.js";
import * as clientGlue from "../../npm/wasm-browser/oauth_callback_wasm.js";
import { loadAuthorizeModule, useFullOperations } from "../../npm/dist/authorize-module.js";
import * as minEntry from "../../npm/dist/protocol.js";

for (const [name, fn] of [...cases, ...listenerCases]) test(name, () => fn(lib));

await browserEntry.init(readFileSync(browserWasmBytes));
for (const [name, fn] of [...pkceHostCases(lib, browserEntry), ...authorizeModuleCases(browserEntry, lib)]) test(name, fn);

// The protocol functions (npm/dist/protocol.js, on its own: no entry's loader) on the
// authorize module without feature `full`. Without useFullOperations() (what the browser
// entry's withFull calls when a page uses challengeFromVerifier, renderTemplate or
// getRedirectUrl) the bindings carry no code for those three at all.
const bare = await loadAuthorizeModule(readFileSync(minWasmBytes));
test("authorize module: bindings made before useFullOperations() have none of the full build's operations", () => {
  equal(["challengeFromVerifier", "renderTemplate", "loopbackRedirectUri"].filter((name) => name in bare).join(), "", "absent");
  equal(typeof bare.buildAuthorizationUrl, "function", "the rest is there");
});
useFullOperations();
const minBindings = await loadAuthorizeModule(readFileSync(minWasmBytes));
minEntry.useProtocolBindings(minBindings);
for (const [name, fn] of minModuleCases(minEntry, lib, await loadAuthorizeModule(readFileSync(browserWasmBytes)), minBindings)) test(name, fn);

// BrowserOAuthClient's login module against the wasm-bindgen client module it replaced.
const login = await loadLoginModule(readFileSync(new URL("../../npm/wasm-login/oauth_callback_login.wasm", import.meta.url)));
clientGlue.initSync({ module: readFileSync(new URL("../../npm/wasm-browser/oauth_callback_wasm_bg.wasm", import.meta.url)) });
for (const [name, fn] of loginModuleCases(login, clientGlue, toLibraryError)) test(name, fn);

test("node: when node:crypto's random source fails, the core draws the PKCE pair and the state instead", () => {
  const script = `
    let compiled = 0;
    WebAssembly.Module = new Proxy(WebAssembly.Module, { construct(target, args) { compiled++; return Reflect.construct(target, args); } });
    process.getBuiltinModule("node:crypto").randomFillSync = () => { throw new Error("no entropy here"); };
    const lib = await import("oauth-callback-rs");
    const { verifier, challenge } = lib.generatePkce();
    const state = lib.generateState();
    process.stdout.write(JSON.stringify({ verifier, challenge, state, compiled, check: lib.challengeFromVerifier(verifier) }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: new URL("../..", import.meta.url), encoding: "utf8" }));
  equal(out.verifier.length, 43, "a verifier all the same");
  equal(out.challenge, out.check, "its challenge");
  equal(out.state.length, 43, "a state all the same");
  equal(out.compiled, 1, "drawn by the core (the wasm module compiled)");
});

test("node: a first PKCE pair, state, nonce and challenge compile no wasm; a bad verifier reaches the core", () => {
  // Counts wasm compilations in a fresh process: the host-crypto path must not need the
  // core for plainly valid input, and must hand anything else to it.
  const script = `
    let compiled = 0;
    WebAssembly.Module = new Proxy(WebAssembly.Module, { construct(target, args) { compiled++; return Reflect.construct(target, args); } });
    const lib = await import("oauth-callback-rs");
    lib.generatePkce(); lib.generateState(); lib.generateNonce();
    lib.challengeFromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    const before = compiled;
    let code;
    try { lib.challengeFromVerifier("short"); } catch (err) { code = err.code; }
    process.stdout.write(JSON.stringify({ before, after: compiled, code }));
  `;
  const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: new URL("../..", import.meta.url), encoding: "utf8" }));
  equal(out.before, 0, "wasm modules compiled for valid PKCE, state and nonce");
  equal(out.after, 1, "wasm modules compiled once a verifier needed the core");
  equal(out.code, "INVALID_CODE_VERIFIER", "the core's typed error");
});

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
