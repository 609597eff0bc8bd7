// cli.mjs without `import "oauth-callback-rs/embedded"`: its bundles need the wasm core
// beside them (or, in a Node SEA, as an asset). Signs in through the system browser (the
// test sets BROWSER to a headless user) over the loopback redirect and prints one JSON line.
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
