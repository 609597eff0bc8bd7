/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP
 * SEP-991): the JSON a client publishes at the https URL that is its `client_id`.
 */
import { OAuthCallbackError, expectString } from "../errors.js";
import { machineSteps } from "./machine-steps.js";

/** Options of {@link clientMetadataDocument}. */
export interface ClientMetadataDocumentOptions {
  /** The https URL the document is published at: the client's `client_id`. */
  clientMetadataUrl: string;
  /** `client_name`, shown on the consent screen. */
  clientName: string;
  /**
   * The redirect URIs (default: `http://localhost/callback` and
   * `http://127.0.0.1/callback`, the loopback redirects of `browserAuth` and
   * `OAuthClient` without a port: RFC 8252 §7.3 has the server accept any port).
   */
  redirectUris?: readonly string[];
  /** `scope`, when the client always asks for the same. */
  scope?: string;
  /** `grant_types` (default `authorization_code`, `refresh_token`). */
  grantTypes?: readonly string[];
}

/**
 * The document to publish at `clientMetadataUrl` (serve it as `application/json`): a
 * public native client whose `client_id` is that URL, checked by the core (https, a
 * path, no fragment; loopback or https redirect URIs).
 */
export function clientMetadataDocument(options: ClientMetadataDocumentOptions): Record<string, unknown> {
  if (typeof options !== "object" || options === null) throw new OAuthCallbackError("INVALID_PARAMETER", "clientMetadataDocument needs { clientMetadataUrl, clientName }");
  const list = (name: string, v: readonly string[] | undefined) => (v === undefined ? undefined : (Array.isArray(v) ? v : []).map((x, i) => expectString(`${name}[${i}]`, x)));
  const redirects = list("redirectUris", options.redirectUris) ?? ["http://localhost/callback", "http://127.0.0.1/callback"];
  return machineSteps.clientMetadataDocument(
    expectString("clientMetadataUrl", options.clientMetadataUrl),
    expectString("clientName", options.clientName),
    redirects,
    list("grantTypes", options.grantTypes) ?? [],
    options.scope === undefined ? undefined : expectString("scope", options.scope),
  );
}
