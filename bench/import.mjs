// Cold import cost, in fresh Node processes, interleaved with the peers and an empty
// process so machine noise hits all alike.
//
//   node bench/import.mjs [rounds] [--json]     (default 30 rounds; after a build)
//
// Subjects (bench/import-child.mjs): the package root, `oauth-callback-rs/mcp`, the root
// plus its first protocol call (generatePkce(): compiles the wasm core), the root plus
// bindLoopback() (loads the addon); `oauth-callback` 2.2.1 (root and ./mcp), `oauth4webapi`
// and `openid-client` (import, and import + one PKCE pair), node:crypto + one PKCE pair,
// an empty process, and (to attribute the first call's cost) compiling the Node wasm
// module alone. Each round runs every subject once, in an order rotated per round.
//
// Figures per subject: the time from before `import()` to after it (and the first call),
// the RSS growth over the same span (also net of the empty process's growth in the same
// round: the measuring itself grows RSS by about 0.5 MiB), and the whole process wall
// time; median [p10-p90].
// Ratios are paired: ours / peer of the same round, then median [p10-p90] over rounds.
// A benchmark, not a test: it asserts nothing about time.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MiB, argv, emitJson, num, out, pairedRatio, ratio, rotate, spread, summary } from "./stats.mjs";

const { positional, json } = argv();
const rounds = Number(positional[0] ?? 30);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error("usage: node bench/import.mjs [rounds] [--json]");
const print = out(json);
const child = fileURLToPath(new URL("./import-child.mjs", import.meta.url));
const subjects = [
  ["none", "empty process"],
  ["ours", "oauth-callback-rs: import"],
  ["ours-mcp", "oauth-callback-rs/mcp: import"],
  ["ours-pkce", "oauth-callback-rs: import + generatePkce()"],
  ["ours-listener", "oauth-callback-rs: import + bindLoopback()"],
  ["wasm-compile", "(npm/wasm/*.wasm: read + compile only)"],
  ["oauth-callback", "oauth-callback 2.2.1: import"],
  ["oauth-callback-mcp", "oauth-callback/mcp 2.2.1: import"],
  ["oauth4webapi", "oauth4webapi: import"],
  ["oauth4webapi-pkce", "oauth4webapi: import + PKCE pair"],
  ["openid-client", "openid-client: import"],
  ["openid-client-pkce", "openid-client: import + PKCE pair"],
  ["node-crypto-pkce", "node:crypto: import + PKCE pair"],
];
const samples = new Map(subjects.map(([k]) => [k, []]));
const started = performance.now();

for (let i = 0; i < rounds; i++) {
  for (const [key, name] of rotate(subjects, i)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [child, key], { encoding: "utf8" });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    samples.get(key).push({ ...JSON.parse(r.stdout), wall });
  }
  if ((i + 1) % 10 === 0 || i + 1 === rounds) console.error(`  import: ${i + 1}/${rounds} rounds, ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const col = (key, f) => samples.get(key).map((x) => x[f]);
const net = (key) => col(key, "rss").map((r, i) => r - samples.get("none")[i].rss);
const stat = Object.fromEntries(subjects.map(([k]) => [k, { ms: summary(col(k, "ms")), rss: summary(col(k, "rss")), rssNet: summary(net(k)), wall: summary(col(k, "wall")) }]));
const pr = (a, b, f = "ms") => pairedRatio(col(a, f), col(b, f));

print(`cold import, node ${process.version} ${process.platform}-${process.arch}, ${rounds} rounds, fresh processes, rotated order; median [p10-p90]`);
print(`${"subject".padEnd(44)} ${"import ms".padStart(22)} ${"RSS growth MiB".padStart(22)} ${"net of empty MiB".padStart(22)} ${"process ms".padStart(22)}`);
const mibS = (s) => `${MiB(s.median)} [${MiB(s.p10)}-${MiB(s.p90)}]`;
for (const [k, name] of subjects) print(`${name.padEnd(44)} ${spread(stat[k].ms).padStart(22)} ${mibS(stat[k].rss).padStart(22)} ${mibS(stat[k].rssNet).padStart(22)} ${spread(stat[k].wall).padStart(22)}`);
print("");
print("paired ratios (same round)");
const ratios = {
  rootVsPeer: pr("ours", "oauth-callback"),
  mcpVsPeerMcp: pr("ours-mcp", "oauth-callback-mcp"),
  mcpVsPeer: pr("ours-mcp", "oauth-callback"),
  pkceVsRoot: pr("ours-pkce", "ours"),
  rootVsO4w: pr("ours", "oauth4webapi"),
  rootVsOpenid: pr("ours", "openid-client"),
  pkceVsO4wPkce: pr("ours-pkce", "oauth4webapi-pkce"),
  pkceVsNodeCrypto: pr("ours-pkce", "node-crypto-pkce"),
};
print(`  root / oauth-callback root:                 ${ratio(ratios.rootVsPeer)}`);
print(`  ./mcp / oauth-callback ./mcp:               ${ratio(ratios.mcpVsPeerMcp)}`);
print(`  ./mcp / oauth-callback root:                ${ratio(ratios.mcpVsPeer)}`);
print(`  root + generatePkce() / root alone:         ${ratio(ratios.pkceVsRoot)}`);
print(`  root / oauth4webapi:                        ${ratio(ratios.rootVsO4w)}`);
print(`  root / openid-client:                       ${ratio(ratios.rootVsOpenid)}`);
print(`  root + PKCE / oauth4webapi + PKCE:          ${ratio(ratios.pkceVsO4wPkce)}`);
print(`  root + PKCE / node:crypto + PKCE:           ${ratio(ratios.pkceVsNodeCrypto)}`);

// Summary rows for bench/run.mjs, each against its bar (issue 11, DESIGN.md "Budgets").
const ms = (k) => `${num(stat[k].ms.median)} ms`;
const mem = (k) => `+${MiB(stat[k].rssNet.median)} MiB`;
const cell = (k) => `${spread(stat[k].ms, " ms")}, ${mem(k)}`;
const TWO_MIB = 2 * 1048576;
const rows = [
  {
    figure: "cold import, root (Node, fresh process; RSS net of an empty process)",
    ours: cell("ours"),
    peers: [`oauth-callback ${ms("oauth-callback")}, ${mem("oauth-callback")}`, `oauth4webapi ${ms("oauth4webapi")}, ${mem("oauth4webapi")}`, `openid-client ${ms("openid-client")}, ${mem("openid-client")}`, `empty process ${ms("none")}, +${MiB(stat.none.rss.median)} MiB (raw; the others net of it)`],
    ratio: `${ratio(ratios.rootVsPeer)} of oauth-callback`,
    bar: "≤ 0.10x oauth-callback and ≤ +2 MiB",
    met: ratios.rootVsPeer.median <= 0.1 && stat.ours.rssNet.median <= TWO_MIB,
  },
  {
    figure: "cold import, ./mcp",
    ours: cell("ours-mcp"),
    peers: [`oauth-callback/mcp ${ms("oauth-callback-mcp")}, ${mem("oauth-callback-mcp")}`],
    ratio: `${ratio(ratios.mcpVsPeerMcp)} of oauth-callback/mcp`,
    bar: "≤ 0.10x oauth-callback and ≤ +2 MiB",
    met: ratios.mcpVsPeerMcp.median <= 0.1 && stat["ours-mcp"].rssNet.median <= TWO_MIB,
  },
  {
    figure: "import + first PKCE (generatePkce())",
    ours: cell("ours-pkce"),
    peers: [`node:crypto ${ms("node-crypto-pkce")}, ${mem("node-crypto-pkce")}`, `oauth4webapi ${ms("oauth4webapi-pkce")}, ${mem("oauth4webapi-pkce")}`, `openid-client ${ms("openid-client-pkce")}, ${mem("openid-client-pkce")}`],
    ratio: `${ratio(ratios.pkceVsRoot)} of the root import alone`,
    bar: "≤ 2x the root import",
    met: ratios.pkceVsRoot.median <= 2,
  },
];
if (json) emitJson({ name: "import", env: `node ${process.version}`, rounds, stat, ratios, rows });
