/**
 * oauth-callback-rs for Node and Bun: the wasm core loaded synchronously on first use,
 * the native addon (callback server, sockets, file locks, keychain) loaded lazily.
 */
import { BaseOAuthClient, type OAuthClientOptions } from "./client/oauth-client.js";
import { getAuthCode } from "./node/runtime.js";

export * from "./api.js";
export { getAuthCode };
export { openBrowser, browserCommand, type BrowserCommandContext } from "./launcher.js";
export { bindLoopback } from "./node/listener.js";
export { fileStore } from "./node/file-store.js";
export { keychainStore, type KeychainStoreOptions } from "./node/keychain.js";
export { redisStore, type RedisStore, type RedisStoreOptions, type RedisCommandClient, type RedisCommandOptions } from "./store/redis.js";
export * as mcp from "./mcp/index.node.js";
export type { OAuthClientOptions, DeviceCodePrompt } from "./client/oauth-client.js";
export type { OAuthEvent } from "./client/http.js";
export { validateIdToken, type ValidateIdTokenOptions } from "./client/steps-public.js";

/**
 * An OAuth 2.1 client: browser sign-in over a loopback redirect, device flow, tokens
 * kept fresh in a store, logout with revocation. See `OAuthClientOptions`.
 */
export class OAuthClient extends BaseOAuthClient {
  constructor(options: OAuthClientOptions) {
    super(options, getAuthCode);
  }
}
