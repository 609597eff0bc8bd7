// A TypeScript consumer compiled with "module"/"moduleResolution": "node16", then run by
// Node: the package's `exports` types must resolve, and the program must log in.
import { OAuthClient, inMemoryStore, type Tokens } from "oauth-callback-rs";

const issuer: string | undefined = process.env.ISSUER;
if (!issuer) throw new Error("ISSUER is not set");
const client = new OAuthClient({ issuer, clientName: "installed-package test (tsc node16)", scopes: ["openid"], storage: inMemoryStore() });
const tokens: Tokens = await client.authenticate();
console.log(JSON.stringify({ tokenType: tokens.tokenType, scope: tokens.scope }));
