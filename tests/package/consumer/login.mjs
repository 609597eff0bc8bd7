// Node and Bun, as an ES module: a real loopback login through the installed package.
// The user is the test's headless one: started by the package's own launcher through
// $BROWSER, or, where a BROWSER command line cannot name it (Windows paths hold ':'),
// called directly from HEADLESS_USER_URL.
import { createRequire } from "node:module";
import { OAuthClient, inMemoryStore } from "oauth-callback-rs";

const headless = process.env.HEADLESS_USER_URL ? (await import(process.env.HEADLESS_USER_URL)).headlessSignIn : undefined;
const client = new OAuthClient({
  issuer: process.env.ISSUER,
  clientName: "installed-package test",
  scopes: ["openid"],
  storage: inMemoryStore(),
  ...(headless ? { launch: (url) => headless(url) } : {}),
});
const tokens = await client.authenticate();
const platformPackage = `oauth-callback-rs-${process.env.TRIPLE}`;
console.log(JSON.stringify({ tokenType: tokens.tokenType, scope: tokens.scope, addon: createRequire(import.meta.url).resolve(platformPackage) }));
