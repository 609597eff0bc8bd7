// The facade suite shared by every runtime: Node, Bun, Deno and Chromium each run these
// cases against the package entry their runtime resolves.
import { equal, match, ok, throwsCode } from "./assert.mjs";

// RFC 7636 Appendix B.
const VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const UNRESERVED = /^[A-Za-z0-9._~-]+$/;

export const cases = [
  ["exported classes print as written (no bundler renaming)", (lib) => {
    let classes = 0;
    for (const [name, value] of Object.entries(lib)) {
      if (typeof value !== "function" || !/^[A-Z]/.test(name)) continue;
      classes++;
      equal(value.name, name, `${name}.name`);
    }
    ok(classes >= 3, `the entry exports its classes (${classes})`);
    equal(String(new lib.OAuthCallbackError("INVALID_URL", "x")).split(":")[0], "OAuthCallbackError", "an error prints its class");
  }],

  ["PKCE: RFC 7636 Appendix B vector", (lib) => {
    equal(lib.challengeFromVerifier(VERIFIER), CHALLENGE, "challenge");
  }],

  ["PKCE: generated pairs are valid, S256 and fresh", (lib) => {
    const a = lib.generatePkce();
    const b = lib.generatePkce();
    equal(a.method, "S256", "method");
    equal(a.verifier.length, 43, "default verifier length");
    match(a.verifier, UNRESERVED, "verifier alphabet");
    equal(a.challenge, lib.challengeFromVerifier(a.verifier), "challenge matches verifier");
    ok(a.verifier !== b.verifier, "two verifiers differ");
    const long = lib.generatePkce({ length: 128 });
    equal(long.verifier.length, 128, "128-character verifier");
    match(long.verifier, UNRESERVED, "long verifier alphabet");
  }],

  ["PKCE: bad lengths and verifiers are typed errors", (lib) => {
    for (const length of [42, 129, 0, -1, 1.5, 2 ** 40]) {
      throwsCode(lib, () => lib.generatePkce({ length }), "INVALID_CODE_VERIFIER", `length ${length}`);
    }
    throwsCode(lib, () => lib.challengeFromVerifier("too-short"), "INVALID_CODE_VERIFIER", "short verifier");
    throwsCode(lib, () => lib.challengeFromVerifier(`${"a".repeat(42)}+`), "INVALID_CODE_VERIFIER", "verifier with +");
    throwsCode(lib, () => lib.challengeFromVerifier(`${"a".repeat(42)}\n`), "INVALID_CODE_VERIFIER", "verifier with newline");
    throwsCode(lib, () => lib.challengeFromVerifier(42), "INVALID_PARAMETER", "non-string verifier");
    const err = throwsCode(lib, () => lib.challengeFromVerifier(`s3cr3t-${"x".repeat(40)}!`), "INVALID_CODE_VERIFIER", "secret");
    ok(!err.message.includes("s3cr3t"), "message does not echo the verifier");
  }],

  ["state and nonce: 43 unreserved characters, fresh each time", (lib) => {
    const s1 = lib.generateState();
    const s2 = lib.generateState();
    const n = lib.generateNonce();
    for (const v of [s1, s2, n]) {
      equal(v.length, 43, "length");
      match(v, UNRESERVED, "alphabet");
    }
    ok(s1 !== s2 && s1 !== n, "values differ");
  }],

  ["authorization URL: every parameter, in order, percent-encoded", (lib) => {
    const url = lib.buildAuthorizationUrl({
      authorizationEndpoint: "https://as.example/authorize",
      clientId: "my client",
      redirectUri: "http://127.0.0.1:53682/callback",
      scope: ["openid", "offline_access"],
      state: "xyz",
      codeChallenge: CHALLENGE,
      resource: ["https://api.example/v1", new URL("https://other.example/")],
      extraParams: { prompt: "consent", login_hint: "a+b@example.com" },
    });
    equal(
      url,
      "https://as.example/authorize?response_type=code&client_id=my%20client" +
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A53682%2Fcallback&scope=openid%20offline_access" +
        `&state=xyz&code_challenge=${CHALLENGE}&code_challenge_method=S256` +
        "&resource=https%3A%2F%2Fapi.example%2Fv1&resource=https%3A%2F%2Fother.example%2F" +
        "&prompt=consent&login_hint=a%2Bb%40example.com",
      "url",
    );
    const parsed = new URL(url);
    equal(parsed.searchParams.getAll("resource").length, 2, "repeated resource");
    equal(parsed.searchParams.get("client_id"), "my client", "round trip");
  }],

  ["authorization URL: keeps the endpoint's query, accepts URL objects", (lib) => {
    const url = lib.buildAuthorizationUrl({
      authorizationEndpoint: new URL("https://as.example/oauth2/v2/authorize?tenant=acme&p=a%20b"),
      clientId: "c",
      state: "s",
      codeChallenge: CHALLENGE,
    });
    ok(url.startsWith("https://as.example/oauth2/v2/authorize?tenant=acme&p=a%20b&response_type=code&client_id=c&"), url);
    const plain = lib.buildAuthorizationUrl({ authorizationEndpoint: "http://[::1]:8080/auth", clientId: "c", state: "s", codeChallenge: CHALLENGE });
    ok(plain.startsWith("http://[::1]:8080/auth?response_type=code"), "loopback http allowed");
  }],

  ["authorization URL: hostile values cannot break out", (lib) => {
    const url = lib.buildAuthorizationUrl({
      authorizationEndpoint: "https://as.example/a",
      clientId: "c",
      state: "s&client_id=evil\r\nSet-Cookie: x",
      codeChallenge: CHALLENGE,
      extraParams: { "x\u001b[2J": "<script>alert(1)</script>#frag" },
    });
    const parsed = new URL(url);
    equal(parsed.searchParams.getAll("client_id").length, 1, "one client_id");
    equal(parsed.searchParams.get("state"), "s&client_id=evil\r\nSet-Cookie: x", "state round trip");
    equal(parsed.hash, "", "no fragment");
    ok(!/[\s<>\u001b]/.test(url), "no raw whitespace, markup or escape in the URL");
  }],

  ["authorization URL: bad input is a typed error", (lib) => {
    const base = { clientId: "c", state: "s", codeChallenge: CHALLENGE };
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "http://as.example/a" }), "INSECURE_ENDPOINT", "http endpoint");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/a#f" }), "INVALID_URL", "fragment");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "as.example/a" }), "INVALID_URL", "relative");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://u:p@as.example/" }), "INVALID_URL", "userinfo");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/?client_id=x" }), "DUPLICATE_PARAMETER", "duplicate in endpoint");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/", extraParams: { state: "x" } }), "DUPLICATE_PARAMETER", "reserved extra");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/", resource: "/relative" }), "INVALID_PARAMETER", "relative resource");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/", scope: 'a"b' }), "INVALID_PARAMETER", "bad scope");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/", codeChallenge: "plain-verifier" }), "INVALID_PARAMETER", "non-S256 challenge");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/", state: "" }), "MISSING_PARAMETER", "empty state");
    throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/", clientId: undefined }), "INVALID_PARAMETER", "missing clientId");
    throwsCode(lib, () => lib.buildAuthorizationUrl(null), "INVALID_PARAMETER", "null options");
    const err = throwsCode(lib, () => lib.buildAuthorizationUrl({ ...base, authorizationEndpoint: "https://as.example/\u001b[31m" }), "INVALID_URL", "escape sequence");
    ok(!err.message.includes("\u001b"), "message carries no escape sequence");
  }],

  ["template: every value is HTML-escaped, once", (lib) => {
    const html = lib.renderTemplate('<p title="{{error}}">{{ error_description }}</p><a href="{{error_uri}}">{{missing}}</a>', {
      error: `"><img src=x onerror=alert(1)>`,
      error_description: "<script>alert('x')</script> & more",
      error_uri: undefined,
    });
    equal(
      html,
      '<p title="&#34;&#62;&#60;img src=x onerror=alert(1)&#62;">&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#38; more</p><a href=""></a>',
      "html",
    );
    equal(lib.renderTemplate("{{a}}", { a: "{{b}}", b: "<i>" }), "{{b}}", "not re-scanned");
    equal(lib.renderTemplate("{{ a }}{{a b}}{{", { a: "é" }), "é{{a b}}{{", "malformed stays literal");
    throwsCode(lib, () => lib.renderTemplate("{{a}}", { a: 1 }), "INVALID_PARAMETER", "non-string value");
  }],

  ["redirect URL: oauth-callback defaults and loopback only", (lib) => {
    equal(lib.getRedirectUrl(), "http://localhost:3000/callback", "default");
    equal(lib.getRedirectUrl({ port: 8080, hostname: "::1", callbackPath: "/cb" }), "http://[::1]:8080/cb", "ipv6");
    equal(lib.getRedirectUrl({ port: 0, hostname: "127.0.0.1" }), "http://127.0.0.1:0/callback", "ipv4");
    throwsCode(lib, () => lib.getRedirectUrl({ hostname: "0.0.0.0" }), "NOT_LOOPBACK", "any-address");
    throwsCode(lib, () => lib.getRedirectUrl({ hostname: "example.com" }), "NOT_LOOPBACK", "dns name");
    throwsCode(lib, () => lib.getRedirectUrl({ port: 70000 }), "INVALID_PARAMETER", "port range");
    throwsCode(lib, () => lib.getRedirectUrl({ callbackPath: "/cb?x=1" }), "INVALID_PARAMETER", "path with query");
  }],

  ["errors: one class, stable fields", (lib) => {
    const err = new lib.OAuthCallbackError("INVALID_URL", "m");
    ok(err instanceof Error, "is an Error");
    ok(err instanceof lib.OAuthCallbackError, "instanceof");
    equal(err.name, "OAuthCallbackError", "name");
    ok(!(new Error("x") instanceof lib.OAuthCallbackError), "plain errors are not library errors");
    ok(!({ code: "INVALID_URL" } instanceof lib.OAuthCallbackError), "look-alikes are not library errors");
  }],
];
