// One process of tests/client/processes.test.mjs, in Node, Bun or Deno:
//   refresh-worker.mjs <issuer> <store path> <client id>
// Builds an OAuthClient on the shared file store, prints "ready", waits for "go" on
// stdin, then calls getValidToken() and prints a digest of the token it got.
import * as lib from "oauth-callback-rs";

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [issuer, path, clientId] = args;
const client = new lib.OAuthClient({ issuer, clientId, scopes: ["openid"], storage: lib.fileStore(path, { lockTimeoutMs: 60_000 }), openBrowser: false });
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
const token = await client.getValidToken();
const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
console.log(JSON.stringify({ fingerprint: [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("") }));
(globalThis.Deno ?? process).exit(0);
