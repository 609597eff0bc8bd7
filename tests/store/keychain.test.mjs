// keychainStore against a real Secret Service: gnome-keyring-daemon in a private D-Bus
// session (scripts/test starts both). The secrets are checked with libsecret's own
// secret-tool, so the test sees what any other program on the machine would see.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import { equal, ok } from "../facade/assert.mjs";

if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
  throw new Error("run this suite inside a D-Bus session with an unlocked gnome-keyring (scripts/test does)");
}

const service = `ocrs-test-${process.pid}-${Date.now()}`;

function secretTool(...args) {
  const r = spawnSync("secret-tool", args, { encoding: "utf8" });
  return r.stdout;
}

test("keychain: stores, reads, overwrites and deletes a real Secret Service item", async () => {
  const store = lib.keychainStore({ service, account: "alice" });
  equal(await store.get("srv"), null, "nothing yet");
  await store.set("srv", { accessToken: "kc-access-1", refreshToken: "kc-refresh-1" });
  equal((await store.get("srv")).refreshToken, "kc-refresh-1", "read back");
  const item = secretTool("lookup", "service", service, "username", "alice");
  ok(item.includes('"kc-refresh-1"'), `the secret is in the keyring: ${item.slice(0, 80)}`);
  equal(JSON.parse(item).format, "oauth-callback-rs/token-store", "the keychain keeps the versioned document, not the plain file's layout");
  await store.set("srv", { accessToken: "kc-access-2", refreshToken: "kc-refresh-2" });
  await store.setClient("srv", { clientId: "kc-client" });
  const again = lib.keychainStore({ service, account: "alice" });
  equal((await again.get("srv")).refreshToken, "kc-refresh-2", "overwritten, seen by a second store");
  equal((await again.getClient("srv")).clientId, "kc-client", "client kept beside tokens");
  ok(!secretTool("lookup", "service", service, "username", "alice").includes("kc-refresh-1"), "the old secret is gone");
  await Promise.all(Array.from({ length: 10 }, () => store.update("count", (e) => ({ discovery: { n: (e?.discovery?.n ?? 0) + 1 } }))));
  equal((await again.getEntry("count")).discovery.n, 10, "concurrent updates under the lock");
  await store.delete("srv");
  await store.deleteClient("srv");
  await store.update("count", () => null);
  equal(await again.get("srv"), null, "deleted");
  equal(secretTool("lookup", "service", service, "username", "alice"), "", "no empty item is left once the last key is gone");
  const other = lib.keychainStore({ service, account: "bob" });
  equal(await other.get("srv"), null, "accounts are separate");
});

test("keychain: the addon's lock refuses reads and writes once released", async () => {
  // The facade always releases last; this guards the addon against writing unlocked.
  const native = createRequire(import.meta.url)("../../npm/native/oauth-callback.linux-x64-gnu.node");
  const entry = new native.NativeKeychain(service, "released");
  const lock = await entry.lock();
  await lock.write('{"format":"oauth-callback-rs/token-store","version":1,"entries":{}}');
  lock.release();
  for (const op of [() => lock.read(), () => lock.write("{}")]) {
    let err;
    try {
      await op();
    } catch (e) {
      err = e;
    }
    ok(/^STORE_IO: the store lock was already released/.test(err?.message ?? ""), `refused: ${err?.message}`);
  }
  await entry.remove();
});

test("keychain: no Secret Service is KEYCHAIN_UNAVAILABLE, or the encrypted file when asked", () => {
  const home = mkdtempSync(join(tmpdir(), "ocrs-kc-"));
  const script = `
    import * as lib from "oauth-callback-rs";
    const plain = lib.keychainStore({ service: "s", account: "a" });
    try { await plain.get("k"); console.log("NO ERROR"); } catch (e) { console.log("CODE", e.code); }
    const warnings = [];
    const fb = lib.keychainStore({ service: "s", account: "a", fallback: { path: ${JSON.stringify(`${home}/fallback.enc`)}, encryptionKey: "fallback passphrase" }, onWarning: (m) => warnings.push(m) });
    await fb.set("k", { accessToken: "in-file" });
    console.log("VALUE", (await fb.get("k")).accessToken);
    console.log("WARN", warnings.length, warnings[0]?.includes("fallback.enc"));
  `;
  const env = { ...process.env };
  delete env.DBUS_SESSION_BUS_ADDRESS;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env, cwd: new URL("../../", import.meta.url).pathname });
  equal(r.status, 0, `child exit (${r.stderr})`);
  ok(r.stdout.includes("CODE KEYCHAIN_UNAVAILABLE"), `typed error: ${r.stdout}`);
  ok(r.stdout.includes("VALUE in-file"), `fallback store works: ${r.stdout}`);
  ok(r.stdout.includes("WARN 1 true"), `one warning naming the file: ${r.stdout}`);
  const stored = lib.fileStore(`${home}/fallback.enc`, { encryptionKey: "fallback passphrase" });
  return stored.get("k").then((t) => equal(t.accessToken, "in-file", "the fallback file is a real encrypted store"));
});
