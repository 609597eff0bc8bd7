/**
 * oauth-callback-rs for Node and Bun: the wasm core loaded synchronously on first use,
 * the native addon loaded lazily for the loopback server.
 */
import { setBindingsProvider } from "./protocol.js";
import { loadWasmSync } from "./wasm-sync.js";

setBindingsProvider(loadWasmSync);

export * from "./api.js";
export { bindLoopback } from "./listener-native.js";
