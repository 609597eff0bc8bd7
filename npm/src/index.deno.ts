/**
 * oauth-callback-rs for Deno: the wasm core loaded synchronously on first use (needs
 * `--allow-read`), the loopback listener and callback server on `Deno.listen` /
 * `Deno.serve` (need `--allow-net`); the built-in launcher needs `--allow-run`.
 */
import { BaseOAuthClient, type OAuthClientOptions } from "./client/oauth-client.js";
import { runAuthCodeFlow, type CallbackResult, type GetAuthCodeOptions } from "./auth-code.js";
import { startDenoCallbackServer } from "./callback-deno.js";
import { useSyncLoader } from "./protocol.js";
import { loadWasmSync } from "./wasm-sync.js";

useSyncLoader(loadWasmSync);

export * from "./api.js";
export type { OAuthClientOptions, DeviceCodePrompt } from "./client/oauth-client.js";
export type { OAuthEvent } from "./client/http.js";
export type { ServerMetadata } from "./client/steps.js";
export { fileStore } from "./store/file-deno.js";
export { bindLoopback } from "./listener-deno.js";

/**
 * Starts a loopback server on `Deno.serve`, opens the authorization URL (managed mode),
 * waits for the redirect, shows the user a page, closes the server and returns the
 * parameters. Rejects like the Node version: `OAuthError`, `TimeoutError`,
 * `OAuthCallbackError`, or the signal's reason.
 */
export function getAuthCode(input: GetAuthCodeOptions | string): Promise<CallbackResult> {
  return runAuthCodeFlow(startDenoCallbackServer, input);
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
