// The whole SPA login with oauth-callback-rs: BrowserOAuthClient (discovery, PKCE, state,
// sessionStorage, iss and state checks, code exchange, userinfo), as examples/spa/app.js.
import { BrowserOAuthClient } from "oauth-callback-rs";

const status = document.getElementById("status");
const client = new BrowserOAuthClient({ issuer: "https://auth.example.com", clientId: "app", redirectUri: `${location.origin}${location.pathname}`, scopes: ["openid"] });
document.getElementById("signin").addEventListener("click", async () => location.assign(await client.startLogin()));
if (client.isCallback(location.href)) {
  const callbackUrl = location.href;
  history.replaceState(null, "", location.pathname);
  try {
    const tokens = await client.completeLogin(callbackUrl);
    const me = await client.fetchUserInfo(tokens.accessToken);
    status.textContent = `Signed in as ${me.sub}.`;
  } catch (err) {
    status.textContent = `Sign-in failed: ${err.code ?? err.name}: ${err.message}`;
  }
}
document.body.dataset.ready = "1";
