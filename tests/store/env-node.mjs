// File helpers for the store cases, on node:fs (which Node, Bun and Deno all provide).
// `home`: the home directory the stores see; `isolatedHome`: whether it is a temporary
// one this test run may fill (else a case needing HOME elsewhere uses `putWithHome`);
// `peer`: the `oauth-callback` module, whose plain files ours must share.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function makeEnv(home, { isolatedHome, peer, putWithHome, deniedCode = "STORE_IO" }) {
  return {
    home,
    isolatedHome,
    peer,
    putWithHome,
    deniedCode,
    tmp: () => mkdtempSync(join(tmpdir(), "ocrs-store-")),
    mode: (p) => statSync(p).mode & 0o777,
    read: (p) => readFileSync(p, "utf8"),
    write: (p, s) => writeFileSync(p, s, { mode: 0o600 }),
    chmod: (p, m) => chmodSync(p, m),
    mkdir: (p) => mkdirSync(p, { recursive: true }),
    mkfifo: (p) => {
      const r = spawnSync("mkfifo", ["-m", "600", p]);
      if (r.status !== 0) throw new Error(`mkfifo ${p} failed`);
    },
    symlink: (target, p) => symlinkSync(target, p),
    /** A sparse file of `size` bytes, mode 0600 (no disk used). */
    sparse: (p, size) => {
      writeFileSync(p, "", { mode: 0o600 });
      truncateSync(p, size);
    },
    list: (p) => readdirSync(p),
    exists: (p) => existsSync(p),
    rm: (p) => rmSync(p, { recursive: true, force: true }),
  };
}
