// The deliberate differences between oauth-callback@2.2.1 (peer) and oauth-callback-rs
// (ours): case name -> observed field -> what the peer gives, what ours gives, and why.
// Both sides are asserted, so the suite fails when either library changes. A field not
// listed here must be equal. `runtimes` limits an entry to the runtimes named (the
// peer's servers differ by runtime); elsewhere the field must be equal.
// README.md ("Differences from oauth-callback") explains each one.

const diff = (peer, ours, why, runtimes) => ({ peer, ours, why, ...(runtimes ? { runtimes } : {}) });

const CONTENT_TYPE = diff("text/html", "text/html; charset=utf-8", "the charset is declared, so a page is never decoded as another encoding");

const REFUSED = (status, peerCode) => ({
  statuses: diff([200], [status, 200], "ours refuses the request and keeps waiting; the peer completes the login with it"),
  code: diff(peerCode, "good", "the peer's login ends with the hostile request's code; ours with the real redirect"),
});

export const differences = {
  "exports: the root mcp namespace and the ./mcp entry": {
    brandDescription: diff("OAuthStore", "oauth-callback-rs.OAuthStore", "ours is a registry symbol (Symbol.for), the same in every entry point and copy of the package"),
    sameBrandInBoth: diff(false, true, "the peer's root and ./mcp bundles each create their own OAuthStoreBrand, so a store branded through one is not an OAuthStore to the other"),
  },
  getRedirectUrl: {
    "{ callbackPath: auth/cb }": diff("http://localhost:3000auth/cb", "http://localhost:3000/auth/cb", "the peer concatenates; both serve the path at /auth/cb, which ours names"),
    "{ hostname: ::1 }": diff("http://::1:3000/callback", "http://[::1]:3000/callback", "an IPv6 literal needs brackets in a URL (RFC 3986 §3.2.2)"),
    "{ hostname: example.com }": diff("http://example.com:3000/callback", { threw: "OAuthCallbackError", code: "NOT_LOOPBACK" }, "a redirect URI for a native app is a loopback one (RFC 8252 §7.3, §8.3)"),
  },
  "getAuthCode: success with the built-in page": {
    contentType: CONTENT_TYPE,
    pageTitle: diff("Authorization Successful", "Signed in", "the built-in pages are our own design (no inline handlers, one hashed script)"),
    securityHeaders: diff(
      {
        "content-security-policy": undefined,
        "cache-control": undefined,
        "referrer-policy": undefined,
        "x-content-type-options": undefined,
        "x-frame-options": undefined,
      },
      {
        "content-security-policy": "default-src 'none'; script-src 'sha256-…'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        "cache-control": "no-store",
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
      },
      "the page that held the code is never cached, never leaks it in a Referer, cannot be framed, and runs only its own script",
    ),
    connectionHeader: diff(undefined, "close", "ours closes the connection after the page, so the port is free when the promise settles (the peer on Node and Deno says close too)", ["bun"]),
    boundAtReturn: diff(false, true, "ours binds before getAuthCode returns; the peer on Node binds a few ticks later (after import(\"node:http\"))", ["node"]),
  },
  "getAuthCode: custom successHtml is served verbatim": { contentType: CONTENT_TYPE },
  "getAuthCode: custom errorHtml replaces exactly three placeholders, escaped": { contentType: CONTENT_TYPE },
  "getAuthCode: OAuth error with the built-in page": {
    contentType: CONTENT_TYPE,
    pageTitle: diff("Access Denied", "Sign-in failed", "the built-in pages are our own design"),
  },
  "getAuthCode: OAuthError with terminal escapes in the description": {
    message: diff("bad\u001b[31m red\r\nline\u0007", "bad redline", "a message gets printed: ours strips control characters and terminal escapes from it (the fields stay as received)"),
  },
  "getAuthCode: timeout rejects with TimeoutError": {
    freedAtSettle: diff(false, true, "the peer's Deno server aborts Deno.serve without waiting for it to close; ours settles after the port is free", ["deno"]),
  },
  "getAuthCode: port in use": {
    class: diff("Error", "OAuthCallbackError", "ours raises its own typed error (with the same code); the peer lets the runtime's error through"),
  },
  "getAuthCode: an already aborted signal": {
    class: diff("Error", "OAuthCallbackError", "ours raises its own typed error with a stable code"),
    name: diff("Error", "OAuthCallbackError", "as above"),
    code: diff(undefined, "ABORTED", "a stable code to match on"),
    causeIsReason: diff(false, true, "ours keeps signal.reason as the cause"),
  },
  "getAuthCode: abort while waiting": {
    class: diff("Error", "OAuthCallbackError", "ours raises its own typed error with a stable code"),
    message: diff("Server stopped before callback received", "Operation aborted", "an abort says so whenever it happens; the peer only says so before the server started"),
    code: diff(undefined, "ABORTED", "a stable code to match on"),
    freedAtSettle: diff(false, true, "the peer's Deno server aborts Deno.serve without waiting for it to close", ["deno"]),
  },
  "getAuthCode: an unknown (misspelled) option": {
    result: diff(
      { code: "c" },
      { class: "OAuthCallbackError", code: "UNKNOWN_OPTION", message: "getAuthCode: unknown option `timout`; did you mean `timeout`?" },
      "a misspelled option is a mistake to report, not a setting to drop silently (the peer then waits its default 30 s)",
    ),
    listening: diff(true, false, "ours refuses the options before binding anything"),
  },
  "getAuthCode: an authorization URL whose redirect_uri names another port": {
    rejectedWith: diff(
      { class: "TimeoutError", code: undefined },
      { class: "OAuthCallbackError", code: "REDIRECT_URI_MISMATCH" },
      "a redirect that can never reach the server is reported at once instead of as a timeout",
    ),
  },
  "hardening: a foreign Host header": { ...REFUSED(421, "evil"), statuses: diff([200], [421, 200], "ours answers only its own loopback Host and port (DNS rebinding); the peer serves any Host") },
  "hardening: POST to the callback path": { ...REFUSED(405, "evil"), statuses: diff([200], [405, 200], "ours takes the redirect only by GET; a page cannot complete the login with a cross-site POST") },
  "hardening: HEAD to the callback path": { ...REFUSED(405, "head"), statuses: diff([200], [405, 200], "only GET completes the login: a HEAD (a link checker, a prefetch) cannot use up the code") },
  "hardening: a repeated parameter": { ...REFUSED(400, "b"), statuses: diff([200], [400, 200], "ours refuses repeated parameters (code=a&code=b is ambiguous; the peer takes the last)") },
  "hardening: expectedState": { ...REFUSED(400, "evil"), statuses: diff([200], [400, 200], "expectedState is ours only: a wrong state gets an error page and the wait goes on; the peer ignores the option") },
  "hardening: a 12 KiB request target": { ...REFUSED(414, "big"), statuses: diff([200], [414, 200], "ours limits the request target to 8 KiB and the head to 16 KiB (the peer has only its runtime's limits)") },
  "hardening: a non-loopback hostname": {
    listened: diff(true, false, "ours binds loopback only; the peer listens on any address it is given, here every interface"),
    outcome: diff({ class: "TimeoutError", code: undefined }, { class: "OAuthCallbackError", code: "NOT_LOOPBACK" }, "as above"),
  },
  inMemoryStore: {
    sameObject: diff(true, false, "ours hands out copies, so changing a returned object does not change the store"),
    methods: diff(
      ["delete", "get", "set"],
      ["delete", "deleteClient", "deleteCodeVerifier", "get", "getClient", "getCodeVerifier", "getEntry", "set", "setClient", "setCodeVerifier", "update"],
      "every store of ours is an OAuthStore (client registration and PKCE verifier kept too) with an atomic update",
    ),
    branded: diff(false, true, "as above: branded with OAuthStoreBrand"),
    mcpEntryStoreBranded: diff(false, true, "as above"),
  },
  "fileStore: an explicit path": {
    filesAfterSet: diff(["tokens.json"], ["tokens.json", "tokens.json.lock"], "ours serialises writers across processes with a lock file beside the store"),
    filesAfterDelete: diff(["tokens.json"], ["tokens.json", "tokens.json.lock"], "as above"),
    withClientRecords: diff(
      "no setClient",
      { topLevelKeys: ["second", "__oauth-callback-rs__"], tokensUnchanged: true, peerStillReads: { accessToken: "a2" } },
      "ours also keeps client registrations and PKCE verifiers, in one reserved top-level key, written only when there are such records; the peer still reads the tokens",
    ),
  },
  "fileStore: the default path": {
    files: diff([".mcp/tokens.json"], [".mcp/tokens.json", ".mcp/tokens.json.lock"], "the lock file beside the store"),
  },
  "fileStore: a corrupt file": {
    get: diff({ resolved: null }, { rejected: { name: "OAuthCallbackError", code: "STORE_CORRUPT" } }, "ours never reads a damaged file as empty"),
    set: diff({ resolved: undefined }, { rejected: { name: "OAuthCallbackError", code: "STORE_CORRUPT" } }, "ours never overwrites a damaged file (the tokens in it may still be recoverable)"),
    fileAfter: diff({ k: { accessToken: "new" } }, "not JSON: { not json", "as above: the file is left as it was"),
  },
  "browserAuth: redirectUrl": {
    default: diff("http://localhost:3000/callback", /^http:\/\/localhost:\d+\/callback$/, "without a port ours binds a free loopback port before the SDK registers (two clients on one machine never collide), holds it until the login, and keeps a registration's port across restarts"),
  },
  "browserAuth: the default store key": {
    accessToken: diff("under-default-key", undefined, "ours keys the store by MCP server (its canonical URL), so two servers never share tokens; an mcp-tokens entry is adopted only for the server it demonstrably belongs to"),
  },
  "browserAuth: clientMetadata": {
    keys: diff(
      ["client_name", "client_uri", "grant_types", "redirect_uris", "response_types", "scope", "token_endpoint_auth_method"],
      ["application_type", "client_name", "grant_types", "redirect_uris", "response_types", "scope", "token_endpoint_auth_method"],
      "ours registers as a native application (RFC 8252: any loopback port) and names no client_uri",
    ),
    client_name: diff("OAuth Callback Handler", "oauth-callback-rs MCP client", "ours names itself (clientName option)"),
    client_uri: diff("https://github.com/kriasoft/oauth-callback", undefined, "ours does not claim another project's URL"),
    grant_types: diff(["authorization_code"], ["authorization_code", "refresh_token"], "ours refreshes, so it registers for refresh_token"),
  },
};

/** The entries that apply in `runtime`. */
export function differencesFor(caseName, runtime) {
  const all = differences[caseName] ?? {};
  return Object.fromEntries(Object.entries(all).filter(([, d]) => !d.runtimes || d.runtimes.includes(runtime)));
}
