/**
 * Loads the wasm core synchronously on first use (Node, Bun, Deno), so callers never
 * await an `init()`. Deno needs `--allow-read` for the package directory.
 *
 * Where the bytes come from, first found wins: the copy `oauth-callback-rs/embedded`
 * registered (bundles, single executables); a Node SEA asset of the file's name; the file
 * in the package (`../wasm/` from this module: the installed layout); the file beside the
 * running bundle or application executable.
 */
import { nodeFs, nodeUrl, nodeVm } from "./host.js";
import type * as Glue from "../wasm/oauth_callback_wasm.js";
import glueSource from "../wasm/oauth_callback_wasm.text.js";
import { OAuthCallbackError } from "./errors.js";
import { besideDirs, embeddedParts, exists, join, NODE_WASM_FILE as WASM_FILE, seaAsset } from "./locate.js";

let bindings: typeof Glue | undefined;

function wasmBytes(): Uint8Array {
  const embedded = embeddedParts()?.wasm?.[WASM_FILE];
  if (embedded) return embedded();
  const asset = seaAsset(WASM_FILE);
  if (asset) return new Uint8Array(asset);
  const tried: string[] = [];
  let packaged: URL | undefined;
  try {
    packaged = new URL(`../wasm/${WASM_FILE}`, import.meta.url);
  } catch {
    // a CommonJS bundle: `import.meta` is empty
  }
  if (packaged?.protocol === "file:") {
    tried.push(nodeUrl().fileURLToPath(packaged));
    try {
      return nodeFs().readFileSync(packaged);
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") {
        throw new OAuthCallbackError("NOT_INITIALIZED", `cannot read the wasm core at ${tried[0]} (in Deno, allow reading the package directory with --allow-read)`, { cause });
      }
    }
  }
  for (const dir of besideDirs()) {
    const file = join(dir, WASM_FILE);
    if (tried.includes(file)) continue;
    tried.push(file);
    if (exists(file)) {
      try {
        return nodeFs().readFileSync(file);
      } catch (cause) {
        throw new OAuthCallbackError("NOT_INITIALIZED", `cannot read the wasm core at ${file}`, { cause });
      }
    }
  }
  throw new OAuthCallbackError(
    "NOT_INITIALIZED",
    `oauth-callback-rs cannot find its wasm core ${WASM_FILE} (looked at: ${tried.join(", ") || "nowhere: no module path"}). ` +
      'In a bundle or single executable, import "oauth-callback-rs/embedded" first (it embeds the core), or copy ' +
      `node_modules/oauth-callback-rs/wasm/${WASM_FILE} beside the bundle or executable; in Deno, allow reading the package directory with --allow-read.`,
  );
}

/**
 * The glue, compiled now. It is bundled as text (scripts/glue-text.mjs): a fresh process
 * scans one string literal at import instead of pre-parsing 30 KB of code, about a fifth
 * of the root import's time. node:vm compiles it the way `require()` compiles a CommonJS
 * file (and works where `--disallow-code-generation-from-strings` stops `eval`).
 */
function compileGlue(): typeof Glue {
  const script = new (nodeVm().Script)(glueSource, { filename: "oauth-callback-rs/wasm/oauth_callback_wasm.js" });
  const factory = script.runInThisContext() as (module: { exports: object }, exports: object) => void;
  const module = { exports: {} };
  factory(module, module.exports);
  return module.exports as typeof Glue;
}

/** The initialized bindings, compiling the module on the first call. */
export function loadWasmSync(): typeof Glue {
  if (!bindings) {
    const glue = compileGlue();
    glue.initSync({ module: wasmBytes() });
    bindings = glue;
  }
  return bindings;
}
