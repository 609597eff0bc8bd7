// PKCE on the host's crypto (npm/src/pkce-host.ts) against the core: the package's Node,
// Bun and Deno entries hash plainly valid verifiers with node:crypto and leave everything
// else to the wasm core. `core` is the browser entry, initialized, which always asks the
// core. For every verifier of the corpus both must give the same challenge or the same
// error code.
import { equal, ok, outcome as outcomeOf } from "./assert.mjs";

const outcome = (lib, fn) => outcomeOf(lib, fn);

const UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/** Valid and invalid verifiers, including every boundary of RFC 7636 §4.1. */
export function verifierCorpus() {
  const corpus = ["dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", UNRESERVED.slice(0, 43), UNRESERVED + UNRESERVED.slice(0, 62)];
  let seed = 7;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const valid = (len) => Array.from({ length: len }, () => UNRESERVED[next(UNRESERVED.length)]).join("");
  for (let i = 0; i < 200; i++) corpus.push(valid(43 + next(86)));
  for (const len of [0, 1, 42, 129, 200]) corpus.push(valid(len));
  const bad = ["+", "/", "=", " ", "\n", "\r", "\0", "%", "\x1b", "\x7f", "é", "😀", "\u2028", "\ufffd", "\ud800", "\u0661"];
  for (const ch of bad) {
    for (const at of [0, 21, 42]) {
      const v = valid(43).split("");
      v[at] = ch;
      corpus.push(v.join(""));
    }
    corpus.push(valid(42) + ch); // 43 characters, more than 43 bytes for non-ASCII
    corpus.push(valid(127) + ch); // 128 characters
  }
  return corpus;
}

export function pkceHostCases(lib, core) {
  return [
    ["PKCE on host crypto: every verifier of the corpus gets the core's answer", () => {
      let valid = 0;
      for (const v of verifierCorpus()) {
        const ours = outcome(lib, () => lib.challengeFromVerifier(v));
        const cores = outcome(core, () => core.challengeFromVerifier(v));
        equal(ours, cores, `verifier ${JSON.stringify(v)}`);
        if (ours.startsWith("ok ")) valid++;
      }
      ok(valid > 200, `the corpus has valid verifiers (${valid})`);
    }],
    ["PKCE on host crypto: generated pairs, states and nonces are what the core makes", () => {
      const seen = new Set();
      for (let i = 0; i < 300; i++) {
        const { verifier, challenge } = lib.generatePkce();
        equal(verifier.length, 43, "verifier length");
        ok(/^[A-Za-z0-9_-]{43}$/.test(verifier), "verifier is base64url of 32 octets");
        equal(challenge, core.challengeFromVerifier(verifier), "challenge");
        for (const token of [lib.generateState(), lib.generateNonce()]) ok(/^[A-Za-z0-9_-]{43}$/.test(token), "state/nonce form");
        ok(!seen.has(verifier), "fresh verifier");
        seen.add(verifier);
      }
    }],
  ];
}
