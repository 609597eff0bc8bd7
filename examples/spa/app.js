// The SPA example: ?issuer=...&client_id=... configure it (a real app hard-codes them).
import { BrowserOAuthClient } from "oauth-callback-rs";

const status = document.getElementById("status");
const here = new URL(location.href);
const config = JSON.parse(sessionStorage.getItem("spa-config") ?? "null") ?? {
  issuer: here.searchParams.get("issuer"),
  clientId: here.searchParams.get("client_id"),
};
sessionStorage.setItem("spa-config", JSON.stringify(config));

const client = new BrowserOAuthClient({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri: `${location.origin}${location.pathname}`,
  scopes: ["openid"],
});

document.getElementById("signin").addEventListener("click", async () => {
  location.assign(await client.startLogin());
});

if (client.isCallback(location.href)) {
  // Take the code out of the address bar before anything else can read or leak it.
  const callbackUrl = location.href;
  history.replaceState(null, "", location.pathname);
  try {
    const tokens = await client.completeLogin(callbackUrl);
    const me = await fetch(`${config.issuer}/me`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    const { sub } = await me.json();
    status.textContent = `Signed in as ${sub}.`;
    status.dataset.state = "signed-in";
  } catch (err) {
    status.textContent = `Sign-in failed: ${err.code ?? err.error ?? err.name}: ${err.message}`;
    status.dataset.state = "failed";
  }
}
