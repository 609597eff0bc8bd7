/**
 * Loads the napi addon lazily (Node, Bun, Deno with --allow-ffi): importing the package
 * costs nothing until a feature that needs the operating system is used.
 *
 * The addon file is `oauth-callback.<triple>.node` (napi-rs names: linux-x64-gnu,
 * linux-arm64-musl, darwin-arm64, win32-x64-msvc...). Where it is looked for, in this
 * order (`nativeCandidates()` lists them; the first that loads wins):
 *
 *   1. explicit: the `OAUTH_CALLBACK_RS_NATIVE` environment variable, the file or a folder
 *      holding it; when set, nothing else is tried (a typo must not pick another binary);
 *   2. beside: the folder of the running bundle, then of the application executable
 *      (a Node SEA, `bun build --compile`, `deno compile`; not the node/bun/deno runtime);
 *   3. embedded: by `bun build --compile` (through `oauth-callback-rs/embedded`), or a
 *      Node SEA asset named like the file (written to a private temporary folder, loaded,
 *      removed);
 *   4. package: the platform package `oauth-callback-rs-<triple>`, by require resolution
 *      from this module (an optional dependency of oauth-callback-rs);
 *   5. in-package: `native/oauth-callback.<triple>.node` inside oauth-callback-rs.
 */
import { nodeFs, nodeModule, nodeOs, nodePath } from "../host.js";
import type * as Native from "../../native/binding.js";
import { OAuthCallbackError } from "../errors.js";
import { besideDirs, dirname, embeddedParts, envVar, exists, join, moduleFile, NATIVE_ENV, seaAsset } from "../locate.js";

type NativeModule = typeof Native;

let native: NativeModule | undefined;

/** Where a candidate comes from, in search order. */
export type NativeSource = "explicit" | "beside" | "embedded" | "package" | "in-package";

/** One place the addon may be; `load` returns undefined when nothing is there. @internal */
export interface NativeCandidate {
  source: NativeSource;
  /** A path, or a description for what has none (a package name, an embedded copy). */
  where: string;
  load: () => NativeModule | undefined;
}

function isMusl(): boolean {
  try {
    return nodeFs().readFileSync("/usr/bin/ldd", "latin1").includes("musl");
  } catch {
    try {
      const report = (process as { report?: { getReport?: () => { header?: { glibcVersionRuntime?: string } } } }).report?.getReport?.();
      return report?.header ? !report.header.glibcVersionRuntime : false;
    } catch {
      return false;
    }
  }
}

/** The napi-rs platform names of this process's addon, most likely first. */
export function platformTriples(): string[] {
  const { platform, arch } = process;
  if (platform === "linux") return [`linux-${arch}-${isMusl() ? "musl" : "gnu"}`];
  if (platform === "win32") return [`win32-${arch}-msvc`, `win32-${arch}-gnu`];
  return [`${platform}-${arch}`];
}

/** The addon's file name for `triple`. */
export const nativeFileName = (triple: string): string => `oauth-callback.${triple}.node`;

function requireFrom(): NodeJS.Require {
  return nodeModule().createRequire(moduleFile() ?? join(process.cwd(), "oauth-callback-rs.js"));
}

function loadFile(path: string): NativeModule | undefined {
  if (!exists(path)) return undefined;
  return requireFrom()(path) as NativeModule;
}

/** A Node SEA asset written to a fresh private folder, loaded, then removed from disk. */
function loadSeaAsset(name: string): NativeModule | undefined {
  const bytes = seaAsset(name);
  if (!bytes) return undefined;
  const dir = nodeFs().mkdtempSync(join(nodeOs().tmpdir(), "oauth-callback-rs-"));
  const file = join(dir, name);
  try {
    nodeFs().writeFileSync(file, new Uint8Array(bytes), { mode: 0o700 });
    return requireFrom()(file) as NativeModule;
  } finally {
    // Loaded libraries stay mapped; Windows refuses to delete them, which is harmless.
    try {
      nodeFs().rmSync(dir, { recursive: true, force: true });
    } catch {
      // left for the OS to clean up
    }
  }
}

function loadPackage(triple: string): NativeModule | undefined {
  const require = requireFrom();
  const name = `oauth-callback-rs-${triple}`;
  let resolved: string | undefined;
  for (const id of [name, `${name}/${nativeFileName(triple)}`]) {
    try {
      resolved = require.resolve(id);
      break;
    } catch {
      // not installed (or no such file in it)
    }
  }
  return resolved ? (require(resolved) as NativeModule) : undefined;
}

/** Every place the addon is looked for, in order (see the top of this file). @internal */
export function nativeCandidates(): NativeCandidate[] {
  const triples = platformTriples();
  const given = envVar(NATIVE_ENV);
  if (given) {
    // Relative to the working directory, as a shell user means it (require() would take
    // a bare relative name for a package).
    const explicit = nodePath().resolve(given);
    let folder = false;
    try {
      folder = nodeFs().statSync(explicit).isDirectory();
    } catch {
      // not there: reported as not found
    }
    return triples.map((triple) => {
      const where = folder ? join(explicit, nativeFileName(triple)) : explicit;
      return { source: "explicit", where, load: () => loadFile(where) };
    });
  }
  const list: NativeCandidate[] = [];
  for (const dir of besideDirs()) {
    for (const triple of triples) {
      const where = join(dir, nativeFileName(triple));
      list.push({ source: "beside", where, load: () => loadFile(where) });
    }
  }
  const fromBun = embeddedParts()?.native;
  for (const triple of triples) {
    if (fromBun) {
      list.push({ source: "embedded", where: `${nativeFileName(triple)} embedded by oauth-callback-rs/embedded`, load: () => fromBun(triple) as NativeModule | undefined });
    }
    if (seaAsset(nativeFileName(triple)) !== undefined) {
      list.push({ source: "embedded", where: `Node SEA asset ${nativeFileName(triple)}`, load: () => loadSeaAsset(nativeFileName(triple)) });
    }
  }
  const file = moduleFile();
  for (const triple of triples) {
    list.push({ source: "package", where: `package oauth-callback-rs-${triple} (resolved from ${file ? dirname(file) : process.cwd()})`, load: () => loadPackage(triple) });
  }
  if (file) {
    for (const triple of triples) {
      const where = join(dirname(file), "..", "native", nativeFileName(triple));
      list.push({ source: "in-package", where, load: () => loadFile(where) });
    }
  }
  return list;
}

/** The addon for this platform, or a typed `NATIVE_UNAVAILABLE` error naming every place tried. */
export function loadNative(): NativeModule {
  if (native) return native;
  const looked: string[] = [];
  const candidates = nativeCandidates();
  for (const candidate of candidates) {
    let loaded: NativeModule | undefined;
    try {
      loaded = candidate.load();
    } catch (err) {
      const reason = err instanceof Error ? err.message.split("\n")[0] : String(err);
      looked.push(`${candidate.where} (failed to load: ${reason})`);
      continue;
    }
    if (loaded) {
      native = loaded;
      return native;
    }
    looked.push(`${candidate.where} (not found)`);
  }
  const triples = platformTriples();
  const files = triples.map(nativeFileName).join(" or ");
  const explicit = candidates[0]?.source === "explicit";
  throw new OAuthCallbackError(
    "NATIVE_UNAVAILABLE",
    `oauth-callback-rs cannot load its native addon for ${process.platform}-${process.arch} (${files}); looked at: ${looked.join("; ")}. ` +
      (explicit
        ? `${NATIVE_ENV} is set, so nothing else was tried: point it at the addon file or the folder holding it, or unset it.`
        : `Install the platform package oauth-callback-rs-${triples[0]} (an optional dependency: do not omit optional dependencies), ` +
          `copy ${files} beside your bundle or executable, or set ${NATIVE_ENV} to its path.`) +
      " The protocol functions work without it; the loopback server, the file store and the keychain need it (in Deno, also --allow-ffi).",
  );
}
