// PKCE throughput in the page (bench/pkce-browser.mjs): the browser entry of
// oauth-callback-rs against hand-rolled WebCrypto, oauth4webapi and pkce-challenge.
import { challengeFromVerifier, generatePkce, init } from "oauth-callback-rs";
import * as o4w from "oauth4webapi";
import pkceChallenge, { generateChallenge } from "pkce-challenge";
import { measurePkce, webCrypto } from "../pkce-loop.mjs";

await init();
globalThis.runPkce = async ({ rounds, windowMs }) => {
  const subjects = [
    { name: "oauth-callback-rs", pair: () => generatePkce(), s256: (v) => challengeFromVerifier(v) },
    { name: "WebCrypto", pair: () => webCrypto.challenge(webCrypto.verifier()), s256: webCrypto.challenge },
    { name: "oauth4webapi", pair: () => o4w.calculatePKCECodeChallenge(o4w.generateRandomCodeVerifier()), s256: (v) => o4w.calculatePKCECodeChallenge(v) },
    { name: "pkce-challenge", pair: () => pkceChallenge(), s256: (v) => generateChallenge(v) },
  ];
  const verifiers = Array.from({ length: 1024 }, () => webCrypto.verifier());
  for (const v of verifiers.slice(0, 4)) {
    const want = await webCrypto.challenge(v);
    for (const s of subjects) if ((await s.s256(v)) !== want) throw new Error(`${s.name} disagrees on S256(${v})`);
  }
  return measurePkce(subjects, { rounds, windowMs, verifiers });
};
document.body.dataset.ready = "1";
