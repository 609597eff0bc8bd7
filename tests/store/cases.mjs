// Token store cases shared by Node, Bun and Deno. `fs` is a tiny file helper each
// runtime passes in (node:fs works in all three); `tmp` makes a fresh directory.
import { equal, ok, rejectsCode as rejects } from "../facade/assert.mjs";
import { peerCases } from "./peer-cases.mjs";


const KEY = new Uint8Array(32).map((_, i) => i * 7 + 1);

/** The behaviour every OAuthStore must have, run on a store factory. */
export function contract(name, make) {
  return [
    [`${name}: tokens, clients and verifiers are independent fields of a key`, async (lib, env) => {
      const s = await make(lib, env);
      equal(await s.get("a"), null, "empty");
      await s.set("a", { accessToken: "at", refreshToken: "rt", expiresAt: 123, scope: "x y" });
      await s.setClient("a", { clientId: "cid", redirectUris: ["http://127.0.0.1:1/cb"] });
      await s.setCodeVerifier("a", "v".repeat(43));
      equal((await s.get("a")).refreshToken, "rt", "tokens");
      equal((await s.getClient("a")).clientId, "cid", "client");
      equal(await s.getCodeVerifier("a"), "v".repeat(43), "verifier");
      await s.delete("a");
      equal(await s.get("a"), null, "tokens deleted");
      equal((await s.getClient("a")).clientId, "cid", "client survives deleting tokens");
      await s.deleteClient("a");
      await s.deleteCodeVerifier("a");
      equal(await s.getEntry("a"), null, "an empty entry disappears");
      ok(s[lib.OAuthStoreBrand] === true, "branded");
    }],

    [`${name}: update is atomic, can delete, and a throwing update changes nothing`, async (lib, env) => {
      const s = await make(lib, env);
      await s.set("k", { accessToken: "1" });
      await Promise.all(Array.from({ length: 25 }, () => s.update("n", (e) => ({ ...(e ?? {}), discovery: { count: ((e?.discovery?.count) ?? 0) + 1 } }))));
      equal((await s.getEntry("n")).discovery.count, 25, "25 concurrent updates, none lost");
      await rejects(lib, s.update("k", () => { throw new lib.OAuthCallbackError("INVALID_PARAMETER", "boom"); }), "INVALID_PARAMETER", "throwing fn");
      equal((await s.get("k")).accessToken, "1", "unchanged after a throwing update");
      equal(await s.update("k", () => undefined).then((e) => e.tokens.accessToken), "1", "undefined keeps");
      equal(await s.update("k", () => null), null, "null deletes");
      equal(await s.get("k"), null, "deleted");
      const before = await s.getEntry("n");
      before.discovery.count = 999;
      equal((await s.getEntry("n")).discovery.count, 25, "entries handed out are copies");
    }],

    [`${name}: keys are data, values are validated`, async (lib, env) => {
      const s = await make(lib, env);
      for (const key of ["__proto__", "constructor", "a\nb\u001b[2J", "https://as.example/ ä"]) {
        await s.set(key, { accessToken: key });
        equal((await s.get(key)).accessToken, key, `key ${JSON.stringify(key)}`);
      }
      equal(await s.get("toString"), null, "no prototype leakage");
      await rejects(lib, Promise.resolve().then(() => s.set("x", { refreshToken: "only" })), "INVALID_PARAMETER", "tokens without accessToken");
      await rejects(lib, Promise.resolve().then(() => s.set("", { accessToken: "a" })), "INVALID_PARAMETER", "empty key");
      await rejects(lib, Promise.resolve().then(() => s.setClient("x", {})), "INVALID_PARAMETER", "client without id");
      await rejects(lib, Promise.resolve().then(() => s.set("x", { accessToken: "a", expiresAt: "soon" })), "INVALID_PARAMETER", "bad expiresAt");
      const bound = lib.bindTokenStore(s, "bound");
      await bound.set({ accessToken: "b" });
      equal((await bound.get()).accessToken, "b", "bound get");
      await bound.clear();
      equal(await bound.get(), null, "bound clear");
    }],
  ];
}

export const storeCases = [
  ...contract("inMemoryStore", (lib) => lib.inMemoryStore()),
  ...contract("fileStore", (lib, env) => lib.fileStore(`${env.tmp()}/sub/dir/tokens.json`)),
  ...contract("fileStore (encrypted)", (lib, env) => lib.fileStore(`${env.tmp()}/tokens.enc`, { encryptionKey: KEY })),

  ["fileStore: directory 0700, file 0600, lock beside it, nothing in clear when encrypted", async (lib, env) => {
    const dir = `${env.tmp()}/new/deeper`;
    const s = lib.fileStore(`${dir}/t.json`, { encryptionKey: "correct horse battery staple" });
    await s.set("k", { accessToken: "secret-access-token", refreshToken: "secret-refresh" });
    equal(env.mode(dir), 0o700, "directory mode");
    equal(env.mode(`${dir}/t.json`), 0o600, "file mode");
    const text = env.read(`${dir}/t.json`);
    ok(text.startsWith("oauth-callback-rs encrypted store v1\n"), "envelope header");
    ok(!text.includes("secret"), "no token in clear");
    ok(!env.list(dir).some((n) => n.endsWith(".tmp")), "no temporary file left");
    const again = lib.fileStore(`${dir}/t.json`, { encryptionKey: "correct horse battery staple" });
    equal((await again.get("k")).refreshToken, "secret-refresh", "a new store (new derivation) reads it");
  }],

  ["fileStore: ~ is the home directory", async (lib, env) => {
    const sub = `.ocrs-test-${Math.random().toString(36).slice(2)}`;
    try {
      const s = lib.fileStore(`~/${sub}/tokens.json`);
      await s.set("k", { accessToken: "home" });
      ok(env.exists(`${env.home}/${sub}/tokens.json`), "written under the home directory");
    } finally {
      env.rm(`${env.home}/${sub}`);
    }
  }],

  ["fileStore: wrong key, tampering, truncation and garbage are typed and leave the file as it was", async (lib, env) => {
    const path = `${env.tmp()}/t.enc`;
    await lib.fileStore(path, { encryptionKey: KEY }).set("k", { accessToken: "a" });
    const original = env.read(path);
    const wrong = new Uint8Array(32).fill(9);
    await rejects(lib, lib.fileStore(path, { encryptionKey: wrong }).get("k"), "STORE_DECRYPT_FAILED", "wrong key");
    await rejects(lib, lib.fileStore(path, { encryptionKey: wrong }).set("k", { accessToken: "b" }), "STORE_DECRYPT_FAILED", "write with wrong key");
    await rejects(lib, lib.fileStore(path, { encryptionKey: KEY, keyName: "other" }).get("k"), "STORE_DECRYPT_FAILED", "wrong key name");
    await rejects(lib, lib.fileStore(path).get("k"), "STORE_KEY_REQUIRED", "no key");
    equal(env.read(path), original, "file untouched by failed writes");
    const lines = original.split("\n");
    const flipped = [...lines];
    flipped[5] = flipped[5].slice(0, 10) + (flipped[5][10] === "A" ? "B" : "A") + flipped[5].slice(11);
    env.write(path, flipped.join("\n"));
    await rejects(lib, lib.fileStore(path, { encryptionKey: KEY }).get("k"), "STORE_DECRYPT_FAILED", "tampered ciphertext");
    env.write(path, original.slice(0, original.length - 20));
    await rejects(lib, lib.fileStore(path, { encryptionKey: KEY }).get("k"), "STORE_CORRUPT", "truncated");
    ok(original.endsWith("\n"), "an envelope ends with a newline");
    env.write(path, original.slice(0, -1));
    await rejects(lib, lib.fileStore(path, { encryptionKey: KEY }).get("k"), "STORE_CORRUPT", "only the final newline cut off");
    equal(env.read(path), original.slice(0, -1), "left as it was");
    const plain = `${env.tmp()}/p.json`;
    env.write(plain, '{"format":"oauth-callback-rs/token-store","version":1,"entries":{"k":{"tokens":{"accessToken":"x"}}');
    const e = await rejects(lib, lib.fileStore(plain).get("k"), "STORE_CORRUPT", "truncated JSON");
    ok(e.message.includes(plain), "the error names the path");
    await rejects(lib, lib.fileStore(plain).set("k", { accessToken: "y" }), "STORE_CORRUPT", "no write over a corrupt file");
    ok(env.read(plain).endsWith('"x"}}'), "corrupt file left as it was");
    env.write(plain, '{"format":"oauth-callback-rs/token-store","version":2,"entries":{}}');
    await rejects(lib, lib.fileStore(plain).get("k"), "STORE_VERSION_UNSUPPORTED", "newer version");
    env.write(plain, '{"format":"oauth-callback-rs/token-store","version":1,"entries":{}}');
    await rejects(lib, lib.fileStore(plain, { encryptionKey: KEY }).get("k"), "STORE_NOT_ENCRYPTED", "plaintext where encryption is expected");
  }],

  ["fileStore: permissions, a directory in the way, an unwritable path, bad keys", async (lib, env) => {
    const path = `${env.tmp()}/t.json`;
    await lib.fileStore(path).set("k", { accessToken: "a" });
    env.chmod(path, 0o644);
    await rejects(lib, lib.fileStore(path).get("k"), "STORE_PERMISSIONS", "world-readable file");
    equal((await lib.fileStore(path, { allowInsecurePermissions: true }).get("k")).accessToken, "a", "opt-out");
    const dir = `${env.tmp()}/is-a-dir`;
    env.mkdir(dir);
    await rejects(lib, lib.fileStore(dir).get("k"), "STORE_IS_DIRECTORY", "directory where the file should be");
    await rejects(lib, lib.fileStore(dir).set("k", { accessToken: "a" }), "STORE_IS_DIRECTORY", "write to a directory");
    const denied = await rejects(lib, lib.fileStore("/proc/oauth-callback-rs/tokens.json").set("k", { accessToken: "a" }), env.deniedCode, "no permission");
    ok(denied.message.includes("/proc/oauth-callback-rs"), "names the path");
    for (const encryptionKey of [new Uint8Array(31), "short", 42]) {
      let err;
      try {
        await lib.fileStore(`${env.tmp()}/k.json`, { encryptionKey }).get("k");
      } catch (e) {
        err = e;
      }
      equal(err?.code, "INVALID_KEY", `bad key ${String(encryptionKey)}`);
    }
  }],

  ["fileStore: a long path is named whole in errors", async (lib, env) => {
    const deep = `${env.tmp()}/${"a-long-directory-name-".repeat(8)}/${"b".repeat(60)}`;
    env.mkdir(`${deep}/tokens.json`);
    const e = await rejects(lib, lib.fileStore(`${deep}/tokens.json`).get("k"), "STORE_IS_DIRECTORY", "directory in the way");
    ok(deep.length > 200, "the path is long");
    ok(e.message.includes(`${deep}/tokens.json`), `the whole path is in the message: ${e.message}`);
  }],

  ["fileStore: 10,000 concurrent set() calls in one process all succeed and all are kept", async (lib, env) => {
    const path = `${env.tmp()}/many.json`;
    const s = lib.fileStore(path, { lockTimeoutMs: 2000 });
    const n = 10_000;
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => s.set(`k${i}`, { accessToken: `t${i}` })));
    const failed = results.filter((r) => r.status === "rejected");
    equal(failed.length, 0, `no call failed (first: ${failed[0]?.reason})`);
    const doc = JSON.parse(env.read(path));
    equal(Object.keys(doc).length, n, "every key written");
    equal(doc.k9999.accessToken, "t9999", "the last one kept");
    equal((await s.get("k1234")).accessToken, "t1234", "read back");
  }],

  ["stores: updates in one batch see each other; a throwing one rejects alone", async (lib, env) => {
    for (const s of [lib.inMemoryStore(), lib.fileStore(`${env.tmp()}/batch.json`)]) {
      const bump = () => s.update("n", (e) => ({ ...(e ?? {}), discovery: { n: (e?.discovery?.n ?? 0) + 1 } }));
      const calls = [bump(), bump(), s.update("n", () => { throw new Error("boom"); }), bump(), s.update("n", () => 42), bump()];
      const settled = await Promise.allSettled(calls);
      equal(settled.map((r) => r.status).join(), "fulfilled,fulfilled,rejected,fulfilled,rejected,fulfilled", "only the bad ones rejected");
      equal(settled[5].value.discovery.n, 4, "the last update saw the three before it");
      equal((await s.getEntry("n")).discovery.n, 4, "all four kept");
    }
  }],

  ["inMemoryStore: reads do not parse the whole document again", async (lib) => {
    const s = lib.inMemoryStore();
    for (let i = 0; i < 300; i++) await s.set(`k${i}`, { accessToken: "x".repeat(3000) });
    const parse = JSON.parse;
    let big = 0;
    JSON.parse = (text, ...rest) => {
      if (text.length > 100_000) big++;
      return parse(text, ...rest);
    };
    try {
      for (let i = 0; i < 300; i++) await s.get(`k${i}`);
    } finally {
      JSON.parse = parse;
    }
    ok(big <= 1, `the ~1 MB document was parsed ${big} times for 300 reads`);
  }],

  ["fileStore: a misspelled encryptionKey is a typed error; nothing is written in clear", async (lib, env) => {
    const path = `${env.tmp()}/typo.json`;
    let err;
    try {
      await lib.fileStore(path, { encryptionkey: "correct horse battery staple" }).set("k", { accessToken: "secret" });
    } catch (e) {
      err = e;
    }
    equal(err?.code, "UNKNOWN_OPTION", `typed: ${err}`);
    ok(err.message.includes("did you mean `encryptionKey`"), err.message);
    ok(!env.exists(path), "no file written");
  }],

  ["fileStore: an option of the wrong type is INVALID_PARAMETER in every runtime; nothing is written", async (lib, env) => {
    const path = `${env.tmp()}/bad-options.json`;
    const bad = [{ keyName: 5 }, { allowInsecurePermissions: "yes" }, { lockTimeoutMs: -1 }, { lockTimeoutMs: Number.NaN }, { lockTimeoutMs: Number.POSITIVE_INFINITY }, { lockTimeoutMs: "5" }];
    for (const options of bad) {
      let err;
      try {
        await lib.fileStore(path, options).set("k", { accessToken: "a" });
      } catch (e) {
        err = e;
      }
      ok(err instanceof lib.OAuthCallbackError, `${JSON.stringify(options)}: the library's error, got ${err}`);
      equal(err.code, "INVALID_PARAMETER", `${JSON.stringify(options)}: typed`);
    }
    ok(!env.exists(path), "no file written");
    // A long lock timeout (past what one timer holds) is not a timeout at once.
    const s = lib.fileStore(path, { lockTimeoutMs: 2 ** 31 + 1000 });
    await s.set("k", { accessToken: "a" });
    equal((await s.get("k"))?.accessToken, "a", "a store with a long lock timeout works");
  }],

  ["fileStore: a FIFO, a link or a huge file is refused at once; the lock is never left held", async (lib, env) => {
    const dir = env.tmp();
    const fifo = `${dir}/fifo.json`;
    env.mkfifo(fifo);
    await rejects(lib, lib.fileStore(fifo).get("k"), "STORE_NOT_A_FILE", "a FIFO at the token path (read)");
    await rejects(lib, lib.fileStore(fifo).set("k", { accessToken: "a" }), "STORE_NOT_A_FILE", "a FIFO at the token path (write)");
    env.rm(fifo);
    await lib.fileStore(fifo, { lockTimeoutMs: 1000 }).set("k", { accessToken: "a" });
    equal((await lib.fileStore(fifo).get("k")).accessToken, "a", "the lock was released: the next write goes through");

    const fifoLock = `${dir}/fifo-lock.json`;
    env.mkfifo(`${fifoLock}.lock`);
    await rejects(lib, lib.fileStore(fifoLock).set("k", { accessToken: "a" }), "STORE_NOT_A_FILE", "a FIFO at the lock path");

    const linked = `${dir}/linked.json`;
    const target = `${dir}/created-by-the-link`;
    env.symlink(target, `${linked}.lock`);
    await rejects(lib, lib.fileStore(linked).set("k", { accessToken: "a" }), "STORE_NOT_A_FILE", "a dangling symlink at the lock path");
    ok(!env.exists(target), "the link's target was not created");

    const huge = `${dir}/huge.json`;
    env.sparse(huge, 17 * 1024 * 1024);
    const e = await rejects(lib, lib.fileStore(huge).get("k"), "STORE_TOO_LARGE", "a 17 MB token file");
    ok(e.message.includes("17825792 bytes"), e.message);
  }],

  ["fileStore: a directory other users can write to is refused unless allowed", async (lib, env) => {
    const dir = `${env.tmp()}/open`;
    env.mkdir(dir);
    await lib.fileStore(`${dir}/t.json`).set("k", { accessToken: "a" });
    env.chmod(dir, 0o777);
    await rejects(lib, lib.fileStore(`${dir}/t.json`).get("k"), "STORE_PERMISSIONS", "read");
    await rejects(lib, lib.fileStore(`${dir}/t.json`).set("k", { accessToken: "b" }), "STORE_PERMISSIONS", "write");
    equal((await lib.fileStore(`${dir}/t.json`, { allowInsecurePermissions: true }).get("k")).accessToken, "a", "the opt-out");
    env.chmod(dir, 0o700);
  }],

  ["errors print their class names as written", (lib) => {
    equal(new lib.OAuthCallbackError("STORE_IO", "x").constructor.name, "OAuthCallbackError", "OAuthCallbackError");
    equal(new lib.OAuthError("x").constructor.name, "OAuthError", "OAuthError");
    equal(new lib.TimeoutError().constructor.name, "TimeoutError", "TimeoutError");
  }],

  ...peerCases,
];
