// Machine clients and what the providers do with the SDK's discovery:
// - OAuthClient's client credentials grant against oidc-provider (a real authorization
//   server that verifies private_key_jwt assertions itself, replay checks included):
//   client_secret_basic, client_secret_post, private_key_jwt with RSA PEM and EC JWK keys;
// - clientCredentialsAuth under the MCP SDK against an authorization server that checks
//   every assertion with node:crypto: the SDK's first token request carries the core's
//   assertion, later tokens come from the provider itself without a 401, credentials go
//   to one authorization server only;
// - RFC 8414 §3.3 on the SDK's findings: a mix-up (the resource names one server, the
//   metadata another issuer) fails before anything is sent; only without RFC 9728
//   metadata (MCP 2025-03-26) may the issuer differ, and then only within the MCP
//   server's origin.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import { test } from "node:test";
import Provider from "oidc-provider";
import "../../examples/local-server/quiet.mjs";
import { OAuthClient, OAuthError } from "oauth-callback-rs";
import { browserAuth, clientCredentialsAuth, clientMetadataDocument, connectWithBrowserAuth, enterpriseManagedAuth } from "oauth-callback-rs/mcp";
import { equal, ok } from "../facade/assert.mjs";
import { startCodeAs, startMachineAs, startMcp, startMixup } from "./machine-servers.mjs";

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ecPrivateJwk = { ...ec.privateKey.export({ format: "jwk" }), kid: "ec-1" };
const ecPublicJwk = ec.publicKey.export({ format: "jwk" });
const rsaPem = rsa.privateKey.export({ type: "pkcs8", format: "pem" });
const rsaPublicJwk = { ...rsa.publicKey.export({ format: "jwk" }), kid: "rsa-1", alg: "RS256", use: "sig" };
const SECRET = "a-machine-secret-with-enough-entropy";

async function rejects(promise, check, what) {
  try {
    await promise;
  } catch (err) {
    check(err);
    return err;
  }
  throw new Error(`${what}: expected a rejection`);
}

async function startOidcProvider() {
  const server = createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const granted = [];
  const base = { grant_types: ["client_credentials"], redirect_uris: [], response_types: [], scope: "api:read" };
  const provider = new Provider(issuer, {
    clients: [
      { ...base, client_id: "svc-basic", client_secret: SECRET, token_endpoint_auth_method: "client_secret_basic" },
      { ...base, client_id: "svc-post", client_secret: SECRET, token_endpoint_auth_method: "client_secret_post" },
      { ...base, client_id: "svc-rsa", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [rsaPublicJwk] } },
      { ...base, client_id: "svc-ec", token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [{ ...ecPublicJwk, kid: "ec-1", use: "sig" }] } },
    ],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    scopes: ["api:read"],
  });
  provider.on("grant.success", (ctx) => granted.push(ctx.oidc.client?.clientId));
  server.on("request", provider.callback());
  return { issuer, granted, close: () => new Promise((r) => server.close(r)) };
}

test("OAuthClient: the client credentials grant against oidc-provider, with a secret or a private key", async () => {
  const op = await startOidcProvider();
  try {
    const cases = [
      { clientId: "svc-basic", clientSecret: SECRET },
      { clientId: "svc-post", clientSecret: SECRET, tokenEndpointAuthMethod: "client_secret_post" },
      { clientId: "svc-rsa", privateKey: rsaPem },
      { clientId: "svc-ec", privateKey: ecPrivateJwk },
      { clientId: "svc-ec", privateKey: JSON.stringify(ecPrivateJwk) },
    ];
    for (const c of cases) {
      const events = [];
      const client = new OAuthClient({ issuer: op.issuer, grantType: "client_credentials", scope: "api:read", onEvent: (e) => events.push(e), ...c });
      const first = await client.getValidToken();
      equal(await client.getValidToken(), first, `${c.clientId}: a valid token is reused`);
      const again = await client.refreshTokens();
      ok(again.accessToken !== first, `${c.clientId}: refreshTokens() asks again (no refresh token in this grant)`);
      equal(again.scope, "api:read", `${c.clientId}: scope`);
      const shown = JSON.stringify(events);
      ok(!shown.includes(first) && !shown.includes(SECRET), `${c.clientId}: the trace shows no token or secret`);
      ok(!/client_assertion=eyJ[\w-]{20,}/.test(shown), `${c.clientId}: the trace shows no assertion`);
    }
    equal(op.granted.length, cases.length * 2, "every token request was a verified grant");

    // The wrong key: oidc-provider refuses the assertion.
    const wrong = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" });
    const refused = new OAuthClient({ issuer: op.issuer, grantType: "client_credentials", clientId: "svc-ec", privateKey: wrong });
    await rejects(refused.getValidToken(), (err) => {
      ok(err instanceof OAuthError, "an OAuth error");
      equal(err.error, "invalid_client", "error");
    }, "wrong key");
  } finally {
    await op.close();
  }
});

test("OAuthClient: machine credentials are checked at construction", () => {
  const bad = [
    [{ privateKey: "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n" }, "INVALID_KEY"],
    [{ privateKey: ecPublicJwk }, "INVALID_KEY"],
    [{ privateKey: ecPrivateJwk, privateKeyAlgorithm: "RS256" }, "INVALID_KEY"],
    [{ privateKey: { ...ecPrivateJwk, d: undefined } }, "INVALID_KEY"],
    [{}, "MISSING_PARAMETER"],
    [{ clientSecret: "s", tokenEndpointAuthMethod: "tls_client_auth" }, "INVALID_PARAMETER"],
    [{ clientMetadataUrl: "http://app.example/client.json", clientSecret: "s" }, "INVALID_URL"],
  ];
  for (const [options, code] of bad) {
    let err;
    try {
      new OAuthClient({ issuer: "https://as.example", clientId: "svc", grantType: "client_credentials", ...options });
    } catch (e) {
      err = e;
    }
    equal(err?.code, code, JSON.stringify(options).slice(0, 80));
    ok(!String(err?.message).includes(ecPrivateJwk.d), "no key material in the message");
  }
});

test("clientCredentialsAuth: private_key_jwt under the MCP SDK; renewal without a 401; one authorization server only", async () => {
  // expires_in 0: every token is stale at once, so each request needs a new one.
  const as = await startMachineAs({ clientId: "svc", publicJwk: ecPublicJwk, methods: ["private_key_jwt"], expiresIn: 0 });
  const mcp = await startMcp({ authorizationServer: () => as.url, accepts: (t) => as.tokens.has(t) });
  try {
    const events = [];
    const client = await connectWithBrowserAuth(mcp.url, { authProvider: clientCredentialsAuth({ clientId: "svc", privateKey: ecPrivateJwk, scope: "mcp:tools", onEvent: (e) => events.push(e) }) });
    await client.listTools();
    await client.callTool({ name: "ping", arguments: {} });
    await client.close();
    equal(as.errors.length, 0, `the authorization server refused nothing (${as.errors.join("; ")})`);
    equal(mcp.counts.unauthorized, 1, "one 401, before the first token");
    ok(as.assertions.length >= 3, `the SDK's token request and the provider's own renewals each carried an assertion (${as.assertions.length})`);
    ok(as.requests.every((r) => r.method === "private_key_jwt" && r.scope === "mcp:tools" && r.resource[0] === mcp.url), "each request: the core's body (assertion, scope, resource)");
    equal(as.assertions[0].header.kid, "ec-1", "kid from the JWK");
    equal(mcp.counts.calls, 1, "the tool ran");
    const shown = JSON.stringify(events);
    ok(as.assertions.every((a) => !shown.includes(a.jwt)), "the trace shows no assertion");
    ok(events.some((e) => e.type === "request" && e.step === "client_credentials"), "the provider's own requests are traced");

    // Credentials bound to another authorization server are never sent to this one.
    const before = as.requests.length;
    await rejects(
      connectWithBrowserAuth(mcp.url, { authProvider: clientCredentialsAuth({ clientId: "svc", privateKey: ecPrivateJwk, authServerUrl: "https://as.elsewhere.example" }) }),
      (err) => equal(err.code, "ISSUER_MISMATCH", "code"),
      "bound elsewhere",
    );
    equal(as.requests.length, before, "no token request reached the server the credentials do not belong to");
  } finally {
    await mcp.close();
    await as.close();
  }
});

test("clientCredentialsAuth: client_secret_basic by default, client_secret_post when the server lists only that", async () => {
  for (const methods of [["client_secret_basic", "client_secret_post"], ["client_secret_post"]]) {
    const as = await startMachineAs({ clientId: "svc", secret: SECRET, methods });
    const mcp = await startMcp({ authorizationServer: () => as.url, accepts: (t) => as.tokens.has(t) });
    try {
      const client = await connectWithBrowserAuth(mcp.url, { authProvider: clientCredentialsAuth({ clientId: "svc", clientSecret: SECRET }) });
      await client.listTools();
      await client.close();
      equal(as.errors.length, 0, `no refusal (${as.errors.join("; ")})`);
      equal(as.requests[0].method, methods.length === 2 ? "client_secret_basic" : "client_secret_post", `method for ${methods}`);
    } finally {
      await mcp.close();
      await as.close();
    }
  }
});

test("browserAuth: a mix-up on the RFC 9728 path is refused before registration or a browser", async () => {
  const cases = [
    // The resource names this server; its metadata names another.
    { prm: true, issuer: () => "http://127.0.0.1:9" },
    // Same origin, another path (a tenant that is not the one named).
    { prm: true, issuer: (as) => `${as}/tenant2` },
    // The 2025-03-26 fallback allows an issuer on the MCP server's origin only.
    { prm: false, issuer: (_as, mcp) => mcp.replace("127.0.0.1", "localhost") },
    { prm: false, issuer: (as) => as },
  ];
  for (const c of cases) {
    const server = await startMixup(c);
    let launched = 0;
    try {
      await rejects(
        connectWithBrowserAuth(server.url, { launch: () => launched++ }),
        (err) => equal(err.code, "ISSUER_MISMATCH", "code"),
        "mix-up",
      );
      ok(server.counts.metadata >= 1, "the metadata was fetched");
      equal(server.counts.register + server.counts.authorize + server.counts.token, 0, "nothing else was sent there");
      equal(launched, 0, "no browser");
    } finally {
      await server.close();
    }
  }
});

test("OAuthClient: clientMetadataUrl is the client ID where the server fetches documents; registration otherwise", async () => {
  const url = "https://app.example/oauth/client.json";
  const launch = async (u) => {
    const r = await fetch(u);
    await r.text();
  };
  for (const cimd of [true, false]) {
    const as = await startCodeAs({ cimd });
    try {
      const client = new OAuthClient({ issuer: as.url, clientMetadataUrl: url, launch });
      await client.authenticate();
      const expected = cimd ? url : "registered-1";
      equal(as.seen.registrations, cimd ? 0 : 1, `registrations (document supported: ${cimd})`);
      equal(as.seen.authorizeClientIds[0], expected, "client_id of the authorization request");
      equal(as.seen.tokenClientIds[0], expected, "client_id of the token request");
    } finally {
      await as.close();
    }
  }
});

test("clientMetadataDocument: the document to publish, checked by the core", () => {
  const doc = clientMetadataDocument({ clientMetadataUrl: "https://app.example/oauth/client.json", clientName: "My MCP tool" });
  equal(doc.client_id, "https://app.example/oauth/client.json", "client_id");
  equal(JSON.stringify(doc.redirect_uris), JSON.stringify(["http://localhost/callback", "http://127.0.0.1/callback"]), "redirect_uris");
  equal(doc.token_endpoint_auth_method, "none", "a public client");
  equal(JSON.stringify(doc.grant_types), JSON.stringify(["authorization_code", "refresh_token"]), "grant_types");
  for (const url of ["http://app.example/c.json", "https://app.example/", "https://app.example/c.json#x"]) {
    let code;
    try {
      clientMetadataDocument({ clientMetadataUrl: url, clientName: "x" });
    } catch (e) {
      code = e.code;
    }
    equal(code, "INVALID_URL", url);
    let fromProvider;
    try {
      browserAuth({ clientMetadataUrl: url });
    } catch (e) {
      fromProvider = e.code;
    }
    equal(fromProvider, "INVALID_URL", `browserAuth ${url}`);
  }
  let missing;
  try {
    enterpriseManagedAuth({ clientId: "c", clientSecret: "s", idToken: "t", idp: { clientId: "i" } });
  } catch (e) {
    missing = e.code;
  }
  equal(missing, "MISSING_PARAMETER", "an identity provider needs an issuer or a token endpoint");
});
