// The browser's client module has its own allocator (crates/wasm/src/blocks.rs: size
// classes, free lists, no merging) where the Node module keeps dlmalloc. Both modules are
// loaded here side by side and given the same calls, of sizes from a few bytes to 600 KB,
// interleaved so blocks of every class are freed and handed out again: every answer (or
// error) must be the same, and the browser module must keep working afterwards.
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { equal } from "./assert.mjs";

const load = async (dir) => {
  const glue = await import(new URL(`../../npm/${dir}/oauth_callback_wasm.js`, import.meta.url).href);
  glue.initSync({ module: readFileSync(new URL(`../../npm/${dir}/oauth_callback_wasm_bg.wasm`, import.meta.url)) });
  return glue;
};

/** A deterministic generator, so a failure names a reproducible round. */
function random(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32);
}

const outcome = (fn) => {
  try {
    return `ok ${fn()}`;
  } catch (e) {
    return `err ${e?.code ?? ""} ${e?.message ?? e}`;
  }
};

test("browser client module: its allocator gives the same answers as dlmalloc over 3000 mixed calls up to 600 KB", async () => {
  const browser = await load("wasm-browser");
  const full = await load("wasm");
  const next = random(11);
  const sizes = [0, 1, 15, 16, 17, 100, 1000, 4095, 4096, 65_536, 100_000, 600_000];
  for (let round = 0; round < 3000; round++) {
    const size = sizes[Math.floor(next() * sizes.length)] ?? 0;
    const filler = "x".repeat(size);
    const token = JSON.stringify({ access_token: `at-${round}${filler}`, token_type: "Bearer", expires_in: Math.floor(next() * 7200), refresh_token: next() < 0.5 ? `rt-${round}` : undefined, scope: "openid" });
    const status = next() < 0.9 ? 200 : 400;
    const calls = [
      (m) => m.processTokenResponse(status, token, 1_700_000_000_000),
      (m) => m.redactBody(`code=${filler}&client_secret=s${round}&refresh_token=r`),
      (m) => m.redactUrl(`https://as.example/cb?code=${round}&state=${filler.slice(0, 2000)}`),
      (m) => m.processUserInfo(200, "application/json", undefined, JSON.stringify({ sub: `u${round}`, name: filler }), `u${round}`),
      (m) => m.renderTemplate(`<p>{{code}}</p>${filler.slice(0, 5000)}`, ["code"], [`<${round}>`]),
      (m) => m.processMetadata("https://as.example", 200, JSON.stringify({ issuer: "https://as.example", authorization_endpoint: `https://as.example/a/${filler.slice(0, 10_000)}`, token_endpoint: "https://as.example/t" })),
    ];
    const call = calls[round % calls.length];
    const b = outcome(() => call(browser));
    const f = outcome(() => call(full));
    if (b !== f) equal(b.slice(0, 300), f.slice(0, 300), `round ${round} (size ${size})`);
  }
  equal(browser.challengeFromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "still answering");
});
