// A TypeScript consumer compiled with "moduleResolution": "bundler" (module "preserve"),
// then run by Node; "customConditions": ["node"] picks the Node entry's types (without it,
// bundler resolution takes `default`, the browser entry). Also reaches ./mcp.
import { OAuthClient, inMemoryStore } from "oauth-callback-rs";
import * as mcp from "oauth-callback-rs/mcp";

const issuer = process.env.ISSUER;
if (!issuer) throw new Error("ISSUER is not set");
const client = new OAuthClient({ issuer, clientName: "installed-package test (tsc bundler)", scopes: ["openid"], storage: inMemoryStore() });
const tokens = await client.authenticate();
console.log(JSON.stringify({ tokenType: tokens.tokenType, scope: tokens.scope, mcpExports: Object.keys(mcp).length > 0 }));
