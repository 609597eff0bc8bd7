// Where the browser entry's wasm module sits in the built package, for runtimes that load
// the browser entry from files (its init() then gets the bytes instead of a URL to fetch).
export const browserWasmBytes = new URL("../../npm/wasm-browser/oauth_callback_wasm_bg.wasm", import.meta.url);
