/**
 * oauth-callback-rs for browsers: PKCE, state, authorization URLs and templates from the
 * wasm core. Browsers compile wasm asynchronously, so call `await init()` once before the
 * other functions (they throw `NOT_INITIALIZED` until then). There is no loopback server
 * in a page.
 */
import { loadAuthorizeModule, useFullOperations, type WasmSource } from "./authorize-module.js";
import { setClientModuleSource } from "./client-module.js";
import { challengeFromVerifier as challenge, getRedirectUrl as redirectUrl, renderTemplate as render, useProtocolBindings } from "./protocol.js";
import type { WasmLoadOptions } from "./wasm-fetch.js";

export * from "./api.js";
export { BrowserOAuthClient, type BrowserOAuthClientOptions } from "./client/browser-login.js";
export type { OAuthEvent } from "./client/http.js";
export type { WasmSource } from "./authorize-module.js";
export type { WasmLoadOptions } from "./wasm-fetch.js";

let ready: Promise<void> | undefined;

// Whether this page uses challengeFromVerifier, renderTemplate or getRedirectUrl, whose
// operations only the `full` build of the authorize module has. Each is `withFull(fn)`, a
// call marked pure: a bundler drops it, and so never sets this (nor adds those operations
// to the module's bindings), when the page does not use the function; a page that does
// (or imports this file unbundled) sets it before it can call init().
let fullWanted = false;

function withFull<F>(fn: F): F {
  fullWanted = true;
  useFullOperations();
  return fn;
}

/**
 * RFC 7636 §4.2: the S256 challenge of an existing verifier, after validating it (§4.1).
 * A page that uses it makes `init()` load the authorize module's `full` build.
 */
export const challengeFromVerifier: typeof challenge = /* @__PURE__ */ withFull(challenge);

/**
 * Renders an HTML template: each `{{name}}` becomes the HTML-escaped value (`& < > " '`);
 * unknown placeholders render empty; values are never re-scanned for placeholders.
 * A page that uses it makes `init()` load the authorize module's `full` build.
 */
export const renderTemplate: typeof render = /* @__PURE__ */ withFull(render);

/**
 * RFC 8252 §7.3: the loopback redirect URI, `http://localhost:3000/callback` by default.
 * A page that uses it makes `init()` load the authorize module's `full` build.
 */
export const getRedirectUrl: typeof redirectUrl = /* @__PURE__ */ withFull(redirectUrl);

/** The authorize module's URL next to this file: the `full` build when the page needs it. */
function authorizeModuleUrl(): URL {
  // Two literal `new URL(..., import.meta.url)`: bundlers find both modules as assets.
  return fullWanted
    ? new URL("../wasm-authorize/oauth_callback_authorize.wasm", import.meta.url)
    : new URL("../wasm-authorize/oauth_callback_authorize_min.wasm", import.meta.url);
}

/**
 * Fetches and compiles the small `authorize` module once; later calls return the same
 * promise. It is `wasm-authorize/oauth_callback_authorize_min.wasm` (PKCE, state, nonce,
 * authorization URLs; see the README for its size), or `oauth_callback_authorize.wasm`
 * (also templates, loopback redirect URIs, challenges of existing verifiers) for a page
 * that uses `renderTemplate`, `getRedirectUrl` or `challengeFromVerifier`: a bundler that
 * leaves those functions out leaves that choice out too.
 * The protocol functions need it; `BrowserOAuthClient` loads the larger login module
 * (`wasm-login/oauth_callback_login.wasm`) by itself when it first needs it.
 * `source` overrides where the `authorize` module is fetched from, `clientSource` where
 * the login module is (a bundler's asset URLs).
 *
 * `options` bound the load this call starts: `timeoutMs` (default 30000) for the download
 * and the compile, past which it rejects with `TIMEOUT`, and `signal`, which cancels the
 * download and rejects with `ABORTED`. Calls made while a load runs share it, and its
 * bounds. A load that failed, timed out or was aborted is forgotten: the next `init()`
 * starts again.
 */
export function init(source?: WasmSource, clientSource?: WasmSource, options?: WasmLoadOptions): Promise<void> {
  if (clientSource !== undefined) setClientModuleSource(clientSource);
  ready ??= loadAuthorizeModule(source ?? authorizeModuleUrl(), options).then(useProtocolBindings, (err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
}
