/**
 * What the deno entry points share: the wasm core loaded synchronously on first use, and
 * `getAuthCode` on the best callback server driver this process may use: the addon's
 * server when Deno runs with `--allow-ffi`, otherwise the strict `Deno.listen`
 * driver, whose request heads the core reads: the same bytes, limits and timeouts.
 */
import { runAuthCodeFlow, type CallbackResult, type GetAuthCodeOptions } from "../auth-code.js";
import type { StartCallbackServer } from "../callback-driver.js";
import { startDenoCallbackServer } from "./callback-server.js";
import { startNativeCallbackServer } from "../node/callback-server.js";
import { OAuthCallbackError } from "../errors.js";
import type { LoopbackListener, LoopbackOptions } from "../listener.js";
import { bindLoopback as bindDenoLoopback } from "./listener.js";
import { bindLoopback as bindNativeLoopback } from "../node/listener.js";
import { setUpDenoSignalsNow } from "./loopback.js";
import { loadNative } from "../node/addon.js";
import { keychainStore as nativeKeychainStore, type KeychainStoreOptions } from "../node/keychain.js";
import type { OAuthStore } from "../store/types.js";
import { useHostRandomness, useSyncLoader } from "../protocol.js";
import { hostRandomness } from "../pkce-host.js";
import { loadWasmSync } from "../wasm-sync.js";

useSyncLoader(loadWasmSync);
useHostRandomness(hostRandomness);

declare const Deno: { permissions: { querySync(d: { name: "ffi" }): { state: string } } };

let addonUsable: boolean | undefined;

/**
 * Whether the Node-API addon can be used here: Deno loads it only with `--allow-ffi`
 * (asking would prompt, so only a granted permission counts), and only where a binary
 * for this platform exists.
 */
export function denoAddonUsable(): boolean {
  if (addonUsable !== undefined) return addonUsable;
  let granted = false;
  try {
    granted = Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    granted = false;
  }
  if (!granted) return (addonUsable = false);
  try {
    loadNative();
    return (addonUsable = true);
  } catch (err) {
    if (err instanceof OAuthCallbackError && err.code === "NATIVE_UNAVAILABLE") return (addonUsable = false);
    throw err;
  }
}

const startServer: StartCallbackServer = (config) => {
  // Deno sets up its signal handling lazily and panics if no descriptor is free then
  // (a flood at the port): have it done before anything listens.
  setUpDenoSignalsNow();
  return denoAddonUsable() ? startNativeCallbackServer(config) : startDenoCallbackServer(config);
};

/**
 * Starts a loopback server, opens the authorization URL (managed mode), waits for the
 * redirect, shows the user a page, closes the server and returns the parameters.
 * Rejects with `OAuthError` (the redirect carried an OAuth error), `TimeoutError`, an
 * `OAuthCallbackError` (bad options, `EADDRINUSE`, `NOT_LOOPBACK`...) or `ABORTED` when the signal fires.
 */
export function getAuthCode(input: GetAuthCodeOptions | string): Promise<CallbackResult> {
  return runAuthCodeFlow(startServer, input);
}

/**
 * RFC 8252 §7.3 loopback listener: the addon's with `--allow-ffi` (so `getAuthCode` can
 * take its sockets over), `Deno.listen` otherwise; the same addresses and errors.
 */
export function bindLoopback(options: LoopbackOptions = {}): LoopbackListener {
  return denoAddonUsable() ? bindNativeLoopback(options) : bindDenoLoopback(options);
}

/** The OS keychain through the addon; Deno loads it only with `--allow-ffi`. */
export function keychainStore(options: KeychainStoreOptions): OAuthStore {
  if (!denoAddonUsable()) {
    throw new OAuthCallbackError("NATIVE_UNAVAILABLE", "keychainStore in Deno uses the native addon: run with --allow-ffi (and on a platform with a prebuilt binary)");
  }
  return nativeKeychainStore(options);
}
