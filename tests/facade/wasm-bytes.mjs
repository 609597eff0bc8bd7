// Where the browser entry's authorize module (what init() loads) sits in the built
// package, for runtimes that load the browser entry from files: its init() then gets the
// bytes instead of a URL to fetch.
export const browserWasmBytes = new URL("../../npm/wasm-authorize/oauth_callback_authorize.wasm", import.meta.url);
// The same module without feature `full` (no templates, loopback redirect URIs or
// challenges of existing verifiers): what init() loads for a bundled page that uses none.
export const minWasmBytes = new URL("../../npm/wasm-authorize/oauth_callback_authorize_min.wasm", import.meta.url);
