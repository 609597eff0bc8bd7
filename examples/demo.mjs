// The demo of what works today: PKCE, state, the authorization URL for a loopback
// redirect, and the loopback listener that will receive it. Each OAuth value is printed
// the way the library's trace will print it: secrets shortened to a prefix.
//
//   node examples/demo.mjs            (after ./scripts/demo has built the package once)
import { bindLoopback, buildAuthorizationUrl, generatePkce, generateState, getRedirectUrl } from "oauth-callback-rs";

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
const [cyan, green, dim, bold] = [paint(36), paint(32), paint(2), paint(1)];
const redact = (secret) => `${secret.slice(0, 6)}…`;
const line = (label, value) => console.log(`  ${cyan(label.padEnd(22))} ${value}`);

const endpoint = process.argv[2] ?? "https://auth.example.com/oauth2/authorize";

console.log(bold("1. PKCE (RFC 7636, S256)"));
const pkce = generatePkce();
line("code_verifier", `${redact(pkce.verifier)} ${dim("(secret: kept until the token request)")}`);
line("code_challenge", pkce.challenge);

console.log(bold("2. Loopback redirect (RFC 8252 §7.3)"));
const listener = bindLoopback({ hostname: "127.0.0.1", port: 0 });
const redirectUri = getRedirectUrl({ hostname: "127.0.0.1", port: listener.port });
line("listening on", `${listener.addresses.join(", ")} port ${listener.port}`);
line("redirect_uri", redirectUri);

console.log(bold("3. Authorization request (RFC 6749 §4.1.1)"));
const state = generateState();
line("state", `${redact(state)} ${dim("(checked against the callback)")}`);
const url = buildAuthorizationUrl({
  authorizationEndpoint: endpoint,
  clientId: "demo-cli",
  redirectUri,
  scope: ["openid", "offline_access"],
  state,
  codeChallenge: pkce.challenge,
  resource: "https://api.example.com/",
});
line("authorization URL", url.replace(state, redact(state)));

console.log(bold("4. Shutdown"));
listener.close();
line("port released", green(String(!listener.listening)));
console.log(dim("Next: getAuthCode() opens the browser at this URL and waits on the listener for the redirect."));
