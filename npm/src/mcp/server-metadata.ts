/**
 * The authorization server the MCP SDK's discovery found, as the providers use it: the
 * SDK's `OAuthDiscoveryState` (the server URL including its path, and its metadata)
 * checked by the core, never discovered again from an origin.
 *
 * - The resource's RFC 9728 metadata named the server: its RFC 8414 metadata must carry
 *   exactly that `issuer` (§3.3), or the SDK's `auth()` fails with `ISSUER_MISMATCH`.
 * - No RFC 9728 metadata (MCP 2025-03-26): the server is the MCP server's origin; its
 *   metadata may name an issuer elsewhere on that origin, never on another one.
 * - No metadata at all (2025-03-26 §2.3.3): `/authorize`, `/token`, `/register` at the origin.
 */
import { machineSteps } from "../client/machine-steps.js";
import type { ServerMetadata } from "../client/steps.js";
import type { McpDiscoveryState } from "./types.js";

/** True when the resource's RFC 9728 metadata lists the authorization server the SDK chose. */
export function namedByResource(state: McpDiscoveryState): boolean {
  const servers = state.resourceMetadata?.authorization_servers;
  return Array.isArray(servers) && servers.some((s) => s === state.authorizationServerUrl);
}

/** The checked metadata of the server in `state` (throws `ISSUER_MISMATCH` and the like). */
export function checkedServer(state: McpDiscoveryState): ServerMetadata {
  if (state.authorizationServerMetadata) {
    return machineSteps.checkMcpMetadata(state.authorizationServerUrl, namedByResource(state), state.authorizationServerMetadata);
  }
  return machineSteps.mcpDefaultEndpoints(state.authorizationServerUrl);
}

/** The RFC 8707 resource the SDK sends (the resource metadata's `resource`, verbatim). */
export function resourceOf(state: McpDiscoveryState | undefined): string[] {
  const r = state?.resourceMetadata?.resource;
  return typeof r === "string" ? [r] : [];
}
