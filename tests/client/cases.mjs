// OAuthClient against a real oidc-provider, shared by Node (a Chromium user), Bun and
// Deno (a plain-HTTP user). `env.signIn(url, opts)` plays the user; `env.startProvider`
// starts the server.
import { inMemoryStore as peerInMemoryStore } from "oauth-callback";
import { equal, match, ok, rejection } from "../facade/assert.mjs";
import { CONFIDENTIAL_CLIENT, CONFIDENTIAL_SECRET, PUBLIC_CLIENT } from "../../examples/local-server/provider.mjs";

async function userinfo(issuer, token) {
  const res = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${token}` } });
  await res.text();
  return res.status;
}


/** A plain `TokenStore` on a Map: get, set, delete and nothing else. */
function mapTokenStore() {
  const map = new Map();
  return {
    map,
    get: async (key) => map.get(key) ?? null,
    set: async (key, tokens) => void map.set(key, tokens),
    delete: async (key) => void map.delete(key),
  };
}

/** `oauth-callback`'s `OAuthStore` shape on Maps: tokens, registrations, verifiers; no `update`. */
function peerShapedStore() {
  const base = mapTokenStore();
  const clients = new Map();
  const verifiers = new Map();
  return {
    ...base,
    clients,
    verifiers,
    getClient: async (key) => clients.get(key) ?? null,
    setClient: async (key, client) => void clients.set(key, client),
    deleteClient: async (key) => void clients.delete(key),
    getCodeVerifier: async (key) => verifiers.get(key) ?? null,
    setCodeVerifier: async (key, verifier) => void verifiers.set(key, verifier),
    deleteCodeVerifier: async (key) => void verifiers.delete(key),
  };
}

/** Sign in, use, refresh, log out: the whole life of a client on `storage`. */
async function wholeLife(lib, env, p, storage) {
  const client = new lib.OAuthClient({ issuer: p.issuer, scopes: ["openid"], storage, launch: (url) => env.signIn(url) });
  const t1 = await client.authenticate();
  equal(await userinfo(p.issuer, t1.accessToken), 200, "signed in");
  equal((await storage.get(p.issuer)).accessToken, t1.accessToken, "the tokens are in the given store");
  equal(await client.getValidToken(), t1.accessToken, "a fresh token is used as it is");
  await storage.set(p.issuer, { ...(await storage.get(p.issuer)), expiresAt: Date.now() - 1000 });
  const fresh = await client.getValidToken();
  ok(fresh !== t1.accessToken, "refreshed");
  equal((await storage.get(p.issuer)).accessToken, fresh, "the refreshed tokens are in the given store");
  // A second client on the same store (a restart, in effect) uses the tokens.
  const again = new lib.OAuthClient({ issuer: p.issuer, storage });
  equal(await again.getValidToken(), fresh, "another client reads the tokens");
  equal((await client.logout()).revoked, true, "revoked");
  equal(await storage.get(p.issuer), null, "forgotten in the given store");
  equal(p.counts.registration, 1, "registered once");
  equal(p.counts.refresh, 1, "refreshed once");
}

/** Pretends the access token expired, as time would. */
const expire = (store, key) => store.update(key, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));

export const clientCases = [
  ["client: a token that lives 20 s is not refreshed on every call; it is refreshed past half its lifetime", async (lib, env) => {
    const p = await env.startProvider({ accessTokenTtl: 20 });
    try {
      const store = lib.inMemoryStore();
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"], storage: store, launch: (url) => env.signIn(url) });
      const t = await client.authenticate();
      equal(t.expiresAt - t.issuedAt, 20_000, "its lifetime is known");
      for (let i = 0; i < 3; i++) equal(await client.getValidToken(), t.accessToken, `call ${i + 1} uses the token`);
      equal(p.counts.refresh, 0, "no refresh while the token is young (the 60 s default margin would refresh on every call)");
      // 15 of its 20 seconds gone: within the margin of half its lifetime.
      const now = Date.now();
      await store.update(p.issuer, (e) => ({ ...e, tokens: { ...e.tokens, issuedAt: now - 15_000, expiresAt: now + 5_000 } }));
      const fresh = await client.getValidToken();
      ok(fresh !== t.accessToken, "refreshed");
      equal(p.counts.refresh, 1, "one refresh");
      equal(await client.getValidToken(), fresh, "and the new token is used as it is");
      equal(p.counts.refresh, 1, "still one refresh");
    } finally {
      await p.close();
    }
  }],

  ["client: the refresh margin is the smaller of refreshSkewMs and half the lifetime; without a known lifetime it is refreshSkewMs", async (lib) => {
    const store = lib.inMemoryStore();
    const issuer = "https://as.example";
    // No request may be made: a fresh-enough token is returned as it is.
    const noRequest = () => Promise.reject(new Error("no request expected"));
    const endpoints = { tokenEndpoint: `${issuer}/token` };
    const client = new lib.OAuthClient({ issuer, clientId: "c", storage: store, endpoints, fetch: noRequest });
    const now = Date.now();
    await store.set(issuer, { accessToken: "short-lived", refreshToken: "r", issuedAt: now, expiresAt: now + 30_000 });
    equal(await client.getValidToken(), "short-lived", "30 s token, 30 s left: margin 15 s");
    const skewed = new lib.OAuthClient({ issuer, clientId: "c", storage: store, endpoints, refreshSkewMs: 5_000, fetch: noRequest });
    await store.set(issuer, { accessToken: "skewed", refreshToken: "r", issuedAt: now - 20_000, expiresAt: now + 10_000 });
    equal(await skewed.getValidToken(), "skewed", "refreshSkewMs 5 s is smaller than half of 30 s");
    // Tokens stored without issuedAt (by oauth-callback, say): the configured margin.
    await store.set(issuer, { accessToken: "unknown-age", refreshToken: "r", expiresAt: now + 30_000 });
    const err = await rejection(client.getValidToken());
    equal(err.code, "HTTP_ERROR", `a refresh was attempted: ${err.message}`);
    match(err.message, /^refresh: POST https:\/\/as\.example\/token failed: no request expected$/, "the refresh request, named");
  }],

  ["client: storage may be a plain { get, set, delete } TokenStore: sign in, refresh and log out through it", async (lib, env) => {
    const p = await env.startProvider();
    try {
      await wholeLife(lib, env, p, mapTokenStore());
    } finally {
      await p.close();
    }
  }],

  ["client: storage may be oauth-callback's own inMemoryStore()", async (lib, env) => {
    const p = await env.startProvider();
    try {
      await wholeLife(lib, env, p, peerInMemoryStore());
    } finally {
      await p.close();
    }
  }],

  ["client: a TokenStore with oauth-callback's getClient/setCodeVerifier keeps the registration there, so a restart does not register again", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const storage = peerShapedStore();
      let seenVerifier = null;
      const make = () => new lib.OAuthClient({ issuer: p.issuer, scopes: ["openid"], storage, launch: async (url) => {
        seenVerifier = storage.verifiers.get(p.issuer);
        await env.signIn(url);
      } });
      await make().authenticate();
      ok(typeof seenVerifier === "string" && seenVerifier.length >= 43, "the verifier was kept in the store during the sign-in");
      equal(storage.verifiers.size, 0, "and removed after the exchange");
      ok(storage.clients.get(p.issuer)?.clientId, "the registration is in the store");
      await make().authenticate();
      equal(p.counts.registration, 1, "a new client (a restart) reused it");
    } finally {
      await p.close();
    }
  }],

  ["client: storage that is not a TokenStore is refused at construction, naming what is missing", async (lib) => {
    for (const [storage, missing] of [[{ get: async () => null }, /has no set, delete$/], [{}, /has no get, set, delete$/], ["tokens.json", /an object with get, set and delete/]]) {
      let thrown;
      try {
        new lib.OAuthClient({ issuer: "https://as.example", storage });
      } catch (e) {
        thrown = e;
      }
      ok(thrown instanceof lib.OAuthCallbackError, `typed error for ${JSON.stringify(storage)}`);
      equal(thrown.code, "INVALID_PARAMETER", "code");
      match(thrown.message, missing, "names what is missing");
    }
  }],

  ["client: sign in, call the API, refresh without a browser, log out and see the token revoked", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const store = lib.inMemoryStore();
      let launches = 0;
      const events = [];
      const client = new lib.OAuthClient({
        issuer: p.issuer,
        clientId: PUBLIC_CLIENT,
        scopes: ["openid"],
        storage: store,
        launch: (url) => { launches++; return env.signIn(url); },
        onEvent: (e) => events.push(e),
      });
      const t1 = await client.authenticate();
      equal(t1.tokenType, "Bearer", "token type");
      ok(t1.expiresAt > Date.now(), "absolute expiry");
      equal(await userinfo(p.issuer, t1.accessToken), 200, "API accepts the token");
      equal(await store.getCodeVerifier(p.issuer), null, "the PKCE verifier is gone after the exchange");
      await expire(store, p.issuer);
      const fresh = await client.getValidToken();
      ok(fresh !== t1.accessToken, "a new access token");
      equal(p.counts.refresh, 1, "one refresh at the server");
      equal(launches, 1, "no browser for the refresh");
      const t2 = await client.getTokens();
      ok(t2.refreshToken && t2.refreshToken !== t1.refreshToken, "the rotated refresh token was saved");
      equal(await userinfo(p.issuer, fresh), 200, "API accepts the refreshed token");
      const out = await client.logout();
      equal(out.revoked, true, "revoked");
      equal(await userinfo(p.issuer, fresh), 401, "the API refuses the revoked token");
      equal(await client.getTokens(), null, "tokens forgotten");
      const err = await rejection(client.getValidToken());
      equal(err.code, "LOGIN_REQUIRED", "asks to sign in");
      const trace = JSON.stringify(events);
      for (const secret of [t1.accessToken, t1.refreshToken, t2.refreshToken, fresh]) ok(!trace.includes(secret), "no token in the trace");
      ok(events.some((e) => e.step === "token" && e.type === "request"), "the token request is traced");
      equal(p.errors.length, 0, `server errors: ${p.errors.join(", ")}`);
    } finally {
      await p.close();
    }
  }],

  ["client: registers itself once and reuses the registration across restarts", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const store = lib.inMemoryStore();
      const make = () => new lib.OAuthClient({ issuer: p.issuer, scopes: ["openid"], storage: store, launch: (url) => env.signIn(url) });
      await make().authenticate();
      const client = await store.getClient(p.issuer);
      ok(client?.clientId, "registration stored");
      await make().logout();
      await make().authenticate();
      equal(p.counts.registration, 1, "registered exactly once");
      equal((await store.getClient(p.issuer)).clientId, client.clientId, "same client");
    } finally {
      await p.close();
    }
  }],

  ["client: 50 concurrent getValidToken() calls make exactly one refresh request", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const store = lib.inMemoryStore();
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"], storage: store, launch: (url) => env.signIn(url) });
      await client.authenticate();
      await expire(store, p.issuer);
      const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getValidToken()));
      equal(p.counts.refresh, 1, "one refresh request");
      equal(new Set(tokens).size, 1, "every caller got the same token");
      // A second client on the same store (another process, in effect) sees the fresh
      // tokens and does not spend the rotated refresh token again.
      const other = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, storage: store });
      equal(await other.getValidToken(), tokens[0], "shared fresh token");
      equal(p.counts.refresh, 1, "still one refresh");
    } finally {
      await p.close();
    }
  }],

  ["client: a refresh token the server no longer accepts clears the tokens and asks to sign in", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const store = lib.inMemoryStore();
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"], storage: store, launch: (url) => env.signIn(url) });
      const t = await client.authenticate();
      const revoke = await fetch(`${p.issuer}/token/revocation`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: t.refreshToken, client_id: PUBLIC_CLIENT }) });
      equal(revoke.status, 200, "revoked behind the client's back");
      await expire(store, p.issuer);
      const err = await rejection(client.getValidToken());
      ok(err instanceof lib.OAuthCallbackError && err.code === "LOGIN_REQUIRED", `LOGIN_REQUIRED, got ${err}`);
      ok(err.cause instanceof lib.OAuthError && err.cause.error === "invalid_grant", "caused by invalid_grant");
      equal(await store.get(p.issuer), null, "tokens cleared");
    } finally {
      await p.close();
    }
  }],

  ["client: confidential client with client_secret_basic; denied consent is an OAuthError", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: CONFIDENTIAL_CLIENT, clientSecret: CONFIDENTIAL_SECRET, scopes: ["openid"], launch: (url) => env.signIn(url) });
      const t = await client.authenticate();
      equal(await userinfo(p.issuer, t.accessToken), 200, "confidential client signed in");
      const denied = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"], launch: (url) => env.signIn(url, { approve: false }) });
      const err = await rejection(denied.authenticate());
      ok(err instanceof lib.OAuthError, `OAuthError, got ${err}`);
      equal(err.error, "access_denied", "access_denied");
    } finally {
      await p.close();
    }
  }],

  ["client: discovery refuses another issuer; bad options are typed", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const mixup = new lib.OAuthClient({ issuer: `${p.issuer}/`, clientId: PUBLIC_CLIENT });
      const err = await rejection(mixup.authenticate());
      equal(err.code, "ISSUER_MISMATCH", `mix-up defense: ${err}`);
      const insecure = new lib.OAuthClient({ issuer: "http://as.example", clientId: "c" });
      equal((await rejection(insecure.discover())).code, "INSECURE_ENDPOINT", "plain http issuer");
      let thrown;
      try {
        new lib.OAuthClient({});
      } catch (e) {
        thrown = e;
      }
      equal(thrown?.code, "INVALID_PARAMETER", "issuer required");
      const meta = await new lib.OAuthClient({ issuer: p.issuer }).discover();
      equal(meta.issParameterSupported, true, "RFC 9207 advertised");
    } finally {
      await p.close();
    }
  }],

  ["client: OpenID discovery when RFC 8414 metadata is missing; explicit endpoints without discovery", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const asked = [];
      // The server hides its RFC 8414 document, as many OpenID-only servers do.
      const hiding = (url, init) => {
        asked.push(String(url));
        return String(url).includes("/.well-known/oauth-authorization-server") ? Promise.resolve(new Response("Not found", { status: 404 })) : fetch(url, init);
      };
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"], fetch: hiding, launch: (url) => env.signIn(url) });
      const meta = await client.discover();
      ok(asked[0].endsWith("/.well-known/oauth-authorization-server") && asked[1].endsWith("/.well-known/openid-configuration"), `RFC 8414 first, then OIDC: ${asked}`);
      equal(meta.tokenEndpoint, `${p.issuer}/token`, "metadata from the OIDC document");
      const t = await client.authenticate();
      equal(await userinfo(p.issuer, t.accessToken), 200, "signed in with the OIDC metadata");
      const explicit = new lib.OAuthClient({
        issuer: p.issuer,
        clientId: PUBLIC_CLIENT,
        scopes: ["openid"],
        endpoints: { authorizationEndpoint: `${p.issuer}/auth`, tokenEndpoint: `${p.issuer}/token`, issParameterSupported: true },
        fetch: (url, init) => {
          ok(!String(url).includes("/.well-known/"), "no discovery request");
          return fetch(url, init);
        },
        launch: (url) => env.signIn(url),
      });
      equal(await userinfo(p.issuer, (await explicit.authenticate()).accessToken), 200, "signed in with explicit endpoints");
      const bad = new lib.OAuthClient({ issuer: p.issuer, clientId: "c", endpoints: { tokenEndpoint: "http://as.example/token" } });
      equal((await rejection(bad.discover())).code, "INSECURE_ENDPOINT", "explicit endpoints are checked too");
    } finally {
      await p.close();
    }
  }],

  ["client: one registration serves the browser and device flows once it allows both", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const store = lib.inMemoryStore();
      const client = new lib.OAuthClient({ issuer: p.issuer, scopes: ["openid"], storage: store, launch: (url) => env.signIn(url) });
      // A failed sign-in aborts the polling at once, with its error, instead of polling
      // until the device code expires.
      let ac = new AbortController();
      const onUserCode = (pr) => env.signIn(pr.verificationUriComplete).catch((err) => ac.abort(err));
      // Device first: a client without a redirect URI, for the device grant only.
      await client.authenticateWithDeviceCode({ onUserCode, signal: ac.signal });
      const deviceClient = await store.getClient(p.issuer);
      ok(deviceClient.grantTypes.includes("urn:ietf:params:oauth:grant-type:device_code") && !deviceClient.grantTypes.includes("authorization_code"), "device-only registration");
      // The browser flow cannot use it: it registers one client for both grants.
      const t = await client.authenticate();
      equal(await userinfo(p.issuer, t.accessToken), 200, "browser sign-in works");
      equal(p.counts.registration, 2, "a second registration");
      const both = await store.getClient(p.issuer);
      ok(both.grantTypes.includes("authorization_code") && both.grantTypes.includes("urn:ietf:params:oauth:grant-type:device_code"), "the new client allows both");
      // From now on both flows and refresh reuse it.
      ac = new AbortController();
      await client.authenticateWithDeviceCode({ onUserCode, signal: ac.signal });
      await store.update(p.issuer, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));
      await client.getValidToken();
      equal(p.counts.registration, 2, "no third registration");
      equal(p.counts.refresh, 1, "refreshed with the shared client");
    } finally {
      await p.close();
    }
  }],

  ["client: device authorization grant (RFC 8628)", async (lib, env) => {
    const p = await env.startProvider();
    try {
      let prompt;
      const ac = new AbortController();
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"] });
      const t = await client.authenticateWithDeviceCode({
        onUserCode: (pr) => {
          prompt = pr;
          // A failed sign-in fails this test at once (not after the code's 600 s).
          env.signIn(pr.verificationUriComplete).catch((err) => ac.abort(err));
        },
        signal: ac.signal,
      });
      ok(prompt.userCode.length > 0 && prompt.verificationUri.startsWith(p.issuer), "user code and URL shown");
      equal(await userinfo(p.issuer, t.accessToken), 200, "device token works");
      equal(p.counts.device_code, 1, "one device_code grant");
    } finally {
      await p.close();
    }
  }],
];
