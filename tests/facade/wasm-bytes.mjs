// Where the browser entry's authorize module (what init() loads) sits in the built
// package, for runtimes that load the browser entry from files: its init() then gets the
// bytes instead of a URL to fetch.
export const browserWasmBytes = new URL("../../npm/wasm-authorize/oauth_callback_authorize.wasm", import.meta.url);
