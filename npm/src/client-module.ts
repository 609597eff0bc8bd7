/**
 * The browser's client module (`wasm-browser/`: discovery, token requests and responses,
 * userinfo), fetched and compiled the first time a `BrowserOAuthClient` needs it. Pages
 * that only start a login never download it: they use the small `authorize` module that
 * `init()` loads.
 */
import type * as FullWasm from "../wasm/oauth_callback_wasm.js";
import type { WasmSource } from "./authorize-module.js";
import { useInitializedBindings } from "./protocol.js";
import { fetchModule, wasmLoadError, withDeadline } from "./wasm-fetch.js";

let source: WasmSource | undefined;
let loading: Promise<void> | undefined;

/** Where to fetch the client module from (a bundler's asset URL); before the first load. @internal */
export function setClientModuleSource(where: WasmSource | undefined): void {
  source = where;
}

/**
 * Fetches and compiles the client module once, within `timeoutMs` (the glue, the request,
 * its body and the compile); later calls share the same promise. A failed load is
 * forgotten, so the next call tries again. @internal
 */
export function loadClientModule(timeoutMs: number): Promise<void> {
  loading ??= withDeadline("client wasm module", { timeoutMs }, async (signal) => {
    const glue = await import("../wasm-browser/oauth_callback_wasm.js");
    const where = source ?? new URL("../wasm-browser/oauth_callback_wasm_bg.wasm", import.meta.url);
    const bytes = typeof where === "string" || where instanceof URL || where instanceof Response ? await fetchModule("client wasm module", where, signal) : where;
    await glue.default({ module_or_path: bytes });
    // The glue is one per page: when another copy of this entry has initialized it, the
    // response is never read. Cancel it rather than hold the connection.
    if (bytes instanceof Response && !bytes.bodyUsed) await bytes.body?.cancel();
    // The browser module lacks only the callback server, the store envelope and the
    // ID token checks, which nothing reachable from the browser entry calls.
    useInitializedBindings(glue as unknown as typeof FullWasm);
  }).catch((cause: unknown) => {
    loading = undefined;
    throw wasmLoadError("client wasm module (wasm-browser/oauth_callback_wasm_bg.wasm)", cause);
  });
  return loading;
}
