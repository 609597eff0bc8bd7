// getAuthCode in a process of its own, for tests that need one: another runtime's driver,
// or a lower file-descriptor limit. Options come as JSON in the first argument. Prints
// {"port":N} once listening, then {"code":...} or {"error":CODE}, one JSON line each.
import * as lib from "oauth-callback-rs";

const args = globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2);
const options = JSON.parse(args[0] ?? "{}");
const print = (line) => console.log(JSON.stringify(line));
try {
  const result = await lib.getAuthCode({ port: 0, hostname: "127.0.0.1", timeout: 60_000, ...options, onListening: ({ port }) => print({ port }) });
  print({ code: result.code });
} catch (e) {
  print({ error: e?.code ?? String(e) });
}
