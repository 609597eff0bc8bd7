/** `oauth-callback-rs/mcp`: `browserAuth`, the stores and their types (deno). */
export * from "./mcp/index.deno.js";
