// A minimal reader of 64-bit little-endian Mach-O dylibs (the macOS addons): the dylibs
// they load, their local symbol count (0 when stripped) and their undefined symbols with
// the library each is bound to. Used by scripts/cross-build (to write the framework
// stubs the link needs) and by tests/package/binaries.test.mjs (to check the result).
import { readFileSync } from "node:fs";

const MH_MAGIC_64 = 0xfeedfacf;
const LC_SYMTAB = 0x2;
const LC_DYSYMTAB = 0xb;
const LC_LOAD_DYLIB = 0xc;
const LC_LOAD_WEAK_DYLIB = 0x80000018;
const LC_REEXPORT_DYLIB = 0x8000001f;
const N_TYPE = 0x0e;
const N_UNDF = 0x0;
const N_EXT = 0x01;
/** The ordinal of a symbol left to `-undefined dynamic_lookup` (searched in every image). */
export const DYNAMIC_LOOKUP = 0xfe;

/** { cpu, dylibs: [path], localSymbols, undefined: [{ name, library }] } where library is a dylib path or "dynamic lookup". */
export function readMachO(file) {
  const b = readFileSync(file);
  if (b.readUInt32LE(0) !== MH_MAGIC_64) throw new Error(`${file} is not a 64-bit little-endian Mach-O file`);
  const cputype = b.readUInt32LE(4);
  const ncmds = b.readUInt32LE(16);
  const dylibs = [];
  let symtab;
  let dysymtab;
  let off = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = b.readUInt32LE(off);
    const size = b.readUInt32LE(off + 4);
    if (cmd === LC_LOAD_DYLIB || cmd === LC_LOAD_WEAK_DYLIB || cmd === LC_REEXPORT_DYLIB) {
      const nameOff = b.readUInt32LE(off + 8);
      const end = b.indexOf(0, off + nameOff);
      dylibs.push(b.toString("utf8", off + nameOff, end));
    } else if (cmd === LC_SYMTAB) {
      symtab = { symoff: b.readUInt32LE(off + 8), nsyms: b.readUInt32LE(off + 12), stroff: b.readUInt32LE(off + 16) };
    } else if (cmd === LC_DYSYMTAB) {
      dysymtab = { nlocalsym: b.readUInt32LE(off + 12) };
    }
    off += size;
  }
  const undefinedSymbols = [];
  if (symtab) {
    for (let i = 0; i < symtab.nsyms; i++) {
      const e = symtab.symoff + i * 16;
      const type = b.readUInt8(e + 4);
      if ((type & N_TYPE) !== N_UNDF || !(type & N_EXT)) continue;
      const strx = b.readUInt32LE(e);
      const name = b.toString("utf8", symtab.stroff + strx, b.indexOf(0, symtab.stroff + strx));
      const ordinal = (b.readUInt16LE(e + 6) >> 8) & 0xff;
      const library = ordinal === DYNAMIC_LOOKUP ? "dynamic lookup" : ordinal >= 1 && ordinal <= dylibs.length ? dylibs[ordinal - 1] : `ordinal ${ordinal}`;
      undefinedSymbols.push({ name, library });
    }
  }
  const cpu = { 0x01000007: "x86_64", 0x0100000c: "arm64" }[cputype] ?? `cputype ${cputype}`;
  return { cpu, dylibs, localSymbols: dysymtab?.nlocalsym ?? 0, undefined: undefinedSymbols };
}

// As a command: prints the reading as JSON (scripts/cross-build uses it).
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  console.log(JSON.stringify(readMachO(process.argv[2]), null, 2));
}
