// Runs each differential case against both libraries and compares: equal observations,
// except the deliberate differences, each asserted on both sides.
import { cases } from "./cases.mjs";
import { differencesFor } from "./differences.mjs";
import { formatTable, loadLibraries, runInChild, runtime, same, snap, tempDir } from "./harness.mjs";

export { cases };

const rows = [];
let libs;

async function observe(c, which) {
  const tmp = tempDir();
  try {
    if (c.child) return await runInChild(c.name, which, { ...c.child(tmp.path), DIFFERENTIAL_TMP: tmp.path });
    libs ??= await loadLibraries();
    try {
      return snap(await c.run(libs[which], { tmp: tmp.path, peer: libs.peer }));
    } catch (e) {
      return { crashed: `${e?.name}: ${e?.message}` };
    }
  } finally {
    tmp.dispose();
  }
}

const show = (v) => JSON.stringify(v);

/** Runs case `c` against both libraries; throws one error listing every mismatch. */
export async function check(c) {
  const peer = await observe(c, "peer");
  const ours = await observe(c, "ours");
  if (process.env.DIFFERENTIAL_DUMP) console.log(`\n## ${c.name}\npeer: ${JSON.stringify(peer, null, 1)}\nours: ${JSON.stringify(ours, null, 1)}`);
  const problems = [];
  for (const [side, obs] of [["peer", peer], ["ours", ours]]) {
    if (obs.crashed !== undefined) problems.push(`${side} crashed: ${obs.crashed}`);
  }
  const listed = differencesFor(c.name, runtime);
  const caseRows = [];
  for (const [field, d] of Object.entries(listed)) {
    for (const side of ["peer", "ours"]) {
      const got = side === "peer" ? peer[field] : ours[field];
      const want = d[side];
      // A value that varies between runs (a free port) is given as a pattern.
      const fits = want instanceof RegExp ? typeof got === "string" && want.test(got) : same(got, snap(want));
      if (!fits) problems.push(`${field} (deliberate difference): ${side} should give ${want instanceof RegExp ? want : show(snap(want))}, gives ${show(got)}`);
    }
    caseRows.push({ case: `${c.name} › ${field}`, peer: peer[field], ours: ours[field] });
  }
  const fields = [...new Set([...Object.keys(peer), ...Object.keys(ours)])].filter((f) => !(f in listed) && f !== "crashed");
  const mismatched = fields.filter((f) => !same(peer[f], ours[f]));
  for (const f of mismatched) problems.push(`${f}: peer gives ${show(peer[f])}, ours gives ${show(ours[f])}`);
  const equalFields = fields.filter((f) => !mismatched.includes(f));
  if (equalFields.length) {
    const summary = Object.fromEntries(equalFields.map((f) => [f, peer[f]]));
    rows.push({ case: c.name, peer: summary, ours: "= same" });
  }
  for (const f of mismatched) rows.push({ case: `${c.name} › ${f} ≠`, peer: peer[f], ours: ours[f] });
  rows.push(...caseRows);
  if (problems.length) throw new Error(`${c.name}:\n  ${problems.join("\n  ")}`);
}

/** The table of everything checked so far. */
export const table = () => formatTable(rows);
