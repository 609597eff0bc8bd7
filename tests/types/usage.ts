// Compiled with `tsc --noEmit` against the published types: what a TypeScript user writes
// must type-check, and misuse must not (each @ts-expect-error fails the build if unused).
import {
  OAuthCallbackError,
  bindLoopback,
  buildAuthorizationUrl,
  challengeFromVerifier,
  generatePkce,
  generateState,
  getRedirectUrl,
  renderTemplate,
  getAuthCode,
  OAuthError,
  TimeoutError,
  fileStore,
  inMemoryStore,
  keychainStore,
  redisStore,
  type RedisStore,
  bindTokenStore,
  OAuthStoreBrand,
  type OAuthStore,
  type TokenStore,
  type Tokens,
  type CallbackResult,
  type GetAuthCodeOptions,
  type ErrorCode,
  type LoopbackListener,
  type PkcePair,
  mcp,
  OAuthClient,
  type ServerOptions,
  type CallbackServer,
} from "oauth-callback-rs";
import { browserAuth, type BrowserAuthOptions } from "oauth-callback-rs/mcp";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";

// browserAuth must satisfy the MCP SDK's own provider interface.
const authOptions: BrowserAuthOptions = { port: 3000, scope: "openid", store: mcp.inMemoryStore() };
const mcpProvider: OAuthClientProvider = browserAuth(authOptions);
const rootProvider: OAuthClientProvider = mcp.browserAuth();
const oauthClient = new OAuthClient({ issuer: "https://as.example", scopes: ["openid"], storage: mcp.inMemoryStore() });
async function useClient(): Promise<string> {
  await oauthClient.authenticate({ signal: AbortSignal.timeout(1000) });
  await oauthClient.authenticateWithDeviceCode({ onUserCode: (p) => console.log(p.userCode, p.verificationUri) });
  return oauthClient.getValidToken();
}
const serverOptions: ServerOptions = { port: 3000, hostname: "localhost" };
type Wait = CallbackServer["waitForCallback"];
const waitShape: Wait = async () => ({ code: "c" });
void [mcpProvider, rootProvider, useClient, serverOptions, waitShape];

const pair: PkcePair = generatePkce({ length: 64 });
const method: "S256" = pair.method;
const challenge: string = challengeFromVerifier(pair.verifier);
const url: string = buildAuthorizationUrl({
  authorizationEndpoint: new URL("https://as.example/authorize"),
  clientId: "c",
  redirectUri: getRedirectUrl({ port: 0 }),
  scope: ["openid"],
  state: generateState(),
  codeChallenge: challenge,
  resource: "https://api.example/",
  extraParams: { prompt: "consent" },
});
const html: string = renderTemplate("{{a}}", { a: "x", b: undefined });
const listener: LoopbackListener = bindLoopback({ hostname: "127.0.0.1", port: 0 });
const port: number = listener.port;
listener.close();

try {
  generatePkce();
} catch (e) {
  if (e instanceof OAuthCallbackError) {
    const code: ErrorCode = e.code;
    void code;
  }
}

const managed: GetAuthCodeOptions = { authorizationUrl: url, launch: (u: string) => u, port: 0, expectedState: "s" };
const headless: GetAuthCodeOptions = { port: 0, timeout: 1000, signal: AbortSignal.timeout(5) };
async function login(): Promise<string | undefined> {
  try {
    const r: CallbackResult = await getAuthCode(managed);
    return r.code ?? r["iss"];
  } catch (e) {
    if (e instanceof OAuthError) return e.error_description;
    if (e instanceof TimeoutError) return undefined;
    throw e;
  }
}
void [headless, login];
// @ts-expect-error launch without authorizationUrl is not a mode
const launchOnly: GetAuthCodeOptions = { launch: (u: string) => u };
void launchOnly;

const stores: OAuthStore[] = [
  inMemoryStore(),
  fileStore("~/.app/tokens.json", { encryptionKey: new Uint8Array(32), keyName: "k1", lockTimeoutMs: 500 }),
  fileStore(undefined, { encryptionKey: "a passphrase" }),
  keychainStore({ service: "app", account: "me", fallback: { encryptionKey: "pass phrase" } }),
  redisStore({ url: "redis://127.0.0.1:6379", prefix: "app:", encryptionKey: new Uint8Array(32), leaseMs: 45_000 }),
];
const fleet: RedisStore = redisStore({ url: "rediss://:secret@redis.internal:6380" });
const closed: Promise<void> = fleet.close();
void closed;
// @ts-expect-error the encryption key is bytes or a passphrase
redisStore({ url: "redis://127.0.0.1", encryptionKey: 32 });
const plainStore: TokenStore = stores[0] as OAuthStore;
const branded: true = (stores[0] as OAuthStore)[OAuthStoreBrand];
async function useStore(s: OAuthStore): Promise<Tokens | null> {
  await s.update("k", (e) => (e ? { ...e, codeVerifier: "v" } : null));
  return bindTokenStore(s, "k").get();
}
void [plainStore, branded, useStore];
// @ts-expect-error a fallback needs its encryption key
keychainStore({ service: "a", account: "b", fallback: { path: "x" } });

// @ts-expect-error state is required
buildAuthorizationUrl({ authorizationEndpoint: "https://a/", clientId: "c", codeChallenge: challenge });
// @ts-expect-error scope entries are strings
buildAuthorizationUrl({ authorizationEndpoint: "https://a/", clientId: "c", state: "s", codeChallenge: challenge, scope: [1] });
// @ts-expect-error method is always S256
const plain: "plain" = pair.method;
// @ts-expect-error codes are a closed set
const bogus: ErrorCode = "NOPE";

void [method, url, html, port, plain, bogus];

// OpenID Connect and the exported steps (issue 14): what they resolve to.
import * as oidc from "oauth-callback-rs";
async function openIdConnect(client: InstanceType<typeof oidc.OAuthClient>): Promise<void> {
  const claims: oidc.IdTokenClaims | null = await client.idTokenClaims();
  const sub: string | undefined = claims?.sub;
  const me: oidc.UserInfo = await client.fetchUserInfo({ signal: AbortSignal.timeout(1000) });
  const meta: oidc.ServerMetadata = await oidc.discover("https://as.example", { requestTimeoutMs: 5000 });
  const raw: unknown = meta.raw.claims_supported;
  const endSession: string | null = meta.endSessionEndpoint;
  const tokens: Tokens = await oidc.exchangeCode({ metadata: meta, clientId: "c", callbackParams: "http://127.0.0.1/cb?code=x&state=s", expectedState: "s", redirectUri: "http://127.0.0.1/cb", codeVerifier: "v" });
  const checked: oidc.IdTokenClaims = await oidc.validateIdToken({ metadata: meta, clientId: "c", idToken: tokens.idToken ?? "", nonce: "n" });
  await oidc.revokeToken({ metadata: meta, clientId: "c", token: tokens.accessToken, tokenTypeHint: "access_token" });
  const fresh: Tokens = await oidc.refreshTokens({ metadata: meta, clientId: "c", refreshToken: "r" });
  const info: oidc.UserInfo = await oidc.fetchUserInfo({ metadata: meta, accessToken: fresh.accessToken, expectedSubject: checked.sub });
  // @ts-expect-error exchangeCode takes callbackParams, never a bare code
  await oidc.exchangeCode({ metadata: meta, clientId: "c", code: "x", expectedState: "s", redirectUri: "r", codeVerifier: "v" });
  // @ts-expect-error the hint is one of the two RFC 7009 values
  await oidc.revokeToken({ metadata: meta, clientId: "c", token: "t", tokenTypeHint: "id_token" });
  void [sub, me, raw, endSession, info];
}
const named = new oidc.OAuthClient({ issuer: "https://as.example", scope: "openid", store: inMemoryStore(), storeKey: "k", port: 0, hostname: "127.0.0.1" });
void [openIdConnect, named];
