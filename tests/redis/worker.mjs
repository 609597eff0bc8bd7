// One process of tests/redis/processes.test.mjs (and measure.mjs), in Node, Bun or Deno:
//   worker.mjs <mode> <json options>
// Prints "ready", waits for "go" on stdin, then:
//   count:   `n` increments of one entry's counter; prints {"done": n} (with `timeline`:
//            when each update's function started and ended, for the hand-over figure)
//   refresh: OAuthClient.getValidToken() on the shared store; prints a digest of the token
//   hold:    one update whose function prints "holding" and waits for "wake" on stdin,
//            then tries to write; prints {"code": ...} or {"done": true}
//   churn:   increments until "finish" arrives on stdin and `n` have succeeded, through
//            Redis going away; prints "ok K" after each success, "failure CODE" after each
//            failure, and at the end {"ok": K, "failures": {...}}
// Tokens are never printed, only digests.
import * as lib from "oauth-callback-rs";

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [mode, json] = args;
const o = JSON.parse(json);
const key = o.key ?? "shared";
const options = { url: o.url, prefix: o.prefix, ...(o.encryptionKey ? { encryptionKey: new Uint8Array(o.encryptionKey) } : {}), ...(o.store ?? {}) };
const store = lib.redisStore(options);
const out = (line) => console.log(typeof line === "string" ? line : JSON.stringify(line));
const exit = (code) => (globalThis.Deno ?? process).exit(code);
const now = () => performance.timeOrigin + performance.now();

/** Lines from stdin, one at a time. */
const lines = (async function* () {
  let buffer = "";
  const decoder = new TextDecoder();
  const chunks = globalThis.Deno ? Deno.stdin.readable : process.stdin;
  for await (const chunk of chunks) {
    buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk);
    let i;
    while ((i = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
    }
  }
})();
async function waitFor(word) {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`stdin closed before "${word}"`);
    if (value.trim() === word) return;
  }
}

const increment = (e) => ({ ...(e ?? {}), discovery: { ...(e?.discovery ?? {}), count: (e?.discovery?.count ?? 0) + 1 } });

let client;
if (mode === "refresh") {
  client = new lib.OAuthClient({ issuer: o.issuer, clientId: o.clientId, scopes: ["openid"], storage: store, openBrowser: false });
  await client.discover();
}
out("ready");
await waitFor("go");

try {
  if (mode === "count") {
    const timeline = [];
    for (let i = 0; i < o.n; i++) {
      await store.update(key, (e) => {
        const start = now();
        const next = increment(e);
        if (o.timeline) timeline.push([start, now()]);
        return next;
      });
    }
    out({ done: o.n, ...(o.timeline ? { timeline } : {}) });
  } else if (mode === "refresh") {
    const token = await client.getValidToken();
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
    out({ fingerprint: [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("") });
  } else if (mode === "hold") {
    try {
      await store.update(key, async (e) => {
        out("holding");
        await waitFor("wake");
        return { ...(e ?? {}), tokens: { accessToken: o.value } };
      });
      out({ done: true });
    } catch (err) {
      out({ code: err?.code ?? String(err) });
    }
  } else if (mode === "churn") {
    const failures = {};
    let ok = 0;
    let finish = false;
    waitFor("finish").then(() => (finish = true));
    while (!finish || ok < o.n) {
      try {
        await store.update(key, increment);
        ok++;
        out(`ok ${ok}`);
      } catch (err) {
        const code = err instanceof lib.OAuthCallbackError ? err.code : `untyped ${err?.name}: ${err?.message}`;
        failures[code] = (failures[code] ?? 0) + 1;
        out(`failure ${code}`);
        // Not for correctness: only keeps a worker from spinning while Redis is away.
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    out({ ok, failures });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await store.close();
}
exit(0);
