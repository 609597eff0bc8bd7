// Cold import cost of the package root, in fresh Node processes, interleaved with the
// peer `oauth-callback` and an empty baseline so machine noise hits all alike.
//
//   node bench/import.mjs [rounds]      (default 30; after ./scripts/demo or ./scripts/test)
//
// Prints medians of: the time from before `import()` to after it (and to after the first
// call, which compiles the wasm core or loads the native addon), the RSS growth over
// the same span, and the whole process wall time; then ratios against the peer.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const rounds = Number(process.argv[2] ?? 30);
const child = fileURLToPath(new URL("./import-child.mjs", import.meta.url));
const subjects = [
  ["empty process", "none", "import"],
  ["oauth-callback-rs: import", "oauth-callback-rs", "import"],
  ["oauth-callback-rs: import + generatePkce()", "oauth-callback-rs", "pkce"],
  ["oauth-callback-rs: import + bindLoopback()", "oauth-callback-rs", "listener"],
  ["oauth-callback 2.2.1: import", "oauth-callback", "import"],
];
const samples = new Map(subjects.map(([n]) => [n, []]));

for (let i = 0; i < rounds; i++) {
  for (const [name, spec, mode] of subjects) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [child, spec, mode], { encoding: "utf8" });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    samples.get(name).push({ ...JSON.parse(r.stdout), wall });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const med = new Map([...samples].map(([n, xs]) => [n, { ms: median(xs.map((x) => x.ms)), rss: median(xs.map((x) => x.rss)), wall: median(xs.map((x) => x.wall)) }]));
const mib = (b) => (b / 1048576).toFixed(2);

console.log(`node ${process.version}, ${rounds} interleaved rounds, medians`);
console.log(`${"subject".padEnd(46)} ${"import ms".padStart(10)} ${"RSS MiB".padStart(8)} ${"process ms".padStart(11)}`);
for (const [name, m] of med) console.log(`${name.padEnd(46)} ${m.ms.toFixed(2).padStart(10)} ${mib(m.rss).padStart(8)} ${m.wall.toFixed(1).padStart(11)}`);
const peer = med.get("oauth-callback 2.2.1: import");
const ours = med.get("oauth-callback-rs: import");
const firstUse = med.get("oauth-callback-rs: import + generatePkce()");
console.log("");
console.log(`import time, oauth-callback / oauth-callback-rs: ${(peer.ms / ours.ms).toFixed(1)}x`);
console.log(`import + first PKCE (wasm compiled), oauth-callback / oauth-callback-rs: ${(peer.ms / firstUse.ms).toFixed(1)}x`);
console.log(`import RSS growth, oauth-callback / oauth-callback-rs: ${(peer.rss / Math.max(ours.rss, 1)).toFixed(1)}x`);
