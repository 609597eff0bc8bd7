// One process of tests/client/processes.test.mjs, in Node, Bun or Deno:
//   refresh-worker.mjs <issuer> <store path> <client id | "register">
// Builds an OAuthClient on the shared file store, prints "ready", waits for "go" on
// stdin, then calls getValidToken() (with a client id) or signs in as a headless user
// (with "register": the client registers itself), and prints a digest of the token.
import * as lib from "oauth-callback-rs";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [issuer, path, clientId] = args;
const register = clientId === "register";
const client = new lib.OAuthClient({
  issuer,
  ...(register ? {} : { clientId }),
  scopes: ["openid"],
  storage: lib.fileStore(path, { lockTimeoutMs: 60_000 }),
  ...(register ? { launch: (url) => headlessSignIn(url) } : { openBrowser: false }),
});
await client.discover();

async function go() {
  if (globalThis.Deno) {
    for await (const chunk of Deno.stdin.readable) if (new TextDecoder().decode(chunk).includes("go")) return;
    return;
  }
  await new Promise((resolve) => process.stdin.on("data", (d) => String(d).includes("go") && resolve()));
}

console.log("ready");
await go();
const token = register ? (await client.authenticate()).accessToken : await client.getValidToken();
const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
console.log(JSON.stringify({ fingerprint: [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("") }));
(globalThis.Deno ?? process).exit(0);
