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
  type ErrorCode,
  type LoopbackListener,
  type PkcePair,
} from "oauth-callback-rs";

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

// @ts-expect-error state is required
buildAuthorizationUrl({ authorizationEndpoint: "https://a/", clientId: "c", codeChallenge: challenge });
// @ts-expect-error scope entries are strings
buildAuthorizationUrl({ authorizationEndpoint: "https://a/", clientId: "c", state: "s", codeChallenge: challenge, scope: [1] });
// @ts-expect-error method is always S256
const plain: "plain" = pair.method;
// @ts-expect-error codes are a closed set
const bogus: ErrorCode = "NOPE";

void [method, url, html, port, plain, bogus];
