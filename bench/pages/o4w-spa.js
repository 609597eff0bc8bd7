// The whole SPA login with oauth4webapi: the same steps as BrowserOAuthClient (discovery,
// PKCE, state, sessionStorage, iss and state checks, code exchange, userinfo).
import * as oauth from "oauth4webapi";

const status = document.getElementById("status");
const issuer = new URL("https://auth.example.com");
const client = { client_id: "app" };
const redirectUri = `${location.origin}${location.pathname}`;
const KEY = `pending:${issuer.href}`;
let metadata;
const discover = async () => (metadata ??= await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: "oidc" })));

document.getElementById("signin").addEventListener("click", async () => {
  const as = await discover();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(KEY, JSON.stringify({ verifier, state }));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", client.client_id);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("scope", "openid");
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  location.assign(url.href);
});

const here = new URL(location.href);
if ((here.searchParams.has("code") || here.searchParams.has("error")) && sessionStorage.getItem(KEY) !== null) {
  history.replaceState(null, "", location.pathname);
  const pending = JSON.parse(sessionStorage.getItem(KEY));
  sessionStorage.removeItem(KEY);
  try {
    const as = await discover();
    const params = oauth.validateAuthResponse(as, client, here, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, pending.verifier);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    const me = await oauth.processUserInfoResponse(as, client, oauth.skipSubjectCheck, await oauth.userInfoRequest(as, client, tokens.access_token));
    status.textContent = `Signed in as ${me.sub}.`;
  } catch (err) {
    status.textContent = `Sign-in failed: ${err.code ?? err.name}: ${err.message}`;
  }
}
document.body.dataset.ready = "1";
