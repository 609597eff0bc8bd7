/**
 * oauth-callback-rs for Node and Bun: the wasm core loaded synchronously on first use,
 * the native addon loaded lazily for the loopback server.
 */
import { useSyncLoader } from "./protocol.js";
import { loadWasmSync } from "./wasm-sync.js";

useSyncLoader(loadWasmSync);

export * from "./api.js";
export { bindLoopback } from "./listener-native.js";
export { getAuthCode, type CallbackResult, type GetAuthCodeOptions, type AuthCodeEvent } from "./auth-code.js";
export type { BrowserLaunch } from "./launcher.js";
