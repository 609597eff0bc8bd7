// The browser consumer, bundled by esbuild (--platform=browser) from the installed
// package: a full redirect login in the page (PKCE, state, iss in the wasm core; the
// token exchange and userinfo with the page's fetch). The wasm modules (the small
// authorize one, BrowserOAuthClient's login one) are served as assets and passed to init(), as the
// README tells bundler users to.
import { BrowserOAuthClient, init } from "oauth-callback-rs";

const status = document.getElementById("status");
const here = new URL(location.href);
const config = JSON.parse(sessionStorage.getItem("config") ?? "null") ?? { issuer: here.searchParams.get("issuer"), clientId: here.searchParams.get("client_id") };
sessionStorage.setItem("config", JSON.stringify(config));

await init(new URL("./oauth_callback_authorize.wasm", import.meta.url), new URL("./oauth_callback_login.wasm", import.meta.url));
const client = new BrowserOAuthClient({ issuer: config.issuer, clientId: config.clientId, redirectUri: `${location.origin}${location.pathname}`, scopes: ["openid"] });

if (client.isCallback(location.href)) {
  const callbackUrl = location.href;
  history.replaceState(null, "", location.pathname);
  try {
    const tokens = await client.completeLogin(callbackUrl);
    const me = await fetch(`${config.issuer}/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    status.textContent = `signed in as ${(await me.json()).sub}`;
  } catch (err) {
    status.textContent = `failed: ${err.code ?? err.error ?? err.name}: ${err.message}`;
  }
} else {
  location.assign(await client.startLogin());
}
