// OAuthClient against a real oidc-provider, shared by Node (a Chromium user), Bun and
// Deno (a plain-HTTP user). `env.signIn(url, opts)` plays the user; `env.startProvider`
// starts the server.
import { equal, ok } from "../facade/assert.mjs";
import { CONFIDENTIAL_CLIENT, CONFIDENTIAL_SECRET, PUBLIC_CLIENT } from "../../examples/local-server/provider.mjs";

async function userinfo(issuer, token) {
  const res = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${token}` } });
  await res.text();
  return res.status;
}

async function rejection(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

/** Pretends the access token expired, as time would. */
const expire = (store, key) => store.update(key, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1000 } }));

export const clientCases = [
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
      const onUserCode = (pr) => env.signIn(pr.verificationUriComplete).catch(() => {});
      // Device first: a client without a redirect URI, for the device grant only.
      await client.authenticateWithDeviceCode({ onUserCode });
      const deviceClient = await store.getClient(p.issuer);
      ok(deviceClient.grantTypes.includes("urn:ietf:params:oauth:grant-type:device_code") && !deviceClient.grantTypes.includes("authorization_code"), "device-only registration");
      // The browser flow cannot use it: it registers one client for both grants.
      const t = await client.authenticate();
      equal(await userinfo(p.issuer, t.accessToken), 200, "browser sign-in works");
      equal(p.counts.registration, 2, "a second registration");
      const both = await store.getClient(p.issuer);
      ok(both.grantTypes.includes("authorization_code") && both.grantTypes.includes("urn:ietf:params:oauth:grant-type:device_code"), "the new client allows both");
      // From now on both flows and refresh reuse it.
      await client.authenticateWithDeviceCode({ onUserCode });
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
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, scopes: ["openid"] });
      const t = await client.authenticateWithDeviceCode({
        onUserCode: (pr) => {
          prompt = pr;
          env.signIn(pr.verificationUriComplete).catch(() => {});
        },
      });
      ok(prompt.userCode.length > 0 && prompt.verificationUri.startsWith(p.issuer), "user code and URL shown");
      equal(await userinfo(p.issuer, t.accessToken), 200, "device token works");
      equal(p.counts.device_code, 1, "one device_code grant");
    } finally {
      await p.close();
    }
  }],
];
