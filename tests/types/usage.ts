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
];
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
