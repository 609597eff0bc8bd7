// What the built entries hold, as the README claims: a page that only starts a login
// bundles the authorize module's loader and none of the client; the Node and Deno entries
// import no Node builtin statically (each costs a fresh process import time) and carry
// the wasm glue as text, compiled on first use (a string is scanned at import, code is
// pre-parsed).
import { execFileSync } from "node:child_process";
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
  ok(js.includes("oauth_callback_authorize_min.wasm"), "loads the authorize module");
  ok(!js.includes("oauth_callback_wasm_bg.wasm") && !js.includes("wasm-browser"), "never names the client module");
  ok(!/BrowserOAuthClient|__wbindgen|token_endpoint/.test(js), "no client code and no wasm-bindgen glue");
  ok(js.length < 12_000, `a few KB of JavaScript (${js.length} bytes minified)`);
});

/** Runs a bundled page in this process with `fetch` serving npm/wasm-authorize; returns the files it fetched and what it logged. */
async function run(source) {
  const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  const dir = mkdtempSync(join(tmpdir(), "oauth-bundle-"));
  const file = join(dir, `page-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, await page(source));
  const fetched = [];
  const saved = globalThis.fetch;
  globalThis.fetch = async (url) => {
    const name = String(url).split("/").pop();
    fetched.push(name);
    return new Response(readFileSync(new URL(`wasm-authorize/${name}`, NPM)), { headers: { "content-type": "application/wasm" } });
  };
  try {
    const { out } = await import(pathToFileURL(file).href);
    return { fetched, out };
  } finally {
    globalThis.fetch = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

test("bundles: init() fetches the authorize module's min build unless the page uses challengeFromVerifier, renderTemplate or getRedirectUrl", async () => {
  const pkce = await run(`import { init, generatePkce, generateState, buildAuthorizationUrl } from "oauth-callback-rs";
    await init(); export const out = buildAuthorizationUrl({ authorizationEndpoint: "https://a.example/", clientId: "c", state: generateState(), codeChallenge: generatePkce().challenge });`);
  ok(pkce.fetched.join() === "oauth_callback_authorize_min.wasm", `the PKCE page fetched ${pkce.fetched.join()}`);
  ok(pkce.out.startsWith("https://a.example/?response_type=code&client_id=c&"), pkce.out);
  const template = await run(`import { init, renderTemplate } from "oauth-callback-rs";
    await init(); export const out = renderTemplate("<p>{{x}}</p>", { x: "<&>" });`);
  ok(template.fetched.join() === "oauth_callback_authorize.wasm", `the template page fetched ${template.fetched.join()}`);
  ok(template.out === "<p>&#60;&#38;&#62;</p>", template.out);
  const redirect = await run(`import { init, getRedirectUrl } from "oauth-callback-rs";
    await init(); export const out = getRedirectUrl({ port: 8080 });`);
  ok(redirect.fetched.join() === "oauth_callback_authorize.wasm", `the loopback page fetched ${redirect.fetched.join()}`);
  ok(redirect.out === "http://localhost:8080/callback", redirect.out);
  const challenge = await run(`import { init, challengeFromVerifier } from "oauth-callback-rs";
    await init(); export const out = challengeFromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");`);
  ok(challenge.fetched.join() === "oauth_callback_authorize.wasm", `the challenge page fetched ${challenge.fetched.join()}`);
  ok(challenge.out === "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", challenge.out);
});

test("bundles: a page with BrowserOAuthClient gets the login module, and no wasm-bindgen glue", async () => {
  const js = await page(`import { BrowserOAuthClient } from "oauth-callback-rs";
    new BrowserOAuthClient({ issuer: "https://a.example", clientId: "c", redirectUri: "https://b.example/" });`);
  ok(js.includes("oauth_callback_login.wasm"), "loads the login module");
  ok(!js.includes("oauth_callback_wasm_bg.wasm") && !js.includes("wasm-browser"), "never names the wasm-bindgen client module");
  ok(!/__wbindgen|__wbg_/.test(js), "no wasm-bindgen glue");
});

/**
 * A benchmark page (bench/pages/NAME.js) and the module it downloads, gzip -9 each as
 * bench/bytes.mjs counts them. A byte count, not a timing: the same build gives the same
 * bytes on any machine.
 */
async function pageBytes(name, wasm) {
  const js = await page(readFileSync(new URL(`../../bench/pages/${name}.js`, import.meta.url), "utf8"));
  const gzip = (bytes) => execFileSync("gzip", ["-9", "-n", "-c"], { input: bytes, maxBuffer: 1 << 26 }).length;
  return { js, app: gzip(Buffer.from(js)), wasm: gzip(readFileSync(new URL(wasm, NPM))) };
}

// The SPA page (the whole redirect login): the README's met bar of 30 KB in all.
test("bundles: the whole SPA login page, JavaScript and login module, is at most 30 KB gzip", async () => {
  const { app, wasm } = await pageBytes("ours-spa", "wasm-login/oauth_callback_login.wasm");
  ok(app + wasm <= 30_000, `app.js ${app} + oauth_callback_login.wasm ${wasm} = ${app + wasm} bytes gzip, at most 30000`);
});

// The PKCE page (PKCE, state, an authorization URL): the README's met bar of 12 KB.
test("bundles: the PKCE + state + URL page, JavaScript and min module, is at most 12 KB gzip", async () => {
  const { js, app, wasm } = await pageBytes("ours-pkce", "wasm-authorize/oauth_callback_authorize_min.wasm");
  ok(app + wasm <= 12_000, `app.js ${app} + oauth_callback_authorize_min.wasm ${wasm} = ${app + wasm} bytes gzip, at most 12000`);
  // The full build's operations come only with the functions that use them.
  ok(!js.includes("need oauth_callback_authorize.wasm"), "no code for the full build's operations");
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
    "wasm-login/oauth_callback_login.wasm",
    "wasm-authorize/oauth_callback_authorize_min.wasm",
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
