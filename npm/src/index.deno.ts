/**
 * oauth-callback-rs for Deno: the wasm core loaded synchronously on first use (needs
 * `--allow-read`); the loopback listener and callback server on the native addon's
 * server with `--allow-ffi` (as in Node and Bun), else on `Deno.listen` with the core
 * (both need `--allow-net`); the keychain needs `--allow-ffi`; the built-in launcher
 * needs `--allow-run`.
 */
import { BaseOAuthClient, type OAuthClientOptions } from "./client/oauth-client.js";
import { getAuthCode } from "./deno/runtime.js";
export { bindLoopback, keychainStore } from "./deno/runtime.js";
export type { KeychainStoreOptions } from "./node/keychain.js";

export * from "./api.js";
export { getAuthCode };
export { openBrowser, browserCommand, type BrowserCommandContext } from "./launcher.js";
export { fileStore } from "./deno/file-store.js";
export { redisStore, type RedisStore, type RedisStoreOptions, type RedisCommandClient, type RedisCommandOptions } from "./store/redis.js";
export * as mcp from "./mcp/index.deno.js";
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
