// Shared by the bench scripts: quantiles, paired ratios, formatting, and the --json hand-off
// to bench/run.mjs. Runs in Node and in Deno (no Node-only globals at import).

/** Linear interpolation between closest ranks; q in [0, 1]. */
export function quantile(xs, q) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** { median, p10, p90, n } of samples. */
export function summary(xs) {
  return { median: quantile(xs, 0.5), p10: quantile(xs, 0.1), p90: quantile(xs, 0.9), n: xs.filter((x) => Number.isFinite(x)).length };
}

/** Per-round ratios a[i] / b[i] (paired samples: same round), summarized. */
export function pairedRatio(a, b) {
  const n = Math.min(a.length, b.length);
  const r = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] !== 0) r.push(a[i] / b[i]);
  return summary(r);
}

/** 3 significant digits, thousands grouped, for numbers of any size. */
export function num(v) {
  if (!Number.isFinite(v)) return "n/a";
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return "0";
  return v.toPrecision(2);
}

/** "median [p10-p90]" with a unit suffix. */
export function spread(s, unit = "") {
  if (!s || !Number.isFinite(s.median)) return "n/a";
  return `${num(s.median)}${unit} [${num(s.p10)}-${num(s.p90)}]`;
}

export const ratio = (s) => spread(s, "x").replace(/x \[/, " [").replace(/\]$/, "]x");

/** Throughput in operations per second, as "78.2 k/s". */
export function perSec(v) {
  if (!Number.isFinite(v)) return "n/a";
  return v >= 1000 ? `${(v / 1000).toFixed(v >= 100_000 ? 0 : 1)} k/s` : `${v.toFixed(0)} /s`;
}

/** "median [p10-p90] k/s" of rates in operations per second. */
export function rateSpread(s) {
  if (!s || !Number.isFinite(s.median)) return "n/a";
  const k = s.median >= 1000;
  const f = (v) => (k ? (v / 1000).toFixed(v >= 100_000 ? 0 : 1) : v.toFixed(0));
  return `${f(s.median)} [${f(s.p10)}-${f(s.p90)}] ${k ? "k/s" : "/s"}`;
}

export const MiB = (b) => (b / 1048576).toFixed(2);
export const KB = (b) => (b / 1000).toFixed(b >= 100_000 ? 0 : 2);

/** `--flag` present; positional numbers ignore flags. */
export function argv() {
  const args = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith("--")));
  const positional = args.filter((a) => !a.startsWith("--"));
  return { flags, positional, json: flags.has("--json"), quick: flags.has("--quick") };
}

/** With --json, the machine-readable result is the last stdout line (for bench/run.mjs). */
export function emitJson(result) {
  const line = `${JSON.stringify(result)}\n`;
  if (typeof Deno !== "undefined") Deno.stdout.writeSync(new TextEncoder().encode(line));
  else process.stdout.write(line);
}

/** Progress and human-readable tables go to stderr in --json mode, stdout otherwise. */
export function out(json) {
  return json ? (s = "") => console.error(s) : (s = "") => console.log(s);
}

/** Rotates `xs` by `i` (interleaving order per round). */
export function rotate(xs, i) {
  const k = ((i % xs.length) + xs.length) % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}
