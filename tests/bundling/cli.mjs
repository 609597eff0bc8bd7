// The CLI the bundling test builds with each tool: what a CLI author writes. It signs in
// through the system browser (the test sets BROWSER to a headless user) over the loopback
// redirect, exchanges the code, and prints one JSON line. No top-level await: a CommonJS
// bundle (esbuild --format=cjs, a Node SEA) cannot have one.
import "oauth-callback-rs/embedded";
import { OAuthClient, inMemoryStore } from "oauth-callback-rs";

async function main() {
  const issuer = process.argv[2];
  if (!issuer) throw new Error("usage: cli <issuer>");
  const client = new OAuthClient({ issuer, clientId: "native-public", scopes: ["openid"], storage: inMemoryStore() });
  const tokens = await client.authenticate();
  const token = await client.getValidToken();
  const me = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${token}` } });
  console.log(JSON.stringify({ signedIn: true, tokenType: tokens.tokenType, userinfo: me.status, cwd: process.cwd() }));
}

main().catch((err) => {
  console.error(`${err.name} ${err.code ?? ""}: ${err.message}`);
  process.exit(1);
});
