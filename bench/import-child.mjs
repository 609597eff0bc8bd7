// One measurement in a fresh process: time and RSS growth of importing a subject and, for
// the "+ PKCE" subjects, of its first protocol call (one verifier and its S256 challenge).
// Prints one JSON line. Peers resolve from bench/node_modules (bench/package.json).
//
//   node bench/import-child.mjs SUBJECT      (SUBJECT: a key of `subjects` below)
//
// Older form, still accepted: node bench/import-child.mjs SPEC [import|pkce|listener].
const subjects = {
  none: async () => {},
  ours: () => import("oauth-callback-rs"),
  "ours-mcp": () => import("oauth-callback-rs/mcp"),
  "ours-pkce": async () => {
    const m = await import("oauth-callback-rs");
    m.generatePkce();
  },
  "ours-listener": async () => {
    const m = await import("oauth-callback-rs");
    m.bindLoopback({ port: 0 }).close();
  },
  // Attribution: what the first protocol call spends compiling the Node wasm module.
  "wasm-compile": async () => {
    const { readFileSync } = await import("node:fs");
    new WebAssembly.Module(readFileSync(new URL("../npm/wasm/oauth_callback_wasm_bg.wasm", import.meta.url)));
  },
  "oauth-callback": () => import("oauth-callback"),
  "oauth-callback-mcp": () => import("oauth-callback/mcp"),
  oauth4webapi: () => import("oauth4webapi"),
  "oauth4webapi-pkce": async () => {
    const m = await import("oauth4webapi");
    await m.calculatePKCECodeChallenge(m.generateRandomCodeVerifier());
  },
  "openid-client": () => import("openid-client"),
  "openid-client-pkce": async () => {
    const m = await import("openid-client");
    await m.calculatePKCECodeChallenge(m.randomPKCECodeVerifier());
  },
  "node-crypto-pkce": async () => {
    const { randomBytes, createHash } = await import("node:crypto");
    createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
  },
};

let [key, mode] = process.argv.slice(2);
if (!(key in subjects)) {
  // SPEC MODE (the first version of this script)
  key = key === "oauth-callback-rs" ? ({ pkce: "ours-pkce", listener: "ours-listener" }[mode] ?? "ours") : key;
  if (!(key in subjects)) throw new Error(`unknown subject ${key}: one of ${Object.keys(subjects).join(", ")}`);
}
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
await subjects[key]();
const ms = performance.now() - t0;
const rss = process.memoryUsage().rss - rss0;
process.stdout.write(`${JSON.stringify({ ms, rss })}\n`);
