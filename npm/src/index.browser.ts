/**
 * oauth-callback-rs for browsers: PKCE, state, authorization URLs and templates from the
 * wasm core. Browsers compile wasm asynchronously, so call `await init()` once before the
 * other functions (they throw `NOT_INITIALIZED` until then). There is no loopback server
 * in a page.
 */
import { loadAuthorizeModule, type WasmSource } from "./authorize-module.js";
import { setClientModuleSource } from "./client-module.js";
import { useProtocolBindings } from "./protocol.js";
import type { WasmLoadOptions } from "./wasm-fetch.js";

export * from "./api.js";
export { BrowserOAuthClient, type BrowserOAuthClientOptions } from "./client/browser-login.js";
export type { OAuthEvent } from "./client/http.js";
export type { WasmSource } from "./authorize-module.js";
export type { WasmLoadOptions } from "./wasm-fetch.js";

let ready: Promise<void> | undefined;

/**
 * Fetches and compiles the small `authorize` module (`wasm-authorize/`: PKCE, state,
 * nonce, authorization URLs, templates; see the README for its size) once; later calls
 * return the same promise. The protocol functions need it; `BrowserOAuthClient` loads the
 * larger client module (`wasm-browser/`) by itself when it first needs it.
 * `source` overrides where the `authorize` module is fetched from, `clientSource` where
 * the client module is (a bundler's asset URLs).
 *
 * `options` bound the load this call starts: `timeoutMs` (default 30000) for the download
 * and the compile, past which it rejects with `TIMEOUT`, and `signal`, which cancels the
 * download and rejects with `ABORTED`. Calls made while a load runs share it, and its
 * bounds. A load that failed, timed out or was aborted is forgotten: the next `init()`
 * starts again.
 */
export function init(source?: WasmSource, clientSource?: WasmSource, options?: WasmLoadOptions): Promise<void> {
  if (clientSource !== undefined) setClientModuleSource(clientSource);
  ready ??= loadAuthorizeModule(source ?? new URL("../wasm-authorize/oauth_callback_authorize.wasm", import.meta.url), options).then(useProtocolBindings, (err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
}
