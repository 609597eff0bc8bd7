// keychainStore in Deno: the same addon, loaded through Node-API (needs --allow-ffi),
// against the real Secret Service that scripts/test starts in a private D-Bus session.
import * as lib from "oauth-callback-rs";
import { equal, ok } from "../facade/assert.mjs";

const service = `ocrs-deno-test-${Deno.pid}-${Date.now()}`;

function secretTool(...args) {
  const out = new Deno.Command("secret-tool", { args, stdout: "piped", stderr: "null" }).outputSync();
  return new TextDecoder().decode(out.stdout);
}

Deno.test("keychain (Deno): stores, reads and deletes a real Secret Service item", async () => {
  const store = lib.keychainStore({ service, account: "deno" });
  equal(await store.get("srv"), null, "nothing yet");
  await store.set("srv", { accessToken: "deno-access", refreshToken: "deno-refresh" });
  equal((await store.get("srv")).refreshToken, "deno-refresh", "read back");
  ok(secretTool("lookup", "service", service, "username", "deno").includes('"deno-refresh"'), "the secret is in the keyring");
  await store.delete("srv");
  equal(secretTool("lookup", "service", service, "username", "deno"), "", "the item is gone with the last key");
});

Deno.test("keychain (Deno): text with newlines, quotes and non-ASCII round-trips, and libsecret reads it", async () => {
  const odd = 'one\ntwo\t"three" \\ ü 日本語 🎉';
  const store = lib.keychainStore({ service, account: "deno-text" });
  await store.set("srv", { accessToken: odd });
  equal((await lib.keychainStore({ service, account: "deno-text" }).get("srv")).accessToken, odd, "read back");
  equal(JSON.parse(secretTool("lookup", "service", service, "username", "deno-text")).entries.srv.tokens.accessToken, odd, "secret-tool sees the same text");
  await store.delete("srv");
});
