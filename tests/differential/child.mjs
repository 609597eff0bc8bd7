// Runs one differential case against one library in this process, with the environment
// the parent gave it (a stub browser launcher, a temporary HOME), and prints the
// observation: `<runtime> child.mjs peer|ours "<case name>"`.
import { cases } from "./cases.mjs";
import { loadLibraries, printObservation, snap } from "./harness.mjs";

const [which, name] = globalThis.Deno ? Deno.args : process.argv.slice(2);
const c = cases.find((x) => x.name === name);
const libs = await loadLibraries();
let observation;
try {
  observation = snap(await c.run(libs[which], { tmp: process.env.DIFFERENTIAL_TMP, peer: libs.peer }));
} catch (e) {
  observation = { crashed: `${e?.name}: ${e?.message}` };
}
printObservation(observation);
// The peer's string form leaves the `open` child process and Deno.serve behind for a
// moment; the observation is out, so end here.
process.exit(0);
