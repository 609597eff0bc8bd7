/**
 * oauth-callback-rs for Node and Bun: the wasm core loaded synchronously on first use,
 * the native addon (hyper callback server, sockets) loaded lazily.
 */
import { BaseOAuthClient, type OAuthClientOptions } from "./client/oauth-client.js";
import { runAuthCodeFlow, type CallbackResult, type GetAuthCodeOptions } from "./auth-code.js";
import { startNativeCallbackServer } from "./callback-native.js";
import { useSyncLoader } from "./protocol.js";
import { loadWasmSync } from "./wasm-sync.js";

useSyncLoader(loadWasmSync);

export * from "./api.js";
export type { OAuthClientOptions, DeviceCodePrompt } from "./client/oauth-client.js";
export type { OAuthEvent } from "./client/http.js";
export type { ServerMetadata } from "./client/steps.js";
export { fileStore } from "./store/file-native.js";
export { keychainStore, type KeychainStoreOptions } from "./store/keychain.js";
export { bindLoopback } from "./listener-native.js";

/**
 * Starts a loopback server, opens the authorization URL (managed mode), waits for the
 * redirect, shows the user a page, closes the server and returns the parameters.
 * Rejects with `OAuthError` (the redirect carried an OAuth error), `TimeoutError`, an
 * `OAuthCallbackError` (bad options, `PORT_IN_USE`, `NOT_LOOPBACK`...) or the signal's reason.
 */
export function getAuthCode(input: GetAuthCodeOptions | string): Promise<CallbackResult> {
  return runAuthCodeFlow(startNativeCallbackServer, input);
}

/**
 * An OAuth 2.1 client: browser sign-in over a loopback redirect, device flow, tokens
 * kept fresh in a store, logout with revocation. See `OAuthClientOptions`.
 */
export class OAuthClient extends BaseOAuthClient {
  constructor(options: OAuthClientOptions) {
    super(options, getAuthCode);
  }
}
