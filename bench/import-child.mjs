// One measurement in a fresh process: time and RSS growth of importing `spec` and, with
// a mode, of its first real use. Prints one JSON line.
const [spec, mode = "import"] = process.argv.slice(2);
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
if (spec !== "none") {
  const m = await import(spec);
  if (mode === "pkce") m.generatePkce();
  if (mode === "listener") m.bindLoopback({ port: 0 }).close();
}
const ms = performance.now() - t0;
const rss = process.memoryUsage().rss - rss0;
process.stdout.write(`${JSON.stringify({ ms, rss })}\n`);
