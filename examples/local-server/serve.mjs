// A local authorization server to try oauth-callback-rs against: oidc-provider on
// 127.0.0.1 (provider.mjs), with discovery, dynamic registration, PKCE, refresh rotation,
// the device flow, revocation, UserInfo and signed ID tokens. Any login and password sign
// in. Stays up until Ctrl-C.
//
//   node examples/local-server/serve.mjs          # http://127.0.0.1:4499
//   node examples/local-server/serve.mjs 0        # a free port
import { PUBLIC_CLIENT, startProvider } from "./provider.mjs";

const port = Number(process.argv[2] ?? process.env.PORT ?? 4499);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`usage: node examples/local-server/serve.mjs [port]   (got ${process.argv[2]})`);
  process.exit(2);
}

let server;
try {
  server = await startProvider({ port });
} catch (err) {
  console.error(`cannot listen on 127.0.0.1:${port}: ${err.code ?? err.message}${err.code === "EADDRINUSE" ? " (another server runs there: stop it, or pass another port)" : ""}`);
  process.exit(1);
}
console.log(`issuer: ${server.issuer}`);
console.log(`  clients register themselves (RFC 7591), or use the pre-registered public client "${PUBLIC_CLIENT}"`);
console.log("  sign in with any login and password; Ctrl-C stops the server");

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
