// "PKCE + state + authorization URL" hand-rolled on WebCrypto.
const AUTHORIZE = "https://auth.example.com/authorize";
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
document.getElementById("signin").addEventListener("click", async () => {
  const verifier = random();
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const state = random();
  sessionStorage.setItem("pkce", JSON.stringify({ verifier, state }));
  const url = new URL(AUTHORIZE);
  for (const [k, v] of Object.entries({ response_type: "code", client_id: "app", redirect_uri: `${location.origin}/callback`, scope: "openid profile", state, code_challenge: challenge, code_challenge_method: "S256" })) url.searchParams.set(k, v);
  location.assign(url.href);
});
document.body.dataset.ready = "1";
