// Deno, through an `npm:` specifier resolved from the project's node_modules
// (deno.json: "nodeModulesDir": "manual"; no registry involved). Type-checked by
// `deno run` itself.
import { OAuthClient, inMemoryStore } from "npm:oauth-callback-rs";

const issuer = Deno.env.get("ISSUER");
if (!issuer) throw new Error("ISSUER is not set");
const client = new OAuthClient({ issuer, clientName: "installed-package test (deno)", scopes: ["openid"], storage: inMemoryStore() });
const tokens = await client.authenticate();
console.log(JSON.stringify({ tokenType: tokens.tokenType, scope: tokens.scope }));
