/**
 * oauth-callback-rs for Deno: the wasm core loaded synchronously on first use (needs
 * `--allow-read`); the loopback listener and callback server on `Deno.listen` /
 * `Deno.serve` (need `--allow-net`); the built-in launcher needs `--allow-run`.
 */
import { BaseOAuthClient, type OAuthClientOptions } from "./client/oauth-client.js";
import { getAuthCode } from "./runtime.deno.js";

export * from "./api.js";
export { getAuthCode };
export { openBrowser } from "./launcher.js";
export { bindLoopback } from "./listener-deno.js";
export { fileStore } from "./store/file-deno.js";
export * as mcp from "./mcp/index.deno.js";
export type { OAuthClientOptions, DeviceCodePrompt } from "./client/oauth-client.js";
export type { OAuthEvent } from "./client/http.js";
export type { ServerMetadata } from "./client/steps.js";

/**
 * An OAuth 2.1 client: browser sign-in over a loopback redirect, device flow, tokens
 * kept fresh in a store, logout with revocation. See `OAuthClientOptions`.
 */
export class OAuthClient extends BaseOAuthClient {
  constructor(options: OAuthClientOptions) {
    super(options, getAuthCode);
  }
}
