// OpenID Connect against a real oidc-provider: the nonce, ID token claims checked with
// the issuer's JWK Set (RS256, ES256, a key rotation), UserInfo, and the exported
// low-level steps a getAuthCode() user runs by hand. Shared by Node, Bun and Deno; `env`
// as in cases.mjs.
import { Buffer } from "node:buffer";
import { createServer } from "node:net";
import { equal, match, ok, rejection } from "../facade/assert.mjs";
import { JWT_USERINFO_CLIENT, PUBLIC_CLIENT } from "../../examples/local-server/provider.mjs";
import { loadBrowserEntry } from "./options-cases.mjs";


/** `fetch` that counts the requests to each path and may rewrite token responses. */
function countingFetch({ rewriteToken } = {}) {
  const counts = {};
  const f = async (url, init) => {
    const path = new URL(String(url)).pathname;
    counts[path] = (counts[path] ?? 0) + 1;
    const res = await fetch(url, init);
    if (path !== "/token" || !rewriteToken) return res;
    const body = await res.json();
    return new Response(JSON.stringify(rewriteToken(body)), { status: res.status, headers: { "content-type": "application/json" } });
  };
  return { fetch: f, counts };
}

/** The payload of a JWT, decoded (the test's own look; the library checks it). */
const payloadOf = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());

/** A TCP server on loopback that accepts and never answers. */
async function hangingServer() {
  const sockets = new Set();
  const s = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${s.address().port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      s.close();
    },
  };
}

export const oidcCases = [
  ["oidc: a sign-in sends a nonce; idTokenClaims() gives the checked claims; fetchUserInfo() the user's; a restart checks the stored ID token with one JWK Set request; a refresh keeps the claims", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const store = lib.inMemoryStore();
      const f = countingFetch();
      let sent;
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scope: "openid profile", store, fetch: f.fetch, launch: (url) => { sent = new URL(url); return env.signIn(url); } });
      equal(await client.idTokenClaims(), null, "no claims before a sign-in");
      const tokens = await client.authenticate();
      const nonce = sent.searchParams.get("nonce");
      ok(nonce?.length >= 43, "a nonce was sent");
      ok(typeof tokens.idToken === "string", "an ID token came");
      const claims = await client.idTokenClaims();
      equal(claims.iss, p.issuer, "iss");
      equal(claims.aud, PUBLIC_CLIENT, "aud");
      equal(claims.nonce, nonce, "the nonce of this sign-in");
      equal(claims.sub, "alice", "sub");
      ok(claims.exp > Date.now() / 1000, "exp");
      equal(f.counts["/jwks"], 1, "the JWK Set fetched once, at sign-in");
      const info = await client.fetchUserInfo();
      equal(info.sub, "alice", "userinfo sub");
      equal(info.name, "User alice", "userinfo name (profile scope)");
      equal(f.counts["/me"], 1, "one userinfo request");
      equal((await client.idTokenClaims()).sub, "alice", "claims again");
      equal(f.counts["/jwks"], 1, "still one JWK Set request");

      // A restart: a new client on the same store checks the stored token once.
      const f2 = countingFetch();
      const again = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scope: "openid", store, fetch: f2.fetch });
      equal((await again.idTokenClaims()).sub, "alice", "claims after a restart");
      equal((await again.idTokenClaims()).nonce, nonce, "the same sign-in");
      equal(f2.counts["/jwks"], 1, "one JWK Set request in the new client");

      // A refresh brings a new ID token for the same user; the claims follow it.
      await store.update(p.issuer, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));
      await again.getValidToken();
      const refreshed = await again.getTokens();
      equal(p.counts.refresh, 1, "refreshed");
      // oidc-provider sends an ID token with the refresh (within the same second, the
      // same bytes as the sign-in's: RS256 is deterministic).
      ok(typeof refreshed.idToken === "string" && refreshed.accessToken !== tokens.accessToken, "new tokens with an ID token");
      const after = await again.idTokenClaims();
      equal(after.sub, "alice", "claims of the refreshed ID token");
      ok(after.iat >= claims.iat, "its own iat");
      equal(f2.counts["/jwks"], 1, "the kept JWK Set served the refreshed token");
      equal((await again.fetchUserInfo()).sub, "alice", "userinfo with the refreshed token");
      await again.logout();
      equal(await again.idTokenClaims(), null, "no claims after logout");
      equal(p.errors.length, 0, `server errors: ${p.errors.join(", ")}`);
    } finally {
      await p.close();
    }
  }],

  ["oidc: ES256 ID tokens are checked with the issuer's P-256 key", async (lib, env) => {
    const p = await env.startProvider({ idTokenAlg: "ES256" });
    try {
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scope: "openid", launch: (url) => env.signIn(url) });
      const tokens = await client.authenticate();
      equal(JSON.parse(Buffer.from(tokens.idToken.split(".")[0], "base64url")).alg, "ES256", "signed with ES256");
      equal((await client.idTokenClaims()).sub, "alice", "claims");
      equal((await client.fetchUserInfo()).sub, "alice", "userinfo");
    } finally {
      await p.close();
    }
  }],

  ["oidc: the issuer rotates its key: a token naming a new kid fetches the JWK Set again", async (lib, env) => {
    const first = await env.startProvider({ idTokenAlg: "RS256" });
    const port = Number(new URL(first.issuer).port);
    const f = countingFetch();
    const client = new lib.OAuthClient({ issuer: first.issuer, clientId: PUBLIC_CLIENT, scope: "openid", fetch: f.fetch, launch: (url) => env.signIn(url) });
    const kidOf = (jwt) => JSON.parse(Buffer.from(jwt.split(".")[0], "base64url")).kid;
    let kid1;
    try {
      kid1 = kidOf((await client.authenticate()).idToken);
      equal(f.counts["/jwks"], 1, "first key set");
    } finally {
      await first.close();
    }
    // The same issuer (same port), now signing with another key.
    const second = await env.startProvider({ idTokenAlg: "RS256", port });
    try {
      const tokens = await client.authenticate();
      ok(kidOf(tokens.idToken) !== kid1, "a new kid");
      equal(f.counts["/jwks"], 2, "the key set was fetched again for the new kid");
      equal((await client.idTokenClaims()).sub, "alice", "and the token checked with it");
    } finally {
      await second.close();
    }
  }],

  ["oidc: an ID token replayed from another sign-in (nonce) or with a changed payload (signature) is ID_TOKEN_INVALID, and nothing is saved", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const earlier = await new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scope: "openid", launch: (url) => env.signIn(url) }).authenticate();
      const other = await new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scope: "openid", launch: (url) => env.signIn(url) }).authenticate();
      const [h, , s] = earlier.idToken.split(".");
      const forged = `${h}.${other.idToken.split(".")[1]}.${s}`;
      for (const [idToken, why] of [[earlier.idToken, /another authorization request/], [forged, /signature \(RS256\) does not verify/]]) {
        const store = lib.inMemoryStore();
        const f = countingFetch({ rewriteToken: (body) => ({ ...body, id_token: idToken }) });
        const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scope: "openid", store, fetch: f.fetch, launch: (url) => env.signIn(url) });
        const e = await rejection(client.authenticate());
        ok(e instanceof lib.OAuthCallbackError, `typed: ${e}`);
        equal(e.code, "ID_TOKEN_INVALID", e.message);
        match(e.message, why, "says which check");
        equal(await store.get(p.issuer), null, "no tokens saved");
        equal(await store.getCodeVerifier(p.issuer), null, "no verifier left");
      }
    } finally {
      await p.close();
    }
  }],

  ["oidc: userinfo errors: a revoked access token is OAuthError invalid_token (from WWW-Authenticate); a signed JWT answer is refused clearly; no userinfo_endpoint says so", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const store = lib.inMemoryStore();
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scope: "openid", store, launch: (url) => env.signIn(url) });
      const t = await client.authenticate();
      const meta = await client.discover();
      await lib.revokeToken({ metadata: meta, clientId: PUBLIC_CLIENT, token: t.accessToken, tokenTypeHint: "access_token" });
      const revoked = await rejection(client.fetchUserInfo());
      ok(revoked instanceof lib.OAuthError, `OAuthError: ${revoked}`);
      equal(revoked.error, "invalid_token", "RFC 6750 error");

      const jwtClient = new lib.OAuthClient({ issuer: p.issuer, clientId: JWT_USERINFO_CLIENT, scope: "openid", launch: (url) => env.signIn(url) });
      await jwtClient.authenticate();
      const jwt = await rejection(jwtClient.fetchUserInfo());
      equal(jwt.code, "INVALID_RESPONSE", jwt.message);
      match(jwt.message, /^userinfo: GET http:\/\/127\.0\.0\.1:\d+\/me: the userinfo endpoint answered with a JWT \(application\/jwt/, "named, with the request");

      const bare = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, store, endpoints: { tokenEndpoint: `${p.issuer}/token` } });
      const none = await rejection(bare.fetchUserInfo());
      equal(none.code, "MISSING_PARAMETER", none.message);
      match(none.message, /no userinfo_endpoint.*endpoints\.userinfoEndpoint/, "says what to give");
    } finally {
      await p.close();
    }
  }],

  ["oidc: the browser entry's BrowserOAuthClient fetches UserInfo; its module has no ID token validation and says so", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const t = await new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scope: "openid profile", launch: (url) => env.signIn(url) }).authenticate();
      const browser = await loadBrowserEntry();
      const spa = new browser.BrowserOAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, redirectUri: "http://127.0.0.1/callback" });
      equal((await spa.fetchUserInfo(t.accessToken)).name, "User alice", "userinfo from the page");
      equal(browser.validateIdToken, undefined, "not exported from the browser entry");
      const meta = await browser.discover(p.issuer);
      equal(meta.userinfoEndpoint, `${p.issuer}/me`, "discovery has the OIDC endpoints");
    } finally {
      await p.close();
    }
  }],

  ["steps: getAuthCode() and the exported steps: discover, exchangeCode (state and iss checked first), validateIdToken, fetchUserInfo, refreshTokens, revokeToken", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const metadata = await lib.discover(p.issuer);
      equal(metadata.issuer, p.issuer, "issuer");
      equal(metadata.userinfoEndpoint, `${p.issuer}/me`, "userinfo_endpoint");
      equal(metadata.jwksUri, `${p.issuer}/jwks`, "jwks_uri");
      equal(metadata.endSessionEndpoint, `${p.issuer}/session/end`, "end_session_endpoint");
      ok(Array.isArray(metadata.raw.claims_supported) && metadata.raw.claims_supported.includes("sub"), "every published member in raw");
      equal(metadata.raw.issuer, p.issuer, "raw as published");

      const pkce = lib.generatePkce();
      const state = lib.generateState();
      const nonce = lib.generateNonce();
      let redirectUri;
      const params = await lib.getAuthCode({
        port: 0,
        hostname: "127.0.0.1",
        expectedState: state,
        authorizationUrl: (uri) => {
          redirectUri = uri;
          return lib.buildAuthorizationUrl({ authorizationEndpoint: metadata.authorizationEndpoint, clientId: PUBLIC_CLIENT, redirectUri: uri, scope: "openid profile", state, codeChallenge: pkce.challenge, extraParams: { nonce } });
        },
        launch: (url) => env.signIn(url),
      });
      const common = { metadata, clientId: PUBLIC_CLIENT, redirectUri, codeVerifier: pkce.verifier };
      // Checked before the code is used: another state, another issuer.
      const wrongState = await rejection(lib.exchangeCode({ ...common, callbackParams: params, expectedState: lib.generateState() }));
      equal(wrongState.code, "RESPONSE_MISMATCH", wrongState.message);
      const wrongIss = await rejection(lib.exchangeCode({ ...common, callbackParams: { ...params, iss: "https://evil.example" }, expectedState: state }));
      equal(wrongIss.code, "ISSUER_MISMATCH", wrongIss.message);
      const noIss = await rejection(lib.exchangeCode({ ...common, callbackParams: { code: params.code, state }, expectedState: state }));
      equal(noIss.code, "ISSUER_MISMATCH", `iss required where the server advertises it: ${noIss.message}`);
      // The redirect as a URL works as well as getAuthCode()'s result.
      const redirect = `${redirectUri}?${new URLSearchParams(params)}`;
      const tokens = await lib.exchangeCode({ ...common, callbackParams: redirect, expectedState: state });
      ok(tokens.accessToken && tokens.refreshToken && tokens.idToken, "tokens");
      ok(tokens.issuedAt <= Date.now() && tokens.expiresAt > tokens.issuedAt, "expiresAt and issuedAt");

      const claims = await lib.validateIdToken({ metadata, clientId: PUBLIC_CLIENT, idToken: tokens.idToken, nonce });
      equal(claims.sub, "alice", "claims");
      const wrongNonce = await rejection(lib.validateIdToken({ metadata, clientId: PUBLIC_CLIENT, idToken: tokens.idToken, nonce: lib.generateNonce() }));
      equal(wrongNonce.code, "ID_TOKEN_INVALID", wrongNonce.message);
      const wrongAud = await rejection(lib.validateIdToken({ metadata, clientId: "another-client", idToken: tokens.idToken }));
      match(wrongAud.message, /meant for "native-public", not for this client "another-client"/, "aud");

      equal((await lib.fetchUserInfo({ metadata, accessToken: tokens.accessToken, expectedSubject: claims.sub })).name, "User alice", "userinfo");
      const otherUser = await rejection(lib.fetchUserInfo({ metadata, accessToken: tokens.accessToken, expectedSubject: "bob" }));
      equal(otherUser.code, "RESPONSE_MISMATCH", otherUser.message);

      const fresh = await lib.refreshTokens({ metadata, clientId: PUBLIC_CLIENT, refreshToken: tokens.refreshToken });
      ok(fresh.accessToken !== tokens.accessToken && fresh.refreshToken !== tokens.refreshToken, "rotated");
      equal(payloadOf(fresh.idToken).sub, "alice", "a refreshed ID token");
      await lib.revokeToken({ metadata, clientId: PUBLIC_CLIENT, token: fresh.refreshToken, tokenTypeHint: "refresh_token" });
      const gone = await rejection(lib.refreshTokens({ metadata, clientId: PUBLIC_CLIENT, refreshToken: fresh.refreshToken }));
      ok(gone instanceof lib.OAuthError && gone.error === "invalid_grant", `revoked: ${gone}`);
      equal(p.counts.refresh, 1, "one refresh served");
    } finally {
      await p.close();
    }
  }],

  ["steps: each step is bounded (TIMEOUT naming the request) and cancellable (ABORTED)", async (lib) => {
    const h = await hangingServer();
    try {
      const metadata = {
        issuer: h.origin,
        tokenEndpoint: `${h.origin}/token`,
        revocationEndpoint: `${h.origin}/revoke`,
        userinfoEndpoint: `${h.origin}/me`,
        jwksUri: `${h.origin}/jwks`,
        issParameterSupported: false,
        tokenEndpointAuthMethods: ["none"],
      };
      const idToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
      const calls = {
        discover: [(o) => lib.discover(h.origin, o), `discovery: GET ${h.origin}/.well-known/oauth-authorization-server`],
        exchangeCode: [(o) => lib.exchangeCode({ metadata, clientId: "c", callbackParams: { code: "c", state: "s" }, expectedState: "s", redirectUri: "http://127.0.0.1/cb", codeVerifier: "v".repeat(43), ...o }), `token: POST ${h.origin}/token`],
        refreshTokens: [(o) => lib.refreshTokens({ metadata, clientId: "c", refreshToken: "r", ...o }), `refresh: POST ${h.origin}/token`],
        revokeToken: [(o) => lib.revokeToken({ metadata, clientId: "c", token: "t", ...o }), `revocation: POST ${h.origin}/revoke`],
        fetchUserInfo: [(o) => lib.fetchUserInfo({ metadata, accessToken: "t", ...o }), `userinfo: GET ${h.origin}/me`],
        validateIdToken: [(o) => lib.validateIdToken({ metadata, clientId: "c", idToken, ...o }), `jwks: GET ${h.origin}/jwks`],
      };
      for (const [name, [run, request]] of Object.entries(calls)) {
        const timeout = await rejection(run({ requestTimeoutMs: 300 }));
        equal(timeout.code, "TIMEOUT", `${name}: ${timeout.message}`);
        equal(timeout.message, `${request} got no complete response within 300 ms`, name);
        const ac = new AbortController();
        const pending = run({ signal: ac.signal });
        setTimeout(() => ac.abort(new Error("user gave up")), 50);
        const aborted = await rejection(pending);
        equal(aborted.code, "ABORTED", `${name}: ${aborted.message}`);
        equal(aborted.cause?.message, "user gave up", "the reason as cause");
      }
    } finally {
      h.close();
    }
  }],
];
