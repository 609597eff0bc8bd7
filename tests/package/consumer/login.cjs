// Node, through require(): the same login as login.mjs.
const { OAuthClient, inMemoryStore } = require("oauth-callback-rs");

(async () => {
  const client = new OAuthClient({ issuer: process.env.ISSUER, clientName: "installed-package test (require)", scopes: ["openid"], storage: inMemoryStore() });
  const tokens = await client.authenticate();
  console.log(JSON.stringify({ tokenType: tokens.tokenType, scope: tokens.scope, addon: require.resolve(`oauth-callback-rs-${process.env.TRIPLE}`) }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
