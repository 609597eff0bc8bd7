// What the built entries hold, as the README claims: a page that only starts a login
// bundles the authorize module's loader and none of the client; the Node and Deno entries
// import no Node builtin statically (each costs a fresh process import time) and carry
// the wasm glue as text, compiled on first use (a string is scanned at import, code is
// pre-parsed).
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { build } from "esbuild";
import { ok } from "./assert.mjs";

const NPM = new URL("../../npm/", import.meta.url);

async function page(source) {
  const out = await build({
    stdin: { contents: source, resolveDir: new URL(".", import.meta.url).pathname, loader: "js" },
    bundle: true,
    minify: true,
    platform: "browser",
    format: "esm",
    write: false,
    alias: { "oauth-callback-rs": new URL("dist/index.browser.js", NPM).pathname },
    logLevel: "error",
  });
  return new TextDecoder().decode(out.outputFiles[0].contents);
}

test("bundles: a page with PKCE, state and an authorization URL gets the authorize module only", async () => {
  const js = await page(`import { init, generatePkce, generateState, buildAuthorizationUrl } from "oauth-callback-rs";
    await init(); console.log(buildAuthorizationUrl({ authorizationEndpoint: "https://a.example/", clientId: "c", state: generateState(), codeChallenge: generatePkce().challenge }));`);
  ok(js.includes("oauth_callback_authorize.wasm"), "loads the authorize module");
  ok(!js.includes("oauth_callback_wasm_bg.wasm") && !js.includes("wasm-browser"), "never names the client module");
  ok(!/BrowserOAuthClient|__wbindgen|token_endpoint/.test(js), "no client code and no wasm-bindgen glue");
  ok(js.length < 12_000, `a few KB of JavaScript (${js.length} bytes minified)`);
});

test("bundles: a page with BrowserOAuthClient gets the client module", async () => {
  const js = await page(`import { BrowserOAuthClient } from "oauth-callback-rs";
    new BrowserOAuthClient({ issuer: "https://a.example", clientId: "c", redirectUri: "https://b.example/" });`);
  ok(js.includes("oauth_callback_wasm_bg.wasm"), "loads the client module");
  ok(js.includes("__wbindgen") || js.includes("wbg"), "with its wasm-bindgen glue");
});

test("bundles: the Node and Deno entries import no Node builtin statically", () => {
  for (const entry of ["index.node.js", "index.deno.js", "mcp.node.js", "mcp.deno.js"]) {
    const js = readFileSync(new URL(`dist/${entry}`, NPM), "utf8");
    // Minified or not: `import{x}from"node:fs"`, `import * as x from "node:fs"`, `import"node:fs"`.
    const staticImports = js.match(/(?:^|[;\n}])\s*import\s*(?:[\w$*{][^;]*?from\s*)?["']node:[^"']+["']/g) ?? [];
    const bare = [];
    ok(staticImports.length === 0 && bare.length === 0, `${entry}: ${[...staticImports, ...bare].join(", ")}`);
    ok(/process\.getBuiltinModule|getBuiltinModule/.test(js), `${entry} reaches builtins on first use`);
  }
});

test("bundles: the Node and Deno entries carry the wasm glue as text, not as code", () => {
  const opener = "(function (module, exports) {";
  for (const entry of ["index.node.js", "index.deno.js", "mcp.node.js", "mcp.deno.js"]) {
    const js = readFileSync(new URL(`dist/${entry}`, NPM), "utf8");
    const at = js.indexOf(opener) - 1;
    const quote = js[at];
    ok(at >= 0 && /["'`]/.test(quote) && js.indexOf(opener, at + 2) < 0, `${entry}: one glue string`);
    // The string literal's end: the first closing quote not escaped.
    let end = at + 1;
    while (js[end] !== quote) end += js[end] === "\\" ? 2 : 1;
    const literal = js.slice(at, end + 1);
    ok(/__wbindgen_malloc/.test(literal) && /initSync/.test(literal), `${entry}: the string is the glue`);
    const code = js.slice(0, at) + js.slice(end + 1);
    ok(!/__wbindgen_malloc|__wbg_init/.test(code), `${entry}: no glue outside the string`);
  }
});

test("bundles: the glue compiles where eval is disallowed (node --disallow-code-generation-from-strings)", async () => {
  const { execFileSync } = await import("node:child_process");
  const entry = new URL("dist/index.node.js", NPM).href;
  const out = execFileSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", `
    const lib = await import(${JSON.stringify(entry)});
    let evalBlocked = false;
    try { new Function("return 1"); } catch { evalBlocked = true; }
    console.log(JSON.stringify({ evalBlocked, url: lib.buildAuthorizationUrl({ authorizationEndpoint: "https://as.example/a", clientId: "c", state: "s", codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" }), code: (() => { try { lib.challengeFromVerifier("short"); } catch (e) { return e.code; } })() }));
  `], { encoding: "utf8" });
  const r = JSON.parse(out);
  ok(r.evalBlocked, "the flag is in force");
  ok(r.url.startsWith("https://as.example/a?response_type=code&client_id=c&"), `a wasm call works: ${r.url}`);
  ok(r.code === "INVALID_CODE_VERIFIER", `and its typed errors: ${r.code}`);
});

test("bundles: the wasm modules and the addon carry no path of the machine that built them", async () => {
  const { homedir } = await import("node:os");
  const { readdirSync } = await import("node:fs");
  const { fileURLToPath } = await import("node:url");
  const repo = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
  const files = [
    "wasm/oauth_callback_wasm_bg.wasm",
    "wasm-browser/oauth_callback_wasm_bg.wasm",
    "wasm-authorize/oauth_callback_authorize.wasm",
    ...readdirSync(new URL("native/", NPM)).filter((f) => f.endsWith(".node")).map((f) => `native/${f}`),
  ];
  ok(files.length >= 4, `the built files (${files.join(", ")})`);
  for (const f of files) {
    const bytes = readFileSync(new URL(f, NPM));
    for (const path of [`${homedir()}/.cargo`, `${homedir()}/.rustup`, repo]) {
      ok(bytes.indexOf(Buffer.from(path)) === -1, `${f} names ${path}`);
    }
  }
});
