// keychainStore against a real Secret Service: gnome-keyring-daemon in a private D-Bus
// session (scripts/test starts both). The secrets are checked with libsecret's own
// secret-tool, so the test sees what any other program on the machine would see.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

/** An item written by libsecret itself, as keyring (or another tool) would have left it. */
function secretToolStore(label, attributes, secret) {
  const r = spawnSync("secret-tool", ["store", `--label=${label}`, ...Object.entries(attributes).flat()], { input: secret, encoding: "utf8" });
  equal(r.status, 0, `secret-tool store (${r.stderr})`);
}

/** The items `secret-tool search --all` lists: [{ label, secret, attributes }]. */
function searchItems(...attrs) {
  const out = spawnSync("secret-tool", ["search", "--all", ...attrs], { encoding: "utf8" });
  const items = [];
  for (const line of (out.stdout + out.stderr).split("\n")) {
    if (line.startsWith("[/")) items.push({ attributes: {} });
    const m = /^(label|attribute\.(\w+)) = (.*)$/.exec(line);
    if (m && items.length > 0) {
      if (m[2]) items.at(-1).attributes[m[2]] = m[3];
      else items.at(-1).label = m[3];
    }
  }
  return items;
}

/** A store document holding one entry, in the format the addon keeps. */
function documentWith(key, tokens) {
  return JSON.stringify({ format: "oauth-callback-rs/token-store", version: 1, entries: { [key]: { tokens, updatedAt: Date.now() } } });
}

/** Runs `script` (an ES module) in a child Node with `env`. The messages, not the time taken, show each answer came from its cause rather than a deadline. */
function child(script, env) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env, cwd: new URL("../../", import.meta.url).pathname, timeout: 60_000 });
}

const probe = `
  import * as lib from "oauth-callback-rs";
  const store = lib.keychainStore({ service: "s", account: "a" });
  for (const [name, op] of [["get", () => store.get("k")], ["set", () => store.set("k", { accessToken: "t" })], ["delete", () => store.delete("k")]]) {
    try { await op(); console.log(name, "NO ERROR"); } catch (e) { console.log(name, e.code, JSON.stringify(e.message)); }
  }
`;

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
  delete env.XDG_RUNTIME_DIR; // else $XDG_RUNTIME_DIR/bus would be used, as libdbus does
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env, cwd: new URL("../../", import.meta.url).pathname });
  equal(r.status, 0, `child exit (${r.stderr})`);
  ok(r.stdout.includes("CODE KEYCHAIN_UNAVAILABLE"), `typed error: ${r.stdout}`);
  ok(r.stdout.includes("VALUE in-file"), `fallback store works: ${r.stdout}`);
  ok(r.stdout.includes("WARN 1 true"), `one warning naming the file: ${r.stdout}`);
  const stored = lib.fileStore(`${home}/fallback.enc`, { encryptionKey: "fallback passphrase" });
  return stored.get("k").then((t) => equal(t.accessToken, "in-file", "the fallback file is a real encrypted store"));
});

test("keychain: items carry keyring 3.6's attributes and label; items already there are updated in place", async () => {
  const svc = `${service}-compat`;
  const store = lib.keychainStore({ service: svc, account: "carol" });
  await store.set("srv", { accessToken: "new-item" });
  const [made, ...more] = searchItems("service", svc, "username", "carol");
  equal(more.length, 0, "one item");
  equal(made.label, `carol@${svc}:default (keyring v3.6.3)`, "keyring's label");
  equal(JSON.stringify(made.attributes), JSON.stringify({ application: "rust-keyring", service: svc, target: "default", username: "carol" }), "keyring's attributes, nothing else");
  await store.delete("srv");

  // An item as keyring 3.x (and so earlier versions of this addon) wrote it.
  const attrs = { service: svc, username: "dave", target: "default", application: "rust-keyring" };
  secretToolStore("written by keyring", attrs, documentWith("srv", { accessToken: "from-keyring" }));
  const dave = lib.keychainStore({ service: svc, account: "dave" });
  equal((await dave.get("srv")).accessToken, "from-keyring", "read");
  await dave.set("srv", { accessToken: "updated" });
  let items = searchItems("service", svc, "username", "dave");
  equal(items.length, 1, "updated, not duplicated");
  equal(items[0].label, "written by keyring", "the same item (its label kept)");
  ok(secretTool("lookup", "service", svc, "username", "dave").includes('"updated"'), "the new secret");
  await dave.delete("srv");
  equal(searchItems("service", svc, "username", "dave").length, 0, "deleted with the last key");

  // keyring 1 and third-party tools set no `target`: found in the default collection.
  secretToolStore("no target", { service: svc, username: "erin" }, documentWith("srv", { accessToken: "legacy" }));
  const erin = lib.keychainStore({ service: svc, account: "erin" });
  equal((await erin.get("srv")).accessToken, "legacy", "legacy item read");
  await erin.set("srv", { accessToken: "legacy-2" });
  items = searchItems("service", svc, "username", "erin");
  equal(items.length, 1, "legacy item updated in place");
  equal(items[0].attributes.target, undefined, "its attributes untouched");

  // Another keyring target is another entry.
  secretToolStore("other target", { ...attrs, username: "fred", target: "work" }, documentWith("srv", { accessToken: "work" }));
  const fred = lib.keychainStore({ service: svc, account: "fred" });
  equal(await fred.get("srv"), null, "target 'work' is not ours");
  await fred.set("srv", { accessToken: "mine" });
  equal(searchItems("service", svc, "username", "fred").length, 2, "ours created beside it");
  equal((await fred.get("srv")).accessToken, "mine", "ours read");
  await fred.delete("srv");
  items = searchItems("service", svc, "username", "fred");
  equal(items.length === 1 && items[0].attributes.target, "work", "only ours deleted");
  await erin.delete("srv");
  spawnSync("secret-tool", ["clear", "service", svc, "username", "fred"]);
});

test("keychain: several matching items are KEYCHAIN_ERROR; remove deletes them all", async () => {
  const svc = `${service}-twice`;
  for (const copy of ["1", "2"]) {
    secretToolStore(`copy ${copy}`, { service: svc, username: "gail", target: "default", application: "rust-keyring", copy }, documentWith("srv", { accessToken: copy }));
  }
  const store = lib.keychainStore({ service: svc, account: "gail" });
  let err;
  try {
    await store.get("srv");
  } catch (e) {
    err = e;
  }
  equal(err?.code, "KEYCHAIN_ERROR", `typed error: ${err?.message}`);
  ok(err.message.includes("2 Secret Service items match"), err.message);
  const native = createRequire(import.meta.url)("../../npm/native/oauth-callback.linux-x64-gnu.node");
  await new native.NativeKeychain(svc, "gail").remove();
  equal(searchItems("service", svc, "username", "gail").length, 0, "both removed");
  equal(await store.get("srv"), null, "empty again");
});

test("keychain: any text round-trips byte for byte, large documents too", async () => {
  const odd = 'line 1\nline 2\r\n\t"quoted" \\ back\\slash \u0000 nul \u001b esc ü é 日本語 🎉 \ud83d\ude00';
  const big = Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 94))).join("");
  const store = lib.keychainStore({ service, account: "text" });
  await store.set("odd", { accessToken: odd, refreshToken: big });
  const again = lib.keychainStore({ service, account: "text" });
  const back = await again.get("odd");
  equal(back.accessToken, odd, "odd text");
  equal(back.refreshToken, big, "200 KB");
  const seen = JSON.parse(secretTool("lookup", "service", service, "username", "text"));
  equal(seen.entries.odd.tokens.accessToken, odd, "libsecret reads the same text");
  await store.delete("odd");
});

test("keychain: no reachable bus, or a bus without a Secret Service, is KEYCHAIN_UNAVAILABLE at once", () => {
  const dir = mkdtempSync(join(tmpdir(), "ocrs-bus-"));
  const abstract = `ocrs-kc-test-${process.pid}`;
  writeFileSync(
    join(dir, "bus.conf"),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${dir}/bus</listen>
  <listen>unix:abstract=${abstract}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`,
  );
  // No service directories: nothing can be activated, so org.freedesktop.secrets is unknown.
  const daemon = spawnSync("dbus-daemon", [`--config-file=${dir}/bus.conf`, "--fork", "--print-address=1", "--print-pid=1"], { encoding: "utf8", timeout: 10_000 });
  const pid = Number(daemon.stdout.split("\n").find((l) => /^\d+$/.test(l)));
  ok(daemon.status === 0 && pid > 0, `dbus-daemon started (${daemon.stdout} ${daemon.stderr})`);
  try {
    const base = { ...process.env };
    delete base.XDG_RUNTIME_DIR;
    const cases = [
      [`unix:path=${dir}/no-such-socket`, /cannot connect to the D-Bus session bus/],
      ["tcp:host=127.0.0.1,port=9", /names no unix socket/],
      [`unix:path=${dir}/bus,guid=0123456789abcdef0123456789abcdef`, /org\.freedesktop\.DBus\.Error\.ServiceUnknown/],
      [`unix:abstract=${abstract}`, /org\.freedesktop\.DBus\.Error\.ServiceUnknown/],
    ];
    for (const [address, why] of cases) {
      const r = child(probe, { ...base, DBUS_SESSION_BUS_ADDRESS: address });
      const lines = r.stdout.split("\n").filter((l) => /^(get|set|delete) /.test(l));
      equal(lines.length, 3, `three answers for ${address}: ${r.stdout} ${r.stderr}`);
      for (const line of lines) {
        ok(line.split(" ")[1] === "KEYCHAIN_UNAVAILABLE", `${address}: ${line}`);
        ok(why.test(line), `${address}: ${line} says ${why}`);
      }
    }
  } finally {
    process.kill(pid);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("keychain: a locked keychain whose unlock prompt cannot be shown (no display) is KEYCHAIN_UNAVAILABLE at once", () => {
  // Its own D-Bus session and gnome-keyring: locking the shared one would disturb the others.
  // The addon asks for the system's unlock prompt; with no display gnome-keyring's prompter
  // (gcr-prompter) cannot start, and the prompt completes as dismissed within milliseconds.
  const home = mkdtempSync(join(tmpdir(), "ocrs-locked-"));
  try {
    const script = `
      echo -n locked-test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
      # Wait until it owns the name, or secret-tool would activate a second, locked one.
      gdbus wait --session --timeout 10 org.freedesktop.secrets || exit 10
      printf '%s' '${documentWith("k", { accessToken: "t" })}' | secret-tool store --label=x service s username a target default application rust-keyring || exit 11
      dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 12
      exec "$0" --input-type=module -e "$1"
    `;
    // No display, even when the suite runs in a desktop session: no dialog may appear.
    const env = { ...process.env, XDG_DATA_HOME: home };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const r = spawnSync("dbus-run-session", ["--", "sh", "-c", script, process.execPath, probe], {
      encoding: "utf8",
      env,
      cwd: new URL("../../", import.meta.url).pathname,
      timeout: 60_000,
    });
    const lines = r.stdout.split("\n").filter((l) => /^(get|set|delete) /.test(l));
    equal(lines.length, 3, `three answers: ${r.stdout} ${r.stderr} (exit ${r.status})`);
    for (const line of lines) {
      ok(line.split(" ")[1] === "KEYCHAIN_UNAVAILABLE" && line.includes("the keychain is locked, and its unlock prompt was dismissed or could not be shown"), line);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
