// Plain token files shared with the peer package, `oauth-callback` (its own fileStore,
// from node_modules): run in Node, Bun and Deno through cases.mjs. `env.peer` is the
// peer module; `env.read` gives a file's exact text.
import { equal, ok, rejectsCode as rejects } from "../facade/assert.mjs";

const RESERVED = "__oauth-callback-rs__";
const show = (v) => JSON.stringify(v);


/** The same calls on any TokenStore, in order, so two stores can be compared. */
async function sameSets(store) {
  await store.set("https://mcp.example.com/", { accessToken: "at-1", refreshToken: "rt-1", expiresAt: 1_900_000_000_000, scope: "read write" });
  await store.set("server-b", { accessToken: "at-b" });
  await store.set("42", { accessToken: "numeric-looking key", expiresAt: 5 });
  await store.set("https://mcp.example.com/", { accessToken: "at-2", refreshToken: "rt-2" });
  await store.delete("server-b");
  await store.set("server-b", { scope: "scope first", accessToken: "at-b2" });
  await store.set("ä \u001b[2J", { accessToken: "odd key" });
  await store.delete("never-set");
}

export const peerCases = [
  ["plain fileStore: reads a file oauth-callback wrote, every field", async (lib, env) => {
    const path = `${env.tmp()}/peer.json`;
    const peer = env.peer.fileStore(path);
    const full = { accessToken: "peer-at", refreshToken: "peer-rt", expiresAt: 1_800_000_000_123, scope: "a b" };
    await peer.set("https://mcp.example.com", full);
    await peer.set("bare", { accessToken: "only-access" });
    const ours = lib.fileStore(path);
    equal(show(await ours.get("https://mcp.example.com")), show(full), "all four fields");
    equal(show(await ours.get("bare")), show({ accessToken: "only-access" }), "no optional fields");
    equal(show(await ours.getEntry("bare")), show({ tokens: { accessToken: "only-access" } }), "the entry is the tokens");
    equal(await ours.getClient("bare"), null, "no client");
    equal(await ours.get("missing"), null, "a missing key");
  }],

  ["plain fileStore: tokens only, the file is byte-identical to oauth-callback's and it reads ours", async (lib, env) => {
    const dir = env.tmp();
    await sameSets(env.peer.fileStore(`${dir}/peer.json`));
    await sameSets(lib.fileStore(`${dir}/ours.json`));
    const theirs = env.read(`${dir}/peer.json`);
    equal(env.read(`${dir}/ours.json`), theirs, "same bytes");
    ok(!theirs.endsWith("\n") && !theirs.includes(RESERVED), "the peer's text: no final newline, no reserved key");
    equal(env.mode(`${dir}/ours.json`), 0o600, "still 0600");
    const peerReadsOurs = env.peer.fileStore(`${dir}/ours.json`);
    equal(show(await peerReadsOurs.get("https://mcp.example.com/")), show({ accessToken: "at-2", refreshToken: "rt-2" }), "the peer reads ours");
    equal((await peerReadsOurs.get("server-b")).scope, "scope first", "and every key");
    // What `update` stamps on a tokens-only entry is not kept in the peer's layout.
    const updated = await lib.fileStore(`${dir}/ours.json`).update("42", (e) => ({ ...e, tokens: { accessToken: "via update" } }));
    equal(show(updated), show({ tokens: { accessToken: "via update" } }), "update returns the entry as the file keeps it");
    await env.peer.fileStore(`${dir}/peer.json`).set("42", { accessToken: "via update" });
    equal(env.read(`${dir}/ours.json`), env.read(`${dir}/peer.json`), "same bytes after update");
  }],

  ["plain fileStore: client and verifier survive oauth-callback's set and delete", async (lib, env) => {
    const path = `${env.tmp()}/shared.json`;
    const ours = lib.fileStore(path);
    await ours.set("srv", { accessToken: "ours-at", refreshToken: "ours-rt" });
    await ours.setClient("srv", { clientId: "cid", clientSecret: "cs", redirectUris: ["http://127.0.0.1:1/cb"] });
    await ours.setCodeVerifier("srv", "v".repeat(43));
    await ours.setClient("client-only", { clientId: "c2" });
    await ours.set("plain", { accessToken: "tokens only" });
    const doc = JSON.parse(env.read(path));
    equal(show(doc.srv), show({ accessToken: "ours-at", refreshToken: "ours-rt" }), "tokens at the top level");
    equal(doc[RESERVED].format, "oauth-callback-rs/extras", "one reserved record");
    equal(doc[RESERVED].version, 1, "versioned");
    equal(show(Object.keys(doc[RESERVED].entries)), show(["srv", "client-only"]), "only entries with extras");
    ok(typeof doc[RESERVED].entries.srv.updatedAt === "number", "updatedAt kept beside the extras");
    equal(doc[RESERVED].entries.srv.tokens, undefined, "tokens are not duplicated");

    const peer = env.peer.fileStore(path);
    equal((await peer.get("srv")).refreshToken, "ours-rt", "the peer reads our tokens");
    await peer.set("other", { accessToken: "peer-at" });
    await peer.delete("srv");
    await peer.delete("plain");

    const again = lib.fileStore(path);
    equal(await again.get("srv"), null, "the peer's delete took effect");
    equal(await again.get("plain"), null, "the peer deleted a tokens-only key");
    equal((await again.getClient("srv")).clientSecret, "cs", "client kept");
    equal(await again.getCodeVerifier("srv"), "v".repeat(43), "verifier kept");
    equal((await again.getClient("client-only")).clientId, "c2", "an entry without tokens kept");
    equal((await again.get("other")).accessToken, "peer-at", "the peer's new key");
    equal((await again.getEntry("plain")), null, "no entry left for a deleted tokens-only key");
    // Our next write puts the peer's key before the reserved record again, and keeps it.
    await again.deleteCodeVerifier("srv");
    const rewritten = JSON.parse(env.read(path));
    equal(show(Object.keys(rewritten)), show(["other", RESERVED]), "keys after our rewrite");
    equal((await env.peer.fileStore(path).get("other")).accessToken, "peer-at", "the peer still reads it");
  }],

  ["plain fileStore: without a path it is oauth-callback's default, ~/.mcp/tokens.json", async (lib, env) => {
    const home = env.isolatedHome ? env.home : env.tmp();
    const file = `${home}/.mcp/tokens.json`;
    env.rm(`${home}/.mcp`);
    if (env.isolatedHome) {
      await lib.fileStore().set("k", { accessToken: "default-path" });
      equal((await env.peer.fileStore().get("k")).accessToken, "default-path", "the peer's fileStore() reads it");
    } else {
      // This runtime cannot move HOME in-process: a child process with HOME set does it.
      env.putWithHome(home, "k", "default-path");
    }
    ok(env.exists(file), `written to ${file}`);
    equal(env.mode(`${home}/.mcp`), 0o700, "directory 0700");
    equal(show(JSON.parse(env.read(file))), show({ k: { accessToken: "default-path" } }), "in the peer's layout");
    equal((await env.peer.fileStore(file).get("k")).accessToken, "default-path", "the peer reads it at that path");
    env.rm(`${home}/.mcp`);
  }],

  ["plain fileStore: the previous versioned layout is read, and rewritten in the peer's layout", async (lib, env) => {
    const path = `${env.tmp()}/old.json`;
    const old = {
      format: "oauth-callback-rs/token-store",
      version: 1,
      entries: {
        a: { tokens: { accessToken: "old-a", refreshToken: "old-rt" }, updatedAt: 1 },
        b: { client: { clientId: "old-client" }, codeVerifier: "w".repeat(43), discovery: { issuer: "https://as.example" }, updatedAt: 2 },
      },
    };
    env.write(path, `${JSON.stringify(old, null, 2)}\n`);
    const ours = lib.fileStore(path);
    equal((await ours.get("a")).refreshToken, "old-rt", "tokens read");
    equal((await ours.getClient("b")).clientId, "old-client", "client read");
    equal(show(await ours.getEntry("b")), show(old.entries.b), "a whole entry read");
    ok(env.read(path).includes('"format": "oauth-callback-rs/token-store"'), "reading does not rewrite");
    await ours.set("c", { accessToken: "new-c" });
    const doc = JSON.parse(env.read(path));
    equal(doc.format, undefined, "the old top-level format is gone");
    equal(show(Object.keys(doc)), show(["a", "c", RESERVED]), "tokens at the top level, then the reserved record");
    equal(show(doc.a), show(old.entries.a.tokens), "a's tokens");
    equal(show(doc[RESERVED].entries.b), show(old.entries.b), "b's record as it was");
    equal(doc[RESERVED].entries.a, undefined, "a tokens-only entry has no record");
    const peer = env.peer.fileStore(path);
    equal((await peer.get("a")).accessToken, "old-a", "the peer reads the migrated file");
    equal(show(await lib.fileStore(path).getEntry("b")), show(old.entries.b), "b still reads back whole");
  }],

  ["plain fileStore: each corrupt shape is STORE_CORRUPT naming the path, and the bytes stay", async (lib, env) => {
    const peerText = '{\n  "a": {\n    "accessToken": "x"\n  }\n}';
    const reserved = (record) => JSON.stringify({ a: { accessToken: "x" }, [RESERVED]: record });
    const shapes = {
      "invalid JSON": "{not json",
      "an empty file": "",
      "truncated": peerText.slice(0, peerText.length - 3),
      "a top-level array": '[{"accessToken":"x"}]',
      "a top-level string": '"tokens"',
      "a top-level null": "null",
      "a top-level number": "42",
      "a key mapped to a string": '{"a":{"accessToken":"x"},"b":"not tokens"}',
      "a key mapped to null": '{"a":null}',
      "a key mapped to an array": '{"a":[]}',
      "a reserved record of an unknown format": reserved({ format: "someone-else/v9", version: 1, entries: {} }),
      "a reserved record that is tokens": reserved({ accessToken: "x" }),
      "a reserved record without entries": reserved({ format: "oauth-callback-rs/extras", version: 1 }),
      "a reserved record with a bad version": reserved({ format: "oauth-callback-rs/extras", version: "1", entries: {} }),
      "a reserved entry that is not an object": reserved({ format: "oauth-callback-rs/extras", version: 1, entries: { a: 5 } }),
      "a reserved entry holding tokens": reserved({ format: "oauth-callback-rs/extras", version: 1, entries: { a: { tokens: { accessToken: "y" } } } }),
      "the old layout without entries": '{"format":"oauth-callback-rs/token-store","version":1}',
    };
    const dir = env.tmp();
    for (const [what, text] of Object.entries(shapes)) {
      const path = `${dir}/${what.replace(/ /g, "-")}.json`;
      env.write(path, text);
      const store = lib.fileStore(path);
      const e = await rejects(lib, store.get("a"), "STORE_CORRUPT", `${what}: get`);
      ok(e.message.includes(path), `${what}: the message names the path`);
      await rejects(lib, store.set("a", { accessToken: "overwrite" }), "STORE_CORRUPT", `${what}: set`);
      await rejects(lib, store.setClient("z", { clientId: "c" }), "STORE_CORRUPT", `${what}: setClient`);
      equal(env.read(path), text, `${what}: the bytes are unchanged`);
    }
    const newer = `${dir}/newer.json`;
    const newerText = reserved({ format: "oauth-callback-rs/extras", version: 2, entries: {} });
    env.write(newer, newerText);
    await rejects(lib, lib.fileStore(newer).get("a"), "STORE_VERSION_UNSUPPORTED", "a newer reserved record");
    await rejects(lib, lib.fileStore(newer).set("a", { accessToken: "y" }), "STORE_VERSION_UNSUPPORTED", "no write over a newer record");
    equal(env.read(newer), newerText, "the newer file is unchanged");
  }],

  ["plain fileStore: the reserved key is refused; stores without the peer's layout accept it", async (lib, env) => {
    const path = `${env.tmp()}/t.json`;
    const plain = lib.fileStore(path);
    await plain.set("k", { accessToken: "a" });
    const before = env.read(path);
    const calls = {
      get: () => plain.get(RESERVED),
      set: () => plain.set(RESERVED, { accessToken: "a" }),
      delete: () => plain.delete(RESERVED),
      setClient: () => plain.setClient(RESERVED, { clientId: "c" }),
      getCodeVerifier: () => plain.getCodeVerifier(RESERVED),
      getEntry: () => plain.getEntry(RESERVED),
      update: () => plain.update(RESERVED, () => ({ discovery: {} })),
    };
    for (const [name, call] of Object.entries(calls)) {
      const e = await rejects(lib, Promise.resolve().then(call), "INVALID_PARAMETER", name);
      ok(e.message.includes(RESERVED), `${name}: the message names the key`);
    }
    equal(env.read(path), before, "nothing written");
    for (const [name, store] of [["memory", lib.inMemoryStore()], ["encrypted", lib.fileStore(`${env.tmp()}/t.enc`, { encryptionKey: new Uint8Array(32).fill(3) })]]) {
      await store.setClient(RESERVED, { clientId: "ok" });
      equal((await store.getClient(RESERVED)).clientId, "ok", `${name} store keeps it`);
    }
  }],

  ["encrypted fileStore: the versioned document stays inside the envelope", async (lib, env) => {
    // Decrypted contents are checked through the store: a plain store refuses the file,
    // and an encrypted store with only tokens still keeps updatedAt (versioned layout).
    const path = `${env.tmp()}/t.enc`;
    const key = new Uint8Array(32).fill(4);
    const store = lib.fileStore(path, { encryptionKey: key });
    await store.set("k", { accessToken: "sealed" });
    ok(env.read(path).startsWith("oauth-callback-rs encrypted store v1\n"), "the envelope");
    ok(typeof (await store.getEntry("k")).updatedAt === "number", "updatedAt kept for a tokens-only entry");
    await rejects(lib, lib.fileStore(path).get("k"), "STORE_KEY_REQUIRED", "a plain store does not read it");
    equal(await env.peer.fileStore(path).get("k"), null, "nor can the peer");
  }],
];
