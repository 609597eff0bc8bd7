/**
 * How `browserAuth` keeps the SDK's objects in a store entry. Tokens and the client live
 * where every store user reads them (`entry.tokens`, `entry.client`, the `oauth-callback`
 * shapes); what those shapes have no field for (the SDK's `issuer` stamp, unknown fields,
 * the discovery state, the login lease) lives in `entry.discovery.mcp`, tied to the
 * tokens and client it belongs to, so a write by another program never mixes them up.
 */
import type { ClientInfo, StoreEntry, Tokens } from "../store/types.js";
import type { McpClientInformation, McpDiscoveryState, McpOAuthTokens } from "./types.js";

/** A cross-process login in progress: who runs it and where waiters hear of its end. */
export interface LoginLease {
  id: string;
  port: number;
  /** Milliseconds since the epoch after which the lease is void. */
  until: number;
}

/** The provider's part of an entry. */
export interface McpRecord {
  /** The MCP server's canonical URL. */
  resource?: string | undefined;
  /** The authorization server (the SDK's binding key). */
  issuer?: string | undefined;
  state?: McpDiscoveryState | undefined;
  /** Token fields beyond `Tokens`, for the tokens whose access token has fingerprint `of`. */
  tokenExtras?: { of: string; fields: Record<string, unknown> } | undefined;
  /** Client fields beyond `ClientInfo`, for the client `of`. */
  clientExtras?: { of: string; fields: Record<string, unknown> } | undefined;
  login?: LoginLease | undefined;
}

const NAME = "mcp";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function mcpRecord(entry: StoreEntry | null | undefined): McpRecord {
  const r = entry?.discovery?.[NAME];
  return isObject(r) ? (r as McpRecord) : {};
}

/** The entry with its record changed by `change`; an emptied record is removed. */
export function withRecord(entry: StoreEntry | null, change: (r: McpRecord) => McpRecord): StoreEntry {
  const next: StoreEntry = { ...(entry ?? {}) };
  const record = change({ ...mcpRecord(entry) });
  const discovery: Record<string, unknown> = { ...(entry?.discovery ?? {}) };
  for (const k of Object.keys(record) as (keyof McpRecord)[]) if (record[k] === undefined) delete record[k];
  if (Object.keys(record).length) discovery[NAME] = record;
  else delete discovery[NAME];
  if (Object.keys(discovery).length) next.discovery = discovery;
  else delete next.discovery;
  return next;
}

/** True when nothing but `updatedAt` is left: the store then deletes the entry. */
export function isEmpty(entry: StoreEntry): boolean {
  return Object.entries(entry).every(([k, v]) => k === "updatedAt" || v === undefined);
}

/** A short fingerprint (two FNV-1a rounds) that ties extras to one access token without repeating it. */
export function fingerprint(secret: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < secret.length; i++) {
    const c = secret.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

const TOKEN_FIELDS = new Set(["access_token", "refresh_token", "expires_in", "scope", "id_token", "token_type"]);
const CLIENT_FIELDS = new Set(["client_id", "client_secret", "client_id_issued_at", "client_secret_expires_at"]);

/** Splits what the SDK hands to `saveTokens` into `Tokens` and the rest. */
export function fromSdkTokens(t: McpOAuthTokens, now: number): { tokens: Tokens; extras: NonNullable<McpRecord["tokenExtras"]> } {
  const tokens: Tokens = { accessToken: t.access_token, tokenType: t.token_type || "Bearer" };
  if (typeof t.expires_in === "number" && Number.isFinite(t.expires_in) && t.expires_in >= 0) {
    tokens.expiresAt = now + t.expires_in * 1000;
    tokens.issuedAt = now;
  }
  if (t.refresh_token) tokens.refreshToken = t.refresh_token;
  if (t.scope) tokens.scope = t.scope;
  if (t.id_token) tokens.idToken = t.id_token;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) if (!TOKEN_FIELDS.has(k) && v !== undefined) fields[k] = v;
  return { tokens, extras: { of: fingerprint(t.access_token), fields } };
}

/** The SDK's shape of stored tokens: `expires_in` counted from now, extras when they belong to these tokens. */
export function toSdkTokens(t: Tokens, record: McpRecord, now: number): McpOAuthTokens {
  const x = record.tokenExtras;
  const out: McpOAuthTokens = { ...(x && x.of === fingerprint(t.accessToken) ? x.fields : {}), access_token: t.accessToken, token_type: t.tokenType ?? "Bearer" };
  if (t.expiresAt !== undefined) out.expires_in = Math.max(0, Math.floor((t.expiresAt - now) / 1000));
  if (t.refreshToken) out.refresh_token = t.refreshToken;
  if (t.scope) out.scope = t.scope;
  if (t.idToken) out.id_token = t.idToken;
  return out;
}

/** The lifetime the tokens were issued with, when known. */
export function lifetimeOf(t: Tokens): number | undefined {
  return typeof t.issuedAt === "number" && typeof t.expiresAt === "number" && t.expiresAt >= t.issuedAt ? t.expiresAt - t.issuedAt : undefined;
}

/** Splits what the SDK hands to `saveClientInformation` into `ClientInfo` and the rest. */
export function fromSdkClient(c: McpClientInformation, redirectUri: string): { client: ClientInfo; extras: NonNullable<McpRecord["clientExtras"]> } {
  const client: ClientInfo = { clientId: c.client_id, redirectUris: Array.isArray(c.redirect_uris) ? [...c.redirect_uris] : [redirectUri] };
  if (c.client_secret !== undefined) client.clientSecret = c.client_secret;
  if (c.client_id_issued_at !== undefined) client.clientIdIssuedAt = c.client_id_issued_at;
  if (c.client_secret_expires_at !== undefined) client.clientSecretExpiresAt = c.client_secret_expires_at;
  if (Array.isArray(c.grant_types)) client.grantTypes = [...c.grant_types];
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (!CLIENT_FIELDS.has(k) && v !== undefined) fields[k] = v;
  return { client, extras: { of: c.client_id, fields } };
}

/** The SDK's shape of a stored client, with its extras when they belong to it. */
export function toSdkClient(c: ClientInfo, record: McpRecord): McpClientInformation {
  const x = record.clientExtras;
  const out: McpClientInformation = { ...(x && x.of === c.clientId ? x.fields : {}), client_id: c.clientId };
  if (c.clientSecret !== undefined) out.client_secret = c.clientSecret;
  if (c.clientIdIssuedAt !== undefined) out.client_id_issued_at = c.clientIdIssuedAt;
  if (c.clientSecretExpiresAt !== undefined) out.client_secret_expires_at = c.clientSecretExpiresAt;
  if (out.redirect_uris === undefined && c.redirectUris) out.redirect_uris = [...c.redirectUris];
  if (out.grant_types === undefined && c.grantTypes) out.grant_types = [...c.grantTypes];
  return out;
}

/** RFC 8707 / MCP: the canonical URL of a server (parsed, without fragment). */
export function canonicalUrl(u: string | URL): string {
  const url = new URL(String(u));
  url.hash = "";
  return url.href;
}

/** Two authorization server identifiers, equal up to one trailing slash (as the SDK compares them). */
export function sameIssuer(a: string, b: string): boolean {
  const norm = (s: string) => {
    try {
      return new URL(s).href.replace(/\/$/, "");
    } catch {
      return s.replace(/\/$/, "");
    }
  };
  return norm(a) === norm(b);
}

/** The `iss` and `aud` claims of a JWT access token, unverified (only to recognise whose token it is). */
export function jwtClaims(token: string): { iss?: string; aud: string[] } | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0)))) as unknown;
    if (!isObject(json)) return undefined;
    const aud = typeof json.aud === "string" ? [json.aud] : Array.isArray(json.aud) ? json.aud.filter((a): a is string => typeof a === "string") : [];
    const out: { iss?: string; aud: string[] } = { aud };
    if (typeof json.iss === "string") out.iss = json.iss;
    return out;
  } catch {
    return undefined;
  }
}
