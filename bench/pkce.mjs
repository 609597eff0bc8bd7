// PKCE throughput through the Node entry, against node:crypto and WebCrypto (both
// hand-rolled, as a CLI would write them), oauth4webapi and pkce-challenge, in one process.
//
//   node bench/pkce.mjs [rounds] [--json] [--quick]     (default 15 rounds of 100 ms windows)
//
// Figures (bench/pkce-loop.mjs): PKCE pairs/s (a fresh verifier and its S256 challenge) and
// S256/s (the challenge of a given verifier, cycling over 1024 of them), each sequential and
// with 64 in flight; median [p10-p90] of the per-window rates, and the paired ratio to
// each peer (same round). The wasm binding called without the facade is measured too, to
// attribute the cost (detail table only). A benchmark, not a test: nothing about time is asserted; the
// implementations are only checked to agree on the challenges first.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as ours from "oauth-callback-rs";
import * as o4w from "oauth4webapi";
import pkceChallenge, { generateChallenge } from "pkce-challenge";
import { measurePkce, webCrypto } from "./pkce-loop.mjs";
import { argv, emitJson, out, pairedRatio, perSec, rateSpread, ratio, spread, summary } from "./stats.mjs";

const { positional, json, quick } = argv();
const rounds = Number(positional[0] ?? (quick ? 3 : 15));
const windowMs = quick ? 50 : 100;
const print = out(json);

const nodeCrypto = {
  verifier: () => randomBytes(32).toString("base64url"),
  challenge: (v) => createHash("sha256").update(v).digest("base64url"),
};
const subjects = [
  { name: "oauth-callback-rs", pair: () => ours.generatePkce(), s256: (v) => ours.challengeFromVerifier(v) },
  { name: "node:crypto", pair: () => nodeCrypto.challenge(nodeCrypto.verifier()), s256: nodeCrypto.challenge },
  { name: "WebCrypto", pair: () => webCrypto.challenge(webCrypto.verifier()), s256: webCrypto.challenge },
  { name: "oauth4webapi", pair: () => o4w.calculatePKCECodeChallenge(o4w.generateRandomCodeVerifier()), s256: (v) => o4w.calculatePKCECodeChallenge(v) },
  { name: "pkce-challenge", pair: () => pkceChallenge(), s256: (v) => generateChallenge(v) },
];
// Attribution (detail table only): the wasm-bindgen binding called directly, without the
// facade's checks, to tell the facade's cost from the wasm call's.
try {
  const glue = await import("../npm/wasm/oauth_callback_wasm.js");
  glue.initSync({ module: readFileSync(new URL("../npm/wasm/oauth_callback_wasm_bg.wasm", import.meta.url)) });
  if (typeof glue.generatePkce === "function" && typeof glue.challengeFromVerifier === "function") {
    subjects.push({ name: "(wasm binding, no facade)", pair: () => glue.generatePkce(43), s256: (v) => glue.challengeFromVerifier(v) });
  }
} catch (err) {
  console.error(`  pkce: no direct wasm binding (${err.message}); attribution row left out`);
}
const verifiers = Array.from({ length: 1024 }, () => nodeCrypto.verifier());

// The same challenge from every implementation (RFC 7636 appendix B's vector, then ours).
const rfc = "dBjftJeZ4CVP-mJ92K9ueHkeS7t4IfPjFzMsjzoVtp0";
for (const v of [rfc, ...verifiers.slice(0, 4)]) {
  const want = nodeCrypto.challenge(v);
  for (const s of subjects) {
    const got = await s.s256(v);
    if (got !== want) throw new Error(`${s.name}: S256(${v}) = ${got}, node:crypto says ${want}`);
  }
}

const started = performance.now();
const res = await measurePkce(subjects, {
  rounds,
  windowMs,
  verifiers,
  onRound: (r) => {
    if (r % 5 === 0 || r === rounds) console.error(`  pkce (Node): ${r}/${rounds} rounds, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  },
});

print(`PKCE throughput, node ${process.version} ${process.platform}-${process.arch}, ${rounds} rounds of ${windowMs} ms windows per subject and figure, rotated order; median [p10-p90]`);
const names = subjects.map((s) => s.name);
const W = 27;
print(`${"figure".padEnd(22)} ${names.map((n) => n.padStart(W)).join(" ")}`);
for (const [figure, by] of Object.entries(res)) print(`${figure.padEnd(22)} ${names.map((n) => `${spread(summary(by[n]))}`.padStart(W)).join(" ")}`);
print("");
print("ours / peer, paired (same round; > 1 is faster)");
print(`${"figure".padEnd(22)} ${names.slice(1).map((n) => n.padStart(W)).join(" ")}`);
for (const [figure, by] of Object.entries(res)) print(`${figure.padEnd(22)} ${names.slice(1).map((n) => ratio(pairedRatio(by[names[0]], by[n])).padStart(W)).join(" ")}`);

if (json) {
  const rows = Object.entries(res).map(([figure, by]) => {
    const vsNode = pairedRatio(by["oauth-callback-rs"], by["node:crypto"]);
    return {
      figure: `PKCE ${figure} (Node entry)`,
      ours: rateSpread(summary(by["oauth-callback-rs"])),
      peers: names.slice(1).filter((n) => !n.startsWith("(")).map((n) => `${n} ${perSec(summary(by[n]).median)} (ours x${ratio(pairedRatio(by["oauth-callback-rs"], by[n])).replace(/ \[.*/, "")})`),
      ratio: `${ratio(vsNode)} of node:crypto`,
      bar: "≥ 1.0x node:crypto",
      met: vsNode.median >= 1,
    };
  });
  emitJson({ name: "pkce", env: `node ${process.version}`, rounds, windowMs, res, rows });
}
