// redisStore cases shared by Node, Bun and Deno: the store contract every OAuthStore passes
// (tests/store/cases.mjs, reused as it is), plain and encrypted, then what only Redis has:
// typed connection and credential errors, values another version or key wrote, nothing
// in clear with a key. `env.redis` is a running server (server.mjs); `env.track(store)`
// closes the store after the case.
import { contract } from "../store/cases.mjs";
import { equal, ok, rejectsCode as rejects, throwsCode } from "../facade/assert.mjs";
import { createClient } from "@redis/client";

const KEY = new Uint8Array(32).map((_, i) => i * 5 + 3);
let unique = 0;
/** A prefix no other case (or runtime, or run) uses on the shared server. */
const prefix = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}${unique++}:`;

/** A plain client on the test server, to look at and plant raw values. */
async function raw(env) {
  const c = createClient({ url: env.redis.url });
  c.on("error", () => undefined);
  await c.connect();
  return c;
}

const store = (lib, env, options = {}) => env.track(lib.redisStore({ url: env.redis.url, prefix: prefix(), ...options }));

export const redisCases = [
  ...contract("redisStore", (lib, env) => store(lib, env)),
  ...contract("redisStore (encrypted)", (lib, env) => store(lib, env, { encryptionKey: KEY })),
  ...contract("redisStore (given client)", async (lib, env) => {
    const c = await raw(env);
    env.track({ close: () => c.close() });
    return lib.redisStore({ client: c, prefix: prefix() });
  }),

  ["redisStore: bad options are typed errors, and nothing is written or connected", async (lib, env) => {
    throwsCode(lib, () => lib.redisStore({}), "INVALID_PARAMETER", "neither url nor client");
    throwsCode(lib, () => lib.redisStore({ url: env.redis.url, client: { sendCommand: async () => null } }), "INVALID_PARAMETER", "both");
    throwsCode(lib, () => lib.redisStore({ url: "http://127.0.0.1:1" }), "INVALID_URL", "not redis://");
    const bad = throwsCode(lib, () => lib.redisStore({ url: "redis://:hunter2-secret@[bad" }), "INVALID_URL", "unparsable");
    ok(!bad.message.includes("hunter2"), "the password is not in the message");
    throwsCode(lib, () => lib.redisStore({ url: env.redis.url, encryptionkey: KEY }), "UNKNOWN_OPTION", "misspelled encryptionKey");
    throwsCode(lib, () => lib.redisStore({ url: env.redis.url, encryptionKey: 42 }), "INVALID_KEY", "key of the wrong type");
    throwsCode(lib, () => lib.redisStore({ url: env.redis.url, encryptionKey: new Uint8Array(31) }), "INVALID_KEY", "31-byte key");
    throwsCode(lib, () => lib.redisStore({ url: env.redis.url, prefix: "a{b}" }), "INVALID_PARAMETER", "braces in the prefix");
    throwsCode(lib, () => lib.redisStore({ url: env.redis.url, leaseMs: 0 }), "INVALID_PARAMETER", "zero lease");
    throwsCode(lib, () => lib.redisStore({ url: env.redis.url, lockTimeoutMs: -1 }), "INVALID_PARAMETER", "negative wait");
    throwsCode(lib, () => lib.redisStore({ client: {} }), "INVALID_PARAMETER", "a client without sendCommand");
    const s = store(lib, env);
    await rejects(lib, s.update("k", "not a function"), "INVALID_PARAMETER", "update without a function");
    await rejects(lib, s.update("k", () => 42), "INVALID_PARAMETER", "update returning a number");
    equal(await s.getEntry("k"), null, "nothing written");
  }],

  ["redisStore: connection refused and a wrong password are typed, without the password", async (lib, env) => {
    const refused = env.track(lib.redisStore({ url: `redis://:pw-secret@127.0.0.1:1`, connectTimeoutMs: 2000 }));
    const err = await rejects(lib, refused.get("a"), "STORE_UNAVAILABLE", "nothing listens on port 1");
    ok(!err.message.includes("pw-secret"), "no password in the message");
    const guarded = env.redisWithPassword;
    const wrong = env.track(lib.redisStore({ url: guarded.url.replace(/:[^:@/]+@/, ":not-the-password@"), prefix: prefix() }));
    const denied = await rejects(lib, wrong.set("a", { accessToken: "x" }), "STORE_AUTH_FAILED", "wrong password");
    ok(!denied.message.includes("not-the-password"), "no password in the message");
    const none = env.track(lib.redisStore({ url: guarded.url.replace(/:[^:@/]+@/, ""), prefix: prefix() }));
    await rejects(lib, none.get("a"), "STORE_AUTH_FAILED", "no password");
    const right = env.track(lib.redisStore({ url: guarded.url, prefix: prefix() }));
    await right.set("a", { accessToken: "x" });
    equal((await right.get("a")).accessToken, "x", "the right password works");
    const closed = store(lib, env);
    await closed.set("a", { accessToken: "x" });
    await closed.close();
    await rejects(lib, closed.get("a"), "STORE_UNAVAILABLE", "a closed store");
  }],

  ["redisStore: encrypted values hold no token in clear; a missing or wrong key is refused", async (lib, env) => {
    const p = prefix();
    const s = env.track(lib.redisStore({ url: env.redis.url, prefix: p, encryptionKey: KEY }));
    await s.set("https://as.example/", { accessToken: "secret-access-token", refreshToken: "secret-refresh" });
    const c = await raw(env);
    try {
      const keys = await c.keys(`${p}*`);
      equal(keys.length, 1, `one Redis key: ${keys}`);
      equal(keys[0], `${p}{https://as.example/}`, "the entry's key carries the hash tag");
      const value = await c.get(keys[0]);
      ok(value.startsWith("oauth-callback-rs encrypted store v1\n"), "the file store's envelope");
      ok(!value.includes("secret"), "no token in clear");
      await rejects(lib, env.track(lib.redisStore({ url: env.redis.url, prefix: p })).get("https://as.example/"), "STORE_KEY_REQUIRED", "no key");
      const other = new Uint8Array(32).fill(9);
      await rejects(lib, env.track(lib.redisStore({ url: env.redis.url, prefix: p, encryptionKey: other })).get("https://as.example/"), "STORE_DECRYPT_FAILED", "wrong key");
      const plain = env.track(lib.redisStore({ url: env.redis.url, prefix: p }));
      await plain.set("clear", { accessToken: "x" });
      await rejects(lib, s.get("clear"), "STORE_NOT_ENCRYPTED", "a plain value under a key");
      // An encrypted value copied under another key is refused, not handed out.
      await c.set(`${p}{victim}`, value);
      await rejects(lib, s.get("victim"), "STORE_CORRUPT", "a value moved from another key");
    } finally {
      await c.close();
    }
  }],

  ["redisStore: keys with braces stay in one slot and distinct; foreign values are typed and left as they are", async (lib, env) => {
    const p = prefix();
    const s = env.track(lib.redisStore({ url: env.redis.url, prefix: p }));
    for (const key of ["}{", "{a}", "%7Ba%7D", "%"]) await s.set(key, { accessToken: key });
    for (const key of ["}{", "{a}", "%7Ba%7D", "%"]) equal((await s.get(key)).accessToken, key, `key ${key}`);
    const c = await raw(env);
    try {
      const keys = await c.keys(`${p}*`);
      equal(keys.length, 4, "four distinct Redis keys");
      for (const k of keys) ok(/^[^{}]*\{[^{}]+\}$/.test(k), `one hash tag in ${k}`);
      await c.set(`${p}{newer}`, JSON.stringify({ format: "oauth-callback-rs/token-store", version: 99, entries: {} }));
      await rejects(lib, s.get("newer"), "STORE_VERSION_UNSUPPORTED", "a value a newer version wrote");
      await rejects(lib, s.update("newer", () => ({ discovery: {} })), "STORE_VERSION_UNSUPPORTED", "update refuses it too");
      await c.set(`${p}{junk}`, "{not json");
      await rejects(lib, s.get("junk"), "STORE_CORRUPT", "junk");
      await rejects(lib, s.set("junk", { accessToken: "x" }), "STORE_CORRUPT", "set over junk");
      equal(await c.get(`${p}{junk}`), "{not json", "left as it was");
      equal(await c.exists(`${p}{junk}:lock`), 0, "the lock was released");
    } finally {
      await c.close();
    }
  }],

  ["redisStore: a lock held elsewhere makes update wait, then STORE_LOCK_TIMEOUT; a lease that runs out cannot write", async (lib, env) => {
    const p = prefix();
    const c = await raw(env);
    try {
      await c.set(`${p}{k}:lock`, "someone-else", { PX: 60_000 });
      const s = env.track(lib.redisStore({ url: env.redis.url, prefix: p, lockTimeoutMs: 50 }));
      await rejects(lib, s.set("k", { accessToken: "x" }), "STORE_LOCK_TIMEOUT", "held by another owner");
      equal(await c.get(`${p}{k}:lock`), "someone-else", "another owner's lock is not released");
      await c.del(`${p}{k}:lock`);
      // Within one process: the lease runs out while the update still computes.
      const short = env.track(lib.redisStore({ url: env.redis.url, prefix: p, leaseMs: 20 }));
      await short.set("k", { accessToken: "before" });
      const lost = short.update("k", async (e) => {
        while ((await c.exists(`${p}{k}:lock`)) === 1) await new Promise((r) => setTimeout(r, 5));
        await c.set(`${p}{k}:lock`, "next-holder", { PX: 60_000 });
        return { ...e, tokens: { accessToken: "stale" } };
      });
      await rejects(lib, lost, "STORE_LOCK_LOST", "fenced write");
      equal(await c.get(`${p}{k}:lock`), "next-holder", "the next holder's lock is untouched");
      await c.del(`${p}{k}:lock`);
      equal((await short.get("k")).accessToken, "before", "nothing written");
    } finally {
      await c.close();
    }
  }],

  ["redisStore: the root import does not load @redis/client", async (lib, env) => {
    ok(typeof lib.redisStore === "function", "exported");
    ok(env.rootImportLoadsNoRedis === undefined || env.rootImportLoadsNoRedis(), "a fresh process importing the root has not loaded @redis/client");
  }],
];
