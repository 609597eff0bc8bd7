// "PKCE + state + authorization URL" with oauth4webapi.
import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomState } from "oauth4webapi";

const AUTHORIZE = "https://auth.example.com/authorize";
document.getElementById("signin").addEventListener("click", async () => {
  const verifier = generateRandomCodeVerifier();
  const challenge = await calculatePKCECodeChallenge(verifier);
  const state = generateRandomState();
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  const url = new URL(AUTHORIZE);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", "app");
  url.searchParams.set("redirect_uri", `${location.origin}/callback`);
  url.searchParams.set("scope", "openid profile");
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  location.assign(url.href);
});
document.body.dataset.ready = "1";
