/**
 * The module `BrowserOAuthClient` loads (`wasm-login/oauth_callback_login.wasm`: the
 * `authorize` module's functions plus discovery, token requests and responses, UserInfo,
 * revocation; see login-module.ts), fetched and compiled the first time a client needs it.
 * Pages that only start a login never download it: they use the small `authorize` module
 * that `init()` loads. It has no wasm-bindgen glue, so the page's bundle carries none.
 */
import type * as FullWasm from "../wasm/oauth_callback_wasm.js";
import type { WasmSource } from "./wasm-frame.js";
import { loadLoginModule } from "./login-module.js";
import { useInitializedBindings } from "./protocol.js";

let source: WasmSource | undefined;
let loading: Promise<void> | undefined;

/** Where to fetch the client's (`login`) module from (a bundler's asset URL); before the first load. @internal */
export function setClientModuleSource(where: WasmSource | undefined): void {
  source = where;
}

/**
 * Fetches and compiles the client's module once, within `timeoutMs` (the request, its
 * body and the compile); later calls share the same promise. A failed load is forgotten,
 * so the next call tries again. @internal
 */
export function loadClientModule(timeoutMs: number): Promise<void> {
  loading ??= loadLoginModule(source ?? new URL("../wasm-login/oauth_callback_login.wasm", import.meta.url), { timeoutMs }).then(
    (bindings) => {
      // The login module has every function the browser entry reaches (BrowserOAuthClient
      // and the protocol steps); it lacks the loopback server, the store envelope, the
      // device flow, registration and the ID token checks, which the browser entry never
      // calls (`validateIdToken` finds no `validateIdToken` and says NOT_AVAILABLE).
      useInitializedBindings(bindings as unknown as typeof FullWasm);
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}
