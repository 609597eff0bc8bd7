// A separate process working on a shared store file, for the multi-process tests.
// Runs in Node, Bun and Deno:  worker.mjs <path> <passphrase> increment <times> <id>
//                              worker.mjs <path> <passphrase> write-forever
//                              worker.mjs <path> <passphrase> put <key> <accessToken>
//                              worker.mjs <path> <passphrase> get <key>
//                              worker.mjs <path> <passphrase> set-client <key> <clientId>
// <path> "@default" is fileStore()'s default path; <passphrase> "-" is a plain file.
import * as lib from "oauth-callback-rs";

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [path, passphrase, mode, a, b] = args;
const options = passphrase === "-" ? { lockTimeoutMs: 60_000 } : { encryptionKey: passphrase, lockTimeoutMs: 60_000 };
const store = lib.fileStore(path === "@default" ? undefined : path, options);

try {
  await main();
} catch (e) {
  console.error(`${e.code ?? e.name}: ${e.message}`);
  (globalThis.Deno ?? process).exit(1);
}

async function main() {
  if (mode === "increment") {
    for (let i = 0; i < Number(a); i++) {
      await store.update("shared", (e) => ({ ...(e ?? {}), discovery: { count: (e?.discovery?.count ?? 0) + 1 } }));
      await store.update(`worker-${b}`, (e) => ({ ...(e ?? {}), discovery: { count: (e?.discovery?.count ?? 0) + 1 } }));
    }
  } else if (mode === "write-forever") {
    // A large value widens the window in which a kill lands mid-write.
    const padding = "x".repeat(256 * 1024);
    for (let i = 1; ; i++) {
      await store.update("crash", () => ({ discovery: { value: i, padding } }));
      // Tell the parent the loop is running, so its kill lands inside it.
      if (i === 1) console.log("writing");
    }
  } else if (mode === "put") {
    await store.set(a, { accessToken: b });
  } else if (mode === "set-client") {
    await store.setClient(a, { clientId: b });
  } else if (mode === "get") {
    const t = await store.get(a);
    console.log(JSON.stringify(t));
  }
}
