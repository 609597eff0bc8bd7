// "PKCE + state + authorization URL" with oauth-callback-rs (browser entry).
import { buildAuthorizationUrl, generatePkce, generateState, init } from "oauth-callback-rs";

const AUTHORIZE = "https://auth.example.com/authorize";
document.getElementById("signin").addEventListener("click", async () => {
  await init();
  const { verifier, challenge } = generatePkce();
  const state = generateState();
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  location.assign(buildAuthorizationUrl({ authorizationEndpoint: AUTHORIZE, clientId: "app", redirectUri: `${location.origin}/callback`, scope: "openid profile", state, codeChallenge: challenge }));
});
// Fetch and compile the module on load, as a page would (every file it fetches is counted).
await init();
document.body.dataset.ready = "1";
