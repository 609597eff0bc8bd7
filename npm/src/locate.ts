/**
 * Where the package's two binary parts (the wasm core, the napi addon) can be when the
 * package is not laid out as installed: inside a bundle (esbuild, `bun build`), inside a
 * single executable (`bun build --compile`, `deno compile`, Node SEA), or beside either.
 * See README "Bundling and single executables".
 */
import { nodeFs, nodePath, nodeUrl } from "./host.js";

/**
 * The wasm module the Node, Bun and Deno entries load (through wasm-sync.ts) from
 * `wasm/` in the package; `oauth-callback-rs/embedded` registers its bytes under this name.
 */
export const NODE_WASM_FILE = "oauth_callback_wasm_bg.wasm";

/** Environment variable: the path of the addon file (or of a folder holding it). */
export const NATIVE_ENV = "OAUTH_CALLBACK_RS_NATIVE";

/**
 * What `oauth-callback-rs/embedded` registers on `globalThis` (a registry-wide symbol, so
 * every bundled copy of the facade sees it): the wasm core's bytes by file name, and on Bun
 * a loader whose `require`s name each addon file literally (what `bun build --compile`
 * embeds). @internal
 */
export interface EmbeddedParts {
  wasm?: Record<string, () => Uint8Array>;
  native?: (triple: string) => unknown;
}

const EMBEDDED = Symbol.for("oauth-callback-rs.embedded");

/** The parts `oauth-callback-rs/embedded` registered, if it was imported. @internal */
export function embeddedParts(): EmbeddedParts | undefined {
  return (globalThis as Record<symbol, EmbeddedParts | undefined>)[EMBEDDED];
}

/** Registers embedded parts (used by `oauth-callback-rs/embedded`). @internal */
export function registerEmbedded(parts: EmbeddedParts): void {
  const all = globalThis as Record<symbol, EmbeddedParts | undefined>;
  const had = all[EMBEDDED] ?? {};
  all[EMBEDDED] = { ...had, ...parts, wasm: { ...had.wasm, ...parts.wasm } };
}

/**
 * The file of the running module: this package's bundle file when installed, the user's
 * bundle when bundled. An ES module knows it from `import.meta.url`; in a CommonJS bundle
 * (esbuild `--format=cjs`, a Node SEA) `import.meta` is empty and `__filename` says it.
 */
export function moduleFile(): string | undefined {
  const url = (import.meta as { url?: string }).url;
  if (typeof url === "string" && url.startsWith("file:")) {
    try {
      return nodeUrl().fileURLToPath(url);
    } catch {
      // not a local file
    }
  }
  if (typeof __filename === "string" && __filename) return __filename;
  return undefined;
}

/**
 * The folder of the running executable when it is an application (a Node SEA, `bun build
 * --compile`, `deno compile`), not the `node`, `bun` or `deno` runtime itself.
 */
export function applicationDir(): string | undefined {
  let exe: string;
  try {
    exe = process.execPath;
  } catch {
    return undefined; // Deno without --allow-read
  }
  if (!exe) return undefined;
  const base = exe.replace(/^.*[\\/]/, "").replace(/\.exe$/i, "").toLowerCase();
  if (base === "node" || base === "nodejs" || base === "bun" || base === "deno") return undefined;
  return dirname(exe);
}

/** The folders to look beside: the running bundle's, then the application's (deduplicated). */
export function besideDirs(): string[] {
  const dirs: string[] = [];
  const file = moduleFile();
  if (file && !file.startsWith("/$bunfs") && !/^[A-Z]:\\~BUN/i.test(file)) dirs.push(dirname(file));
  const app = applicationDir();
  if (app && !dirs.includes(app)) dirs.push(app);
  return dirs;
}

interface Sea {
  isSea(): boolean;
  getRawAsset(key: string): ArrayBuffer;
}

/** Node single executable applications: the asset named `key` (sea-config `assets`), if any. */
export function seaAsset(key: string): ArrayBuffer | undefined {
  let sea: Sea | undefined;
  try {
    const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    if (typeof get !== "function" || !process.versions.node || "Bun" in globalThis || "Deno" in globalThis) return undefined;
    sea = get("node:sea") as Sea | undefined;
    if (!sea?.isSea()) return undefined;
  } catch {
    return undefined;
  }
  try {
    return sea.getRawAsset(key);
  } catch {
    return undefined; // no such asset
  }
}

declare const Deno: { permissions: { querySync(d: { name: "env"; variable: string }): { state: string } } } | undefined;

/**
 * An environment variable, read only where reading cannot prompt: in Deno, only when
 * `--allow-env` covers it.
 */
export function envVar(name: string): string | undefined {
  try {
    if (typeof Deno !== "undefined" && Deno?.permissions?.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
    const value = process.env[name];
    return value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `path` if a file (or folder) is there, answering false where reading is not allowed. */
export function exists(path: string): boolean {
  try {
    return nodeFs().existsSync(path);
  } catch {
    return false;
  }
}

/** `path.dirname`. */
export function dirname(path: string): string {
  return nodePath().dirname(path);
}

/** `path.join`. */
export function join(...parts: string[]): string {
  return nodePath().join(...parts);
}
