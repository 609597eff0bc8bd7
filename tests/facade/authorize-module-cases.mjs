// The browser's small `authorize` module (crates/wasm-authorize, what the browser entry's
// init() loads) against the full module the Node, Bun and Deno entries use: for every
// input of the corpus, both give the same URL, page or redirect URI, or the same error
// code and message. `small` is the browser entry, initialized; `full` the runtime's entry.
import { equal, ok, outcome as outcomeOf } from "./assert.mjs";

const outcome = (lib, fn) => outcomeOf(lib, fn, { withMessage: true });

const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const base = { authorizationEndpoint: "https://as.example/authorize", clientId: "app", state: "xyz", codeChallenge: CHALLENGE };

/** Authorization requests: valid ones, and one per rule the core enforces. */
export function authorizationCorpus() {
  const endpoints = [
    "https://as.example/authorize", "https://as.example/authorize?tenant=a%20b&x=1", "http://127.0.0.1:9000/auth", "http://localhost/auth",
    "http://[::1]:8080/auth", "http://[0:0:0:0:0:0:0:1]/a", "http://127.255.0.9/a", "HTTPS://AS.Example:443/Path", "https://xn--bcher-kva.example/a",
    "http://as.example/authorize", "https://as.example/a#frag", "https://user:pw@as.example/a", "ftp://as.example/a", "as.example/authorize",
    "https://as.example/a b", "https://as.example/a\n", "https://as.example/é", "https://[::1", "https://as.example:99999/a", "", "http://0.0.0.0/a",
    "http://[::ffff:127.0.0.1]/a", "https://as.example/\u202e", "javascript:alert(1)",
    // IP literals and ports, read by core's own parser (crates/core/src/ip_literal.rs).
    "http://[0::1]/a", "http://[::0:0001]/a", "http://[::1.2.3.4]/a", "http://[1:2:3:4:5:6:7::]/a", "http://[::ffff:7f00:1]/a",
    "http://[::1%25eth0]/a", "http://[1::2::3]/a", "http://[:::1]/a", "http://[12345::]/a", "http://[1:2:3:4:5:6:1.2.3.4]/a",
    "http://[::1.2.3.04]/a", "http://127.000.0.1/a", "http://127.0.0.01/a", "http://127.1/a", "http://127.0.0.1.5/a", "http://[::1]x/a",
    "http://[::1]:/a", "http://[::1]:00080/a", "https://as.example:00443/a", "https://as.example:65536/a", "http://LOCALHOST:8080/a",
    "127.0.0.1:4499", "[::1]:80/x", "localhost", "as.example:443/a?b", "http//as.example", "https://as.example/a?%73tate=1",
  ];
  const out = endpoints.map((authorizationEndpoint) => ({ ...base, authorizationEndpoint }));
  const variants = [
    { redirectUri: "http://127.0.0.1:3000/callback" }, { redirectUri: "com.example.app:/cb" }, { redirectUri: "not a uri" }, { redirectUri: "https://a.example/cb#x" },
    { scope: "openid profile email" }, { scope: ["openid", "offline_access"] }, { scope: "bad\"scope" }, { scope: "a\\b" }, { scope: "" }, { scope: "é" },
    { resource: "https://api.example/" }, { resource: ["https://a.example/", "https://b.example/x?y=1"] }, { resource: "relative" }, { resource: "https://a.example/#f" },
    { state: "" }, { state: "a b&c=d" }, { state: "\u0000" }, { codeChallenge: "short" }, { codeChallenge: `${CHALLENGE.slice(0, 42)}+` }, { clientId: "" }, { clientId: "a&b=c ü" },
    { extraParams: { prompt: "consent", login_hint: "a+b@example.com", nonce: "n-0 S6_WzA2Mj" } }, { extraParams: { state: "x" } }, { extraParams: { client_id: "x" } },
    { extraParams: { "": "x" } }, { extraParams: { "a b": "x" } }, { extraParams: { x: "\r\nSet-Cookie: a" } }, { extraParams: { response_mode: "query" } },
    { extraParams: { code_challenge_method: "plain" } }, { extraParams: { "ü": "ü" } },
    // A name in the endpoint's query that is not UTF-8 once decoded reads as U+FFFD.
    { authorizationEndpoint: "https://as.example/a?%FF=1", extraParams: { "\ufffd": "x" } }, { authorizationEndpoint: "https://as.example/a?%FF%FE=1", extraParams: { "\ufffd": "x" } },
    { scope: "a\u3000b" }, { scope: "  a  b  a " }, { resource: "urn:x:y" }, { redirectUri: "http://[::1]:3000/cb" },
  ];
  for (const v of variants) out.push({ ...base, ...v });
  return out;
}

export function authorizeModuleCases(small, full) {
  return [
    ["authorize module: every authorization request of the corpus gets the full module's answer", () => {
      let valid = 0;
      for (const options of authorizationCorpus()) {
        const a = outcome(small, () => small.buildAuthorizationUrl(options));
        const b = outcome(full, () => full.buildAuthorizationUrl(options));
        equal(a, b, `buildAuthorizationUrl(${JSON.stringify(options)})`);
        if (a.startsWith("ok ")) valid++;
      }
      ok(valid >= 15, `the corpus has valid requests (${valid})`);
    }],
    ["authorize module: templates, loopback redirect URIs and verifiers get the full module's answers", () => {
      const templates = [["<p>{{code}}</p>", { code: "<script>&\"'" }], ["{{a}}{{b}}{{ a }}{{", { a: "{{b}}", b: "x" }], ["", {}], ["é{{x}}😀", { x: "\u0000\u202e" }],
        ["{{\u3000a\u3000}}|{{ a\u200b}}|{{\ta\n}}|{{a b}}|{{ }}|{{é}}|{{{a}}}", { a: "<\"é'>" }]];
      for (const [t, v] of templates) equal(outcome(small, () => small.renderTemplate(t, v)), outcome(full, () => full.renderTemplate(t, v)), `renderTemplate(${JSON.stringify(t)})`);
      const redirects = [{}, { port: 0 }, { port: 65535, hostname: "127.0.0.1" }, { hostname: "::1" }, { hostname: "[::1]" }, { hostname: "example.com" }, { hostname: "0.0.0.0" },
        { callbackPath: "/cb?x=1" }, { callbackPath: "cb" }, { callbackPath: "/a b" }, { callbackPath: "/é" }, { port: 70000 }, { hostname: "127.1.2.3", callbackPath: "/x/y" },
        { hostname: "0:0:0:0:0:0:0:1" }, { hostname: "[0::1]" }, { hostname: "::ffff:127.0.0.1" }, { hostname: "127.0.0.01" }, { hostname: "127.1" }, { hostname: "[127.0.0.1]" },
        { hostname: "LOCALHOST" }, { hostname: "127.255.255.255", port: 1 }, { hostname: "::1%lo" }, { hostname: "[::1" }, { hostname: "\u001b[2J" }];
      for (const o of redirects) equal(outcome(small, () => small.getRedirectUrl(o)), outcome(full, () => full.getRedirectUrl(o)), `getRedirectUrl(${JSON.stringify(o)})`);
      for (const v of ["dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "short", `${"a".repeat(42)}é`, "~".repeat(128), "~".repeat(129)]) {
        equal(outcome(small, () => small.challengeFromVerifier(v)), outcome(full, () => full.challengeFromVerifier(v)), `challengeFromVerifier(${JSON.stringify(v)})`);
      }
      for (const length of [43, 64, 128, 42, 129]) {
        const a = outcome(small, () => small.generatePkce({ length }).verifier.length);
        equal(a, outcome(full, () => full.generatePkce({ length }).verifier.length), `generatePkce({ length: ${length} })`);
      }
    }],
  ];
}

/**
 * The authorize module without feature `full` (oauth_callback_authorize_min.wasm), what
 * init() loads for a bundled page that uses no template, loopback redirect URI or
 * challenge of an existing verifier: `min` is the protocol functions on it, `full` the
 * runtime's entry, `whole` and `without` the two modules' own bindings. Every
 * authorization request, PKCE pair and endpoint gets the same answer; the rest is
 * NOT_INITIALIZED.
 */
export function minModuleCases(min, full, whole, without) {
  return [
    ["authorize module without feature full: every authorization request, PKCE pair and endpoint gets the full module's answer", () => {
      for (const options of authorizationCorpus()) {
        equal(outcome(full, () => min.buildAuthorizationUrl(options)), outcome(full, () => full.buildAuthorizationUrl(options)), `buildAuthorizationUrl(${JSON.stringify(options)})`);
        const url = String(options.authorizationEndpoint);
        equal(outcome(full, () => without.checkedEndpoint(url)), outcome(full, () => whole.checkedEndpoint(url)), `checkedEndpoint(${JSON.stringify(url)})`);
      }
      for (const length of [43, 64, 128, 42, 129]) {
        const a = outcome(full, () => min.generatePkce({ length }).verifier.length);
        equal(a, outcome(full, () => full.generatePkce({ length }).verifier.length), `generatePkce({ length: ${length} })`);
        if (!a.startsWith("ok ")) continue;
        const { verifier, challenge } = min.generatePkce({ length });
        equal(full.challengeFromVerifier(verifier), challenge, `the challenge of a ${length}-character verifier`);
      }
      equal(min.generateState().length, 43, "a state");
      equal(min.generateNonce().length, 43, "a nonce");
    }],
    ["authorize module without feature full: challengeFromVerifier, renderTemplate and getRedirectUrl are NOT_INITIALIZED, naming the module that has them", () => {
      const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
      for (const fn of [() => min.renderTemplate("<p>{{x}}</p>", { x: "y" }), () => min.getRedirectUrl({}), () => min.challengeFromVerifier(verifier)]) {
        const got = outcome(full, fn);
        ok(got.startsWith("error NOT_INITIALIZED: ") && got.includes("oauth_callback_authorize.wasm"), got);
      }
    }],
  ];
}
