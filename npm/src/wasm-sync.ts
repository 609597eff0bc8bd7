/**
 * Loads the wasm core synchronously on first use (Node, Bun, Deno), so callers never
 * await an `init()`. Deno needs `--allow-read` for the package directory.
 */
import { readFileSync } from "node:fs";
import * as wasm from "../wasm/oauth_callback_wasm.js";
import { OAuthCallbackError } from "./errors.js";

let ready = false;

/** The initialized bindings, compiling the module on the first call. */
export function loadWasmSync(): typeof wasm {
  if (!ready) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(new URL("../wasm/oauth_callback_wasm_bg.wasm", import.meta.url));
    } catch (cause) {
      throw new OAuthCallbackError("NOT_INITIALIZED", "cannot read the wasm core shipped with oauth-callback-rs (in Deno, allow reading the package directory with --allow-read)", { cause });
    }
    wasm.initSync({ module: bytes });
    ready = true;
  }
  return wasm;
}
