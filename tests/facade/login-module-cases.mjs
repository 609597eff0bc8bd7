// The browser's `login` module (crates/wasm-authorize with its `login` feature, what
// BrowserOAuthClient loads; bindings from npm/src/login-module.ts) against the wasm-bindgen
// client module it replaced: for every input of the corpus, valid and hostile, both give
// the same value, or the same error: class, code and message, and for an OAuth error its
// `error`, `error_description` and `error_uri`. The client module's errors go through the
// facade's `toLibraryError`, as the facade did for them; the login module's are compared
// as thrown, because the browser entry throws them as they are (protocol.ts).
import { equal, ok } from "./assert.mjs";

/** What a binding call did, as one comparable string; `typed` makes its error the facade's. */
function outcome(typed, fn) {
  try {
    const v = fn();
    return `ok ${typeof v === "string" ? v : JSON.stringify(v)}`;
  } catch (raw) {
    const e = typed(raw);
    const fields = e?.name === "OAuthError" ? ` [${JSON.stringify([e.error, e.error_description, e.error_uri])}]` : "";
    return `error ${e?.name} ${e?.code ?? ""}: ${e?.message}${fields}`;
  }
}

const ISSUER = "https://as.example";
const HUGE = "é".repeat(300_000) + "x".repeat(400_000); // about 1 MiB of UTF-8
const doc = (extra = {}) => JSON.stringify({ issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize`, token_endpoint: `${ISSUER}/token`, ...extra });

const issuers = [ISSUER, `${ISSUER}/`, `${ISSUER}/tenant/a`, "https://as.example/t?x=1", "https://as.example#f", "http://127.0.0.1:9000", "http://localhost/x", "http://as.example", "",
  "as.example", "https://ü.example", "https://as.example/\u202e", `https://as.example/${"a".repeat(10_000)}`, "javascript:alert(1)", "https://user:pw@as.example", "https://[::1]/"];

const metadataBodies = [doc(), doc({ issuer: "https://evil.example" }), doc({ issuer: `${ISSUER}/` }), JSON.stringify({ issuer: ISSUER }), doc({ token_endpoint: "http://as.example/token" }),
  doc({ code_challenge_methods_supported: ["plain"] }), doc({ code_challenge_methods_supported: ["S256", "plain"] }), doc({ authorization_response_iss_parameter_supported: true }),
  doc({ token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt"] }), doc({ userinfo_endpoint: `${ISSUER}/me`, jwks_uri: `${ISSUER}/jwks`, end_session_endpoint: `${ISSUER}/logout` }),
  doc({ revocation_endpoint: 5 }), doc({ scopes_supported: ["openid", "é😀"], x: { nested: [1, 2.5, -0, 1e308, 1.5e-7, null, true] } }), doc({ vendor: HUGE }), `${doc().slice(0, -1)},"issuer":"https://evil.example"}`,
  "", "not json", "[]", "null", "{", `{"issuer":"\\ud800"}`, "{\"issuer\":\"https://as.example\",}", `{"a":${"[".repeat(200)}${"]".repeat(200)}}`, JSON.stringify({ error: "invalid_request", error_description: "nope" }),
  doc({ authorization_endpoint: "https://as.example/a#frag" }), doc({ registration_endpoint: "https://as.example/reg", device_authorization_endpoint: "ftp://x" }), `\ufeff${doc()}`, `${doc()} trailing`];

const tokenBodies = [JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: 3600, refresh_token: "rt", scope: "openid profile", id_token: "a.b.c" }),
  JSON.stringify({ access_token: "at", token_type: "bearer" }), JSON.stringify({ access_token: "at", token_type: "mac" }), JSON.stringify({ access_token: "at" }), JSON.stringify({ token_type: "Bearer" }),
  JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: 0 }), JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: -1 }),
  JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: 1e20 }), JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: 3.7 }),
  JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: "60" }), JSON.stringify({ access_token: "at", token_type: "Bearer", expires_in: null }),
  JSON.stringify({ access_token: "", token_type: "Bearer" }), JSON.stringify({ access_token: "at\u0000😀", token_type: "Bearer", extra: HUGE }),
  JSON.stringify({ error: "invalid_grant" }), JSON.stringify({ error: "invalid_grant", error_description: "code \u001b[2J expired", error_uri: "https://as.example/e" }),
  JSON.stringify({ error: "INVALID_URL: x", error_description: "INVALID_URL: not ours" }), JSON.stringify({ error: 5 }), JSON.stringify({ error: "" }), "<html>", "", "null", "[1]"];

const authorizationResponses = [
  [["code", "c1", "state", "xyz"], "xyz", undefined, false], [["code", "c1", "state", "xyz"], "abc", undefined, false], [["code", "c1"], "xyz", undefined, false],
  [["state", "xyz"], "xyz", undefined, false], [["code", "", "state", "xyz"], "xyz", undefined, false], [["code", "c1", "state", "xyz", "iss", ISSUER], "xyz", ISSUER, true],
  [["code", "c1", "state", "xyz", "iss", "https://evil.example"], "xyz", ISSUER, false], [["code", "c1", "state", "xyz"], "xyz", ISSUER, true], [["code", "c1", "state", "xyz"], "xyz", ISSUER, false],
  [["error", "access_denied", "state", "xyz"], "xyz", undefined, false], [["error", "access_denied", "state", "xyz", "error_description", "no \"thanks\"\n", "error_uri", "javascript:x"], "xyz", undefined, false],
  [["error", "access_denied", "state", "abc"], "xyz", undefined, false], [["error", "access_denied"], "xyz", undefined, false], [["code", "c1", "code", "c2", "state", "xyz"], "xyz", undefined, false],
  [["code", "c1", "state", "xyz", "state", "abc"], "xyz", undefined, false], [["code", "c1", "state", "xyz", "odd"], "xyz", undefined, false], [["code", "ü😀", "state", "é"], "é", undefined, false],
  [["code", HUGE, "state", "xyz"], "xyz", undefined, false], [[], "", undefined, false], [["error", "server_error", "state", "xyz", "iss", "https://evil.example"], "xyz", ISSUER, false],
];

const clients = [["app", undefined, []], ["app", "s3cret", []], ["app", "s3cret", ["client_secret_post"]], ["app", "", ["client_secret_basic", "none"]], ["", undefined, []],
  ["a:b é", "p&ss:wörd", ["client_secret_basic"]], ["app", "s", ["private_key_jwt"]], ["app", undefined, ["none", "junk"]]];
const endpoints = [`${ISSUER}/token`, "http://127.0.0.1:8080/t", "http://as.example/token", "not a url", "", "https://as.example/t?x=1", "https://as.example/t#f"];

const userinfos = [[200, "application/json", undefined, JSON.stringify({ sub: "u1", name: "Ü" }), undefined], [200, "application/json; charset=utf-8", undefined, JSON.stringify({ sub: "u1" }), "u1"],
  [200, "application/json", undefined, JSON.stringify({ sub: "u1" }), "u2"], [200, "application/jwt", undefined, "a.b.c", undefined], [200, undefined, undefined, JSON.stringify({ sub: "u1" }), undefined],
  [200, "text/html", undefined, "<html>", undefined], [200, "application/json", undefined, JSON.stringify({ name: "no sub" }), undefined], [200, "application/json", undefined, JSON.stringify({ sub: 5 }), undefined],
  [401, "application/json", 'Bearer error="invalid_token", error_description="expired"', "", undefined], [403, undefined, 'Bearer realm="x", error="insufficient_scope", scope="openid email"', "", undefined],
  [401, undefined, "Basic realm=x", "", undefined], [401, undefined, 'Bearer error="invalid_token", error_description="\u001b[31mred"', "", undefined], [401, undefined, undefined, "{}", undefined],
  [400, "application/json", undefined, JSON.stringify({ error: "invalid_request" }), undefined], [200, "application/json", undefined, JSON.stringify({ sub: "u1", big: HUGE }), undefined],
  [200, "application/json", undefined, "not json", undefined], [204, undefined, undefined, "", undefined], [70000, "application/json", undefined, JSON.stringify({ sub: "u1" }), undefined]];

const redactions = ["", "code=abcdefgh&state=s&client_secret=topsecret&refresh_token=r", JSON.stringify({ access_token: "abcdefghijk", refresh_token: "r", id_token: "x.y.z", n: 1 }), "not=form=ish&&",
  `access_token=${HUGE}`, "%ZZ=1&code=%E2%82%AC", JSON.stringify({ nested: { access_token: "abcdef" } })];
const urls = ["https://as.example/cb?code=abcdefgh&state=xyz&iss=x", "https://as.example/a?access_token=secretsecret#code=1", "not a url", "", "http://[::1]:80/?code=é", `https://as.example/?code=${HUGE.slice(0, 50_000)}`];

const NOW = [1_700_000_000_000, 0, 1_700_000_000_123.5, -5, 8.64e15];

export function loginModuleCases(login, full, toLibraryError) {
  const same = (what, call) => {
    const a = outcome((err) => err, () => call(login));
    const b = outcome(toLibraryError, () => call(full));
    if (a !== b) equal(a.slice(0, 2000), b.slice(0, 2000), what);
    equal(a, b, what);
    return a;
  };
  return [
    ["login module: discovery requests and metadata documents get the client module's answers", () => {
      for (const issuer of issuers) same(`discoveryRequests(${JSON.stringify(issuer).slice(0, 80)})`, (m) => m.discoveryRequests(issuer));
      let valid = 0;
      for (const issuer of [ISSUER, `${ISSUER}/`, "https://evil.example"]) {
        for (const status of [200, 201, 400, 404, 500]) {
          for (const body of metadataBodies) {
            if (same(`processMetadata(${issuer}, ${status}, ${body.slice(0, 80)})`, (m) => m.processMetadata(issuer, status, body)).startsWith("ok ")) valid++;
          }
        }
      }
      ok(valid >= 8, `the corpus has valid documents (${valid})`);
    }],
    ["login module: authorization responses (state, iss, errors) get the client module's answers", () => {
      const kinds = new Set();
      for (const [params, state, issuer, required] of authorizationResponses) {
        const a = same(`validateAuthorizationResponse(${JSON.stringify(params).slice(0, 80)}, ${state}, ${issuer}, ${required})`, (m) => m.validateAuthorizationResponse(params, state, issuer, required));
        kinds.add(a.split(":")[0]);
      }
      ok(kinds.size >= 3, `values, library errors and OAuth errors (${[...kinds].join(", ")})`);
    }],
    ["login module: code exchange, refresh and revocation requests get the client module's answers", () => {
      const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
      for (const endpoint of endpoints) {
        for (const [id, secret, methods] of clients) {
          for (const [code, redirect, v, resources] of [["c1", "https://app.example/cb", verifier, []], ["c&1 é", "http://127.0.0.1:3000/cb?x=1", verifier, ["https://api.example/", "urn:x"]],
            ["", "https://app.example/cb", verifier, []], ["c1", "not a uri", verifier, []], ["c1", "https://app.example/cb", "short", []], ["c1", "https://app.example/cb", verifier, ["relative"]]]) {
            same(`codeExchangeRequest(${endpoint}, ${id}, ${secret}, ${methods}, ${code}, ${redirect}, ${v}, ${resources})`, (m) => m.codeExchangeRequest(endpoint, id, secret, methods, code, redirect, v, resources));
          }
          for (const [token, resources] of [["rt", []], ["", []], ["r t+é", ["https://api.example/"]], [HUGE, []]]) {
            same(`refreshRequest(${endpoint}, ${id}, ${secret}, ${methods}, ${token.slice(0, 20)})`, (m) => m.refreshRequest(endpoint, id, secret, methods, token, resources));
          }
          for (const [token, hint] of [["rt", "refresh_token"], ["at", undefined], ["", undefined], ["x", "weird hint é"]]) {
            same(`revocationRequest(${endpoint}, ${id}, ${secret}, ${methods}, ${token}, ${hint})`, (m) => m.revocationRequest(endpoint, id, secret, methods, token, hint));
          }
        }
      }
      for (const status of [200, 204, 400, 401, 503]) {
        for (const body of ["", "{}", JSON.stringify({ error: "unsupported_token_type", error_description: "d" }), "junk", JSON.stringify({ error: "invalid_client", error_uri: "https://e" })]) {
          same(`processRevocation(${status}, ${body})`, (m) => m.processRevocation(status, body));
        }
      }
    }],
    ["login module: token responses (valid, OAuth errors, hostile, up to 1 MiB) get the client module's answers", () => {
      let valid = 0;
      for (const status of [200, 201, 400, 401, 403, 500]) {
        for (const body of tokenBodies) {
          for (const now of NOW) {
            if (same(`processTokenResponse(${status}, ${body.slice(0, 80)}, ${now})`, (m) => m.processTokenResponse(status, body, now)).startsWith("ok ")) valid++;
          }
        }
      }
      ok(valid >= 20, `the corpus has valid responses (${valid})`);
    }],
    ["login module: UserInfo requests and responses, and the trace's redaction, get the client module's answers", () => {
      for (const endpoint of [`${ISSUER}/me`, "http://as.example/me", "", "https://as.example/me?x=1"]) {
        for (const token of ["at", "", "a t", "é😀", "x\r\ny"]) same(`userinfoRequest(${endpoint}, ${token})`, (m) => m.userinfoRequest(endpoint, token));
      }
      for (const [status, type, www, body, sub] of userinfos) {
        same(`processUserInfo(${status}, ${type}, ${www}, ${body.slice(0, 60)}, ${sub})`, (m) => m.processUserInfo(status, type, www, body, sub));
      }
      for (const body of redactions) same(`redactBody(${body.slice(0, 60)})`, (m) => m.redactBody(body));
      for (const url of urls) same(`redactUrl(${url.slice(0, 60)})`, (m) => m.redactUrl(url));
    }],
    ["login module and client module: numbers in claims, metadata and tokens reach JavaScript as the server wrote them", () => {
      // Core reads numbers within a few ulps and writes computed ones to nine decimals; a
      // number a server sent must pass through as sent, or a program sees another value
      // than JSON.parse of the response would give it.
      const numbers = [0.1234567891234, 0.30000000000000004, 1e-12, -2.5e-7, 1e308, 1.5e300, 9007199254740993, 123456789012345680000, 5e-324, -0];
      const texts = ["0.1234567891234", "0.30000000000000004", "1e-12", "1.50", "1E2", "1e308", "9007199254740993", "-0", "2.5e-310"];
      const claims = `{"sub":"u1","n":[${numbers.map((n) => JSON.stringify(n)).join(",")}],"t":[${texts.join(",")}],"o":{"x":${texts[0]}}}`;
      const metadata = `${doc().slice(0, -1)},"x_numbers":[${texts.join(",")}]}`;
      for (const [name, m] of [["login module", login], ["client module", full]]) {
        const me = JSON.parse(m.processUserInfo(200, "application/json", undefined, claims, undefined));
        equal(JSON.stringify(me), JSON.stringify(JSON.parse(claims)), `${name}: UserInfo claims`);
        equal(Object.is(me.t[7], -0), true, `${name}: -0 stays -0`);
        const meta = JSON.parse(m.processMetadata(ISSUER, 200, metadata));
        equal(JSON.stringify(meta.raw.x_numbers), JSON.stringify(JSON.parse(metadata).x_numbers), `${name}: metadata raw`);
        // expiresAt: now + expires_in seconds, in whole milliseconds.
        const tokens = JSON.parse(m.processTokenResponse(200, JSON.stringify({ access_token: "a", token_type: "Bearer", expires_in: 3.7 }), 1_700_000_000_123.5));
        equal(tokens.expiresAt, 1_700_000_003_824, `${name}: expiresAt rounded to the millisecond`);
      }
    }],
    ["login module: the authorize module's functions it carries get the client module's answers; the three of native apps' loopback flow are not there", () => {
      for (const name of ["challengeFromVerifier", "renderTemplate", "loopbackRedirectUri"]) equal(name in login, false, `${name} is left to the authorize module`);
      same("buildAuthorizationUrl", (m) => m.buildAuthorizationUrl(`${ISSUER}/authorize`, "app", "https://app.example/cb", "openid", "xyz", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", ["https://api.example/"], ["prompt"], ["consent"]));
      same("checkedEndpoint", (m) => m.checkedEndpoint("HTTPS://AS.Example:443/Path"));
      equal(login.generatePkce(43)[0].length, 43, "a verifier from the page's random source");
      equal(login.generateState().length, 43, "a state");
    }],
  ];
}
