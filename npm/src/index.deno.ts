/**
 * oauth-callback-rs for Deno: the wasm core loaded synchronously on first use (needs
 * `--allow-read`), the loopback listener on `Deno.listen` (needs `--allow-net`).
 */
import { useSyncLoader } from "./protocol.js";
import { loadWasmSync } from "./wasm-sync.js";

useSyncLoader(loadWasmSync);

export * from "./api.js";
export { bindLoopback } from "./listener-deno.js";
