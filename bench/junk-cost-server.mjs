// A login waiting on PORT, for bench/junk-cost.mjs: `ours` (oauth-callback-rs, in Node or
// Deno) or `peer` (oauth-callback 2.2.1, Node). Prints a line once it listens; exits when
// the flow ends (the bench sends the callback).
//
//   node bench/junk-cost-server.mjs ours|peer PORT
//   deno run ... [--allow-ffi] bench/junk-cost-server.mjs ours PORT
const args = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const [which, portText] = args;
const port = Number(portText);
const lib = which === "peer" ? await import("oauth-callback") : await import("oauth-callback-rs");
const done = lib.getAuthCode({ port, hostname: "127.0.0.1", timeout: 600_000 });
// oauth-callback-rs listens when getAuthCode returns; oauth-callback a moment later, so
// wait until the port accepts before saying so.
const { connect } = await import("node:net");
for (;;) {
  const ok = await new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
  if (ok) break;
  await new Promise((resolve) => setTimeout(resolve, 5));
}
console.log("listening");
await done.catch(() => undefined);
if (typeof Deno !== "undefined") Deno.exit(0);
process.exit(0);
