/**
 * The browser's client module (`wasm-browser/`: discovery, token requests and responses,
 * userinfo), fetched and compiled the first time a `BrowserOAuthClient` needs it. Pages
 * that only start a login never download it: they use the small `authorize` module that
 * `init()` loads.
 */
import type * as FullWasm from "../wasm/oauth_callback_wasm.js";
import { wasmLoadError, type WasmSource } from "./authorize-module.js";
import { useInitializedBindings } from "./protocol.js";

let source: WasmSource | undefined;
let loading: Promise<void> | undefined;

/** Where to fetch the client module from (a bundler's asset URL); before the first load. @internal */
export function setClientModuleSource(where: WasmSource | undefined): void {
  source = where;
}

/** Fetches and compiles the client module once; later calls share the same promise. @internal */
export function loadClientModule(): Promise<void> {
  loading ??= import("../wasm-browser/oauth_callback_wasm.js")
    .then(async (glue) => {
      await glue.default({ module_or_path: source ?? new URL("../wasm-browser/oauth_callback_wasm_bg.wasm", import.meta.url) });
      // The browser module lacks only the callback server, the store envelope and the
      // ID token checks, which nothing reachable from the browser entry calls.
      useInitializedBindings(glue as unknown as typeof FullWasm);
    })
    .catch((cause: unknown) => {
      loading = undefined;
      throw wasmLoadError("client wasm module (wasm-browser/oauth_callback_wasm_bg.wasm)", cause);
    });
  return loading;
}
