/**
 * `import "oauth-callback-rs/embedded"`, first in a CLI that is bundled into one file or
 * compiled into one executable: registers the wasm core's bytes (inlined here as base64 by
 * the build: about 4/3 of the module's size) so no `.wasm` file is needed beside the
 * bundle. Every entry of the package (`oauth-callback-rs`, `/mcp`) finds them, whichever
 * copy of it the bundle holds. Bun resolves this path to embedded.bun.js, which also names
 * each addon file literally so that `bun build --compile` embeds the one installed.
 * See README "Bundling and single executables".
 */
import { Buffer } from "node:buffer";
// The module wasm-sync.ts loads for Node, Bun and Deno (`NODE_WASM_FILE`): esbuild's
// base64 loader inlines it when scripts/lib.sh bundles this entry.
import wasmBase64 from "../wasm/oauth_callback_wasm_bg.wasm";
import { NODE_WASM_FILE, registerEmbedded } from "./locate.js";

let bytes: Uint8Array | undefined;
registerEmbedded({ wasm: { [NODE_WASM_FILE]: () => (bytes ??= Buffer.from(wasmBase64, "base64")) } });
