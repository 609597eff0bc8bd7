/**
 * oauth-callback-rs for browsers: PKCE, state, authorization URLs and templates from the
 * wasm core. Browsers compile wasm asynchronously, so call `await init()` once before the
 * other functions (they throw `NOT_INITIALIZED` until then). There is no loopback server
 * in a page.
 */
import initAsync, * as browserWasm from "../wasm-browser/oauth_callback_wasm.js";
import type * as FullWasm from "../wasm/oauth_callback_wasm.js";
import { useInitializedBindings } from "./protocol.js";

// The browser module lacks only the callback server and the store envelope, which
// nothing reachable from this entry calls.
const wasm = browserWasm as unknown as typeof FullWasm;

export * from "./api.js";
export { BrowserOAuthClient, type BrowserOAuthClientOptions } from "./client/browser-login.js";
export type { OAuthEvent } from "./client/http.js";

let ready: Promise<void> | undefined;

/**
 * Fetches and compiles the wasm core (`wasm-browser/`, see the README for its size) once; later calls return the same
 * promise. `source` overrides where the `.wasm` file is fetched from (a bundler's asset URL).
 */
export function init(source?: string | URL | Response | BufferSource): Promise<void> {
  ready ??= initAsync({ module_or_path: source ?? new URL("../wasm-browser/oauth_callback_wasm_bg.wasm", import.meta.url) }).then(
    () => useInitializedBindings(wasm),
    (err: unknown) => {
      ready = undefined;
      throw err;
    },
  );
  return ready;
}
