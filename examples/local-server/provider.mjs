// A real authorization server for the demo and the tests: oidc-provider on 127.0.0.1,
// an ephemeral port, with PKCE, refresh-token rotation, dynamic registration, device
// flow, revocation and RFC 9207 `iss`. It counts the grants it serves so tests can see
// what reached the server.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import "./quiet.mjs";
import Provider from "oidc-provider";

/** Pre-registered clients: a public native one and a confidential one. */
export const PUBLIC_CLIENT = "native-public";
export const CONFIDENTIAL_CLIENT = "confidential";
export const CONFIDENTIAL_SECRET = "confidential-secret-with-enough-entropy";
/** The SPA example's client: loopback pages may use any port (RFC 8252 §7.3). */
export const SPA_CLIENT = "spa-example";
export const SPA_REDIRECT = "http://127.0.0.1/examples/spa/index.html";

/** A client whose UserInfo answers are signed JWTs (`application/jwt`). */
export const JWT_USERINFO_CLIENT = "jwt-userinfo";

const GRANTS = ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"];

/** A fresh private signing key as a JWK: RS256 (2048-bit RSA) or ES256 (P-256). */
function signingKey(alg) {
  const pair = alg === "ES256" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...pair.privateKey.export({ format: "jwk" }), use: "sig", alg };
}

/**
 * Starts the server; resolves to { issuer, close, counts, errors }. `port` (default 0: a
 * free one) lets a second server take over an issuer. Without `idTokenAlg` ID tokens are
 * signed with oidc-provider's development RSA key; with it (`"RS256"` or `"ES256"`), with
 * a fresh key of that kind, so two servers on one port look like a key rotation.
 */
export async function startProvider({ accessTokenTtl = 3600, port = 0, idTokenAlg } = {}) {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const counts = { refresh: 0, authorization_code: 0, device_code: 0, registration: 0, revocation: 0 };
  const errors = [];
  const provider = new Provider(issuer, {
    clients: [
      { client_id: PUBLIC_CLIENT, application_type: "native", token_endpoint_auth_method: "none", redirect_uris: ["http://127.0.0.1/callback"], grant_types: GRANTS, response_types: ["code"] },
      { client_id: SPA_CLIENT, application_type: "native", token_endpoint_auth_method: "none", redirect_uris: [SPA_REDIRECT], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] },
      { client_id: CONFIDENTIAL_CLIENT, client_secret: CONFIDENTIAL_SECRET, application_type: "native", token_endpoint_auth_method: "client_secret_basic", redirect_uris: ["http://127.0.0.1/callback"], grant_types: GRANTS, response_types: ["code"] },
      { client_id: JWT_USERINFO_CLIENT, application_type: "native", token_endpoint_auth_method: "none", redirect_uris: ["http://127.0.0.1/callback"], grant_types: GRANTS, response_types: ["code"], userinfo_signed_response_alg: idTokenAlg ?? "RS256" },
    ],
    ...(idTokenAlg ? { jwks: { keys: [signingKey(idTokenAlg)] } } : {}),
    clientDefaults: { grant_types: ["authorization_code"], id_token_signed_response_alg: idTokenAlg ?? "RS256", response_types: ["code"], token_endpoint_auth_method: "client_secret_basic" },
    cookies: { keys: ["oauth-callback-rs-test-cookie-key"] },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: { enabled: true },
      jwtUserinfo: { enabled: true },
    },
    scopes: ["openid", "offline_access", "profile"],
    claims: { openid: ["sub"], profile: ["name"] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: `User ${sub}` }) }),
    // Refresh tokens for every client allowed the grant, without offline_access consent.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    clientBasedCORS: () => true,
    ttl: { AccessToken: accessTokenTtl, DeviceCode: 600 },
  });
  provider.on("server_error", (_ctx, err) => errors.push(err));
  provider.on("grant.success", (ctx) => {
    const g = ctx.oidc.params.grant_type;
    if (g === "refresh_token") counts.refresh++;
    else if (g === "authorization_code") counts.authorization_code++;
    else if (g === "urn:ietf:params:oauth:grant-type:device_code") counts.device_code++;
  });
  provider.on("registration_create.success", () => counts.registration++);
  provider.on("revocation.success", () => counts.revocation++);
  server.on("request", provider.callback());
  return {
    issuer,
    counts,
    errors,
    provider,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
