// Shipped weight: the tarballs the registry gets (`scripts/pack --host-native`: the main
// package and this platform's addon package, as published), the native addon for this
// platform as built and stripped (`strip` on a copy), and the wasm modules (raw, gzip -9,
// brotli 11), as they are in npm/ now (after a build).
//
//   node bench/sizes.mjs [--json]
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";
import { KB, argv, emitJson, out } from "./stats.mjs";

const { json } = argv();
const print = out(json);
const NPM = fileURLToPath(new URL("../npm/", import.meta.url));
const MB = (b) => (b / 1e6).toFixed(2);

// The tarballs, packed the way the release is (scripts/pack), into a temporary folder.
const packDir = mkdtempSync(join(tmpdir(), "oauth-callback-rs-pack-"));
const pack = spawnSync(process.execPath, [fileURLToPath(new URL("../scripts/pack", import.meta.url)), "--host-native", "--out", packDir], { encoding: "utf8" });
if (pack.status !== 0) throw new Error(`scripts/pack failed: ${pack.stderr}`);
const tarballs = pack.stdout.trim().split("\n").map((line) => JSON.parse(line));
const tar = tarballs.find((t) => t.name === "oauth-callback-rs");
if (!tar) throw new Error(`scripts/pack made no oauth-callback-rs tarball: ${pack.stdout}`);
const byDir = {};
// `tar -tvzf`: "-rw-r--r-- 0/0 SIZE DATE TIME package/PATH"
for (const line of spawnSync("tar", ["-tvzf", tar.file], { encoding: "utf8" }).stdout.trim().split("\n")) {
  const fields = line.trim().split(/\s+/);
  const path = fields[fields.length - 1].replace(/^package\//, "");
  const d = path.includes("/") ? path.split("/")[0] : ".";
  byDir[d] = (byDir[d] ?? 0) + Number(fields[2]);
}
rmSync(packDir, { recursive: true, force: true });

// The addon(s) built for this machine.
const addons = readdirSync(join(NPM, "native"))
  .filter((f) => f.endsWith(".node"))
  .map((f) => {
    const dir = mkdtempSync(join(tmpdir(), "oauth-callback-rs-strip-"));
    const copy = join(dir, f);
    copyFileSync(join(NPM, "native", f), copy);
    const s = spawnSync("strip", [copy]);
    const stripped = s.status === 0 ? statSync(copy).size : NaN;
    rmSync(dir, { recursive: true, force: true });
    return { file: f, size: statSync(join(NPM, "native", f)).size, stripped };
  });

// The wasm modules.
const gzip9 = (buf) => spawnSync("gzip", ["-9", "-n", "-c"], { input: buf, maxBuffer: 64 << 20 }).stdout.length;
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
// wasm-authorize and wasm-login have no generated glue: their loaders are part of the browser entry.
// wasm-browser (the wasm-bindgen client module) is not shipped: the tests compare the login
// module with it, and it is listed to show what the login module replaced.
const wasm = [
  ["wasm", "oauth_callback_wasm_bg.wasm", "oauth_callback_wasm.js"],
  ["wasm-browser", "oauth_callback_wasm_bg.wasm", "oauth_callback_wasm.js", " (not shipped; the tests' reference)"],
  ["wasm-authorize", "oauth_callback_authorize_min.wasm", null],
  ["wasm-authorize", "oauth_callback_authorize.wasm", null],
  ["wasm-login", "oauth_callback_login.wasm", null],
].map(([d, file, glueFile, note = ""]) => {
  const buf = readFileSync(join(NPM, d, file));
  const glue = glueFile ? readFileSync(join(NPM, d, glueFile)) : Buffer.alloc(0);
  return { dir: d, file, note, size: buf.length, gzip: gzip9(buf), brotli: br(buf), glue: glue.length, glueGzip: gzip9(glue) };
});

for (const t of tarballs) print(`scripts/pack: ${t.name}, ${KB(t.size)} KB packed, ${KB(t.unpackedSize)} KB unpacked, ${t.entryCount} files`);
for (const [d, n] of Object.entries(byDir).sort((a, b) => b[1] - a[1])) print(`  ${`${d}/`.padEnd(16)} ${KB(n).padStart(10)} KB unpacked`);
for (const a of addons) print(`addon ${a.file}: ${MB(a.size)} MB as built, ${MB(a.stripped)} MB stripped`);
for (const w of wasm) print(`npm/${w.dir}/${w.file}: ${KB(w.size)} KB, ${KB(w.gzip)} KB gzip -9, ${KB(w.brotli)} KB brotli; glue .js ${w.glue ? `${KB(w.glue)} KB (${KB(w.glueGzip)} KB gzip)` : "none (the loader is in the browser entry)"}`);

if (json) {
  const a = addons[0];
  emitJson({
    name: "sizes",
    tar,
    byDir,
    addons,
    wasm,
    rows: [
      {
        figure: "packed tarballs (scripts/pack, as published)",
        ours: tarballs.map((t) => `${t.name} ${KB(t.size)} KB packed, ${KB(t.unpackedSize)} KB unpacked, ${t.entryCount} files`).join("; "),
        peers: [],
        ratio: "",
        bar: "(no bar)",
        met: null,
      },
      {
        figure: `native addon (${a?.file.replace(/^oauth-callback\.|\.node$/g, "") ?? "none"})`,
        ours: a ? `${MB(a.size)} MB as built, ${MB(a.stripped)} MB stripped` : "not built",
        peers: [],
        ratio: "",
        bar: "≤ 1.5 MB per platform",
        met: a ? a.size <= 1.5e6 : null,
      },
      ...wasm.map((w) => ({
        figure: `wasm module npm/${w.dir}/${w.file}${w.note}`,
        ours: `${KB(w.size)} KB, ${KB(w.gzip)} KB gzip, ${KB(w.brotli)} KB br`,
        peers: [],
        ratio: "",
        bar: "(no bar)",
        met: null,
      })),
    ],
  });
}
