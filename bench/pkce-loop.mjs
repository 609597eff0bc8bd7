// The PKCE throughput loop shared by bench/pkce.mjs (Node) and bench/pkce-browser.mjs
// (bundled into a page for headless Chromium). No Node or DOM APIs beyond `performance`,
// `crypto` and `btoa`.

/** The hand-rolled WebCrypto PKCE a page would write: 32 random bytes, SHA-256, base64url. */
export function b64url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
const enc = new TextEncoder();
export const webCrypto = {
  verifier: () => b64url(crypto.getRandomValues(new Uint8Array(32))),
  challenge: async (v) => b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(v)))),
};

/**
 * Measures each subject's operations per second.
 *
 * subjects: [{ name, pair: () => value | Promise, s256: (verifier) => value | Promise }]
 * Figures: pairs and S256, each sequential (call, await if a promise, call again) and with
 * 64 in flight (Promise.all of 64 calls, again and again). Each sample is the rate over a
 * window of `windowMs`; each round takes one sample of every subject for every figure, the
 * subjects in an order rotated per round, after one warm-up round that is not kept.
 * Returns { [figure]: { [name]: [ops/s per round] } }.
 */
export async function measurePkce(subjects, { rounds, windowMs, verifiers, onRound = () => {} }) {
  const figures = [
    ["pairs, sequential", (s) => s.pair, 1],
    ["pairs, 64 in flight", (s) => s.pair, 64],
    ["S256, sequential", (s) => s.s256, 1],
    ["S256, 64 in flight", (s) => s.s256, 64],
  ];
  const out = Object.fromEntries(figures.map(([f]) => [f, Object.fromEntries(subjects.map((s) => [s.name, []]))]));
  for (let r = -1; r < rounds; r++) {
    for (const [figure, pick, inFlight] of figures) {
      const k = ((r % subjects.length) + subjects.length) % subjects.length;
      for (const s of [...subjects.slice(k), ...subjects.slice(0, k)]) {
        const rate = await run(pick(s), inFlight, windowMs, verifiers);
        if (r >= 0) out[figure][s.name].push(rate);
      }
    }
    if (r >= 0) await onRound(r + 1);
  }
  return out;
}

async function run(fn, inFlight, windowMs, verifiers) {
  const n = verifiers.length; // a power of two
  let i = 0;
  const t0 = performance.now();
  const end = t0 + windowMs;
  let t = t0;
  if (inFlight === 1) {
    while (t < end) {
      for (let j = 0; j < 16; j++) {
        const r = fn(verifiers[i++ & (n - 1)]);
        if (r instanceof Promise) await r;
      }
      t = performance.now();
    }
  } else {
    const batch = new Array(inFlight);
    while (t < end) {
      for (let j = 0; j < inFlight; j++) batch[j] = fn(verifiers[i++ & (n - 1)]);
      await Promise.all(batch);
      t = performance.now();
    }
  }
  return (i * 1000) / (t - t0);
}
