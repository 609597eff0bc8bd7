/** `oauth-callback-rs/mcp`: `browserAuth`, the stores and their types (node). */
export * from "./mcp/index.node.js";
