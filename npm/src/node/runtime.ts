/**
 * What the node entry points share: the wasm core loaded synchronously on first use, and
 * `getAuthCode` on this runtime's callback server driver.
 */
import { runAuthCodeFlow, type CallbackResult, type GetAuthCodeOptions } from "../auth-code.js";
import { startNativeCallbackServer } from "./callback-server.js";
import { useHostRandomness, useSyncLoader } from "../protocol.js";
import { hostRandomness } from "../pkce-host.js";
import { loadWasmSync } from "../wasm-sync.js";

useSyncLoader(loadWasmSync);
useHostRandomness(hostRandomness);

/**
 * Starts a loopback server, opens the authorization URL (managed mode), waits for the
 * redirect, shows the user a page, closes the server and returns the parameters.
 * Rejects with `OAuthError` (the redirect carried an OAuth error), `TimeoutError`, an
 * `OAuthCallbackError` (bad options, `EADDRINUSE`, `NOT_LOOPBACK`...) or `ABORTED` when the signal fires.
 */
export function getAuthCode(input: GetAuthCodeOptions | string): Promise<CallbackResult> {
  return runAuthCodeFlow(startNativeCallbackServer, input);
}
