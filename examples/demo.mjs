// The demo: a full OAuth 2.1 login against a local authorization server (oidc-provider,
// started here on 127.0.0.1), with a readable trace of every OAuth message, secrets
// shown as `abc…`. With a display it opens your browser (sign in with any name and
// password); without one it plays the user itself over HTTP and says so.
//
//   ./scripts/demo              (builds what is missing, then runs this)
//   node examples/demo.mjs      (after a build)
import process from "node:process";
import { OAuthClient, inMemoryStore } from "oauth-callback-rs";
import { headlessSignIn } from "./local-server/headless-user.mjs";
import { startProvider } from "./local-server/provider.mjs";

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
const [cyan, green, red, yellow, dim, bold] = [paint(36), paint(32), paint(31), paint(33), paint(2), paint(1)];
const headed = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === "darwin" || process.platform === "win32") && !process.env.DEMO_HEADLESS;

function trace(e) {
  const step = e.step.padEnd(20);
  if (e.type === "request") {
    console.log(`  ${cyan("→")} ${cyan(step)} ${e.method} ${e.url}`);
    if (e.body) console.log(`    ${dim(e.body)}`);
  } else if (e.type === "response") {
    const ok = e.status < 400;
    console.log(`  ${(ok ? green : red)("←")} ${(ok ? green : red)(step)} ${e.status}`);
    if (e.body) console.log(`    ${dim(e.body.length > 400 ? `${e.body.slice(0, 400)}…` : e.body)}`);
  } else {
    console.log(`  ${yellow("•")} ${yellow(step)} ${e.message}`);
  }
}

const server = await startProvider({ accessTokenTtl: 120 });
console.log(bold(`Authorization server (oidc-provider) at ${server.issuer}`));
try {
  const store = inMemoryStore();
  const client = new OAuthClient({
    issuer: server.issuer,
    clientName: "oauth-callback-rs demo",
    scopes: ["openid", "profile"],
    storage: store,
    onEvent: trace,
    ...(headed ? {} : { launch: (url) => headlessSignIn(url, { login: "demo-user" }) }),
  });

  console.log(bold("\n1. Sign in: discovery, registration, PKCE, the loopback redirect, the code exchange"));
  if (!headed) console.log(yellow("  No display here: completing the login headlessly as user \"demo-user\" over plain HTTP."));
  else console.log(yellow("  Your browser opens: sign in with any name and password, then approve."));
  const tokens = await client.authenticate();
  console.log(green(`  Signed in: a ${tokens.tokenType} token for scope "${tokens.scope}", expires ${new Date(tokens.expiresAt).toISOString()}`));

  console.log(bold("\n2. Call a protected endpoint (userinfo)"));
  const me = await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${await client.getValidToken()}` } });
  console.log(`  ${me.status} ${JSON.stringify(await me.json())}`);

  console.log(bold("\n3. The access token expires: getValidToken() refreshes it, no browser"));
  await store.update(server.issuer, (e) => ({ ...e, tokens: { ...e.tokens, expiresAt: Date.now() - 1 } }));
  const fresh = await client.getValidToken();
  console.log(green(`  New access token ${fresh.slice(0, 3)}…; the rotated refresh token was saved first.`));

  console.log(bold("\n4. Log out: revoke at the server (RFC 7009), forget locally"));
  const { revoked } = await client.logout();
  const after = await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${fresh}` } });
  await after.text();
  console.log(`  revoked: ${revoked}; userinfo with the old token now answers ${after.status}`);
  console.log(green(bold("\nDone.")));
} finally {
  await server.close();
}
