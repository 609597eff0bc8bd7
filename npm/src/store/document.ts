/**
 * The store document: one JSON object holding every key's entry, versioned so a later
 * release can read today's files. The same text is kept in memory, in a file (plain or
 * inside core's encrypted envelope) and in the keychain.
 */
import { OAuthCallbackError } from "../errors.js";
import type { StoreEntry } from "./types.js";

const FORMAT = "oauth-callback-rs/token-store";
const VERSION = 1;

/** Entries by key; a Map so that keys like `__proto__` are plain data. */
export type Entries = Map<string, StoreEntry>;

function corrupt(where: string, why: string): OAuthCallbackError {
  return new OAuthCallbackError("STORE_CORRUPT", `${where}: not a token store document (${why}); it was left as it is`);
}

/** Parses a document; `null` (nothing stored yet) gives no entries. */
export function parseDocument(text: string | null, where: string): Entries {
  if (text === null) return new Map();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw corrupt(where, "invalid JSON, truncated or overwritten");
  }
  if (typeof doc !== "object" || doc === null || (doc as { format?: unknown }).format !== FORMAT) throw corrupt(where, "unknown format");
  const { version, entries } = doc as { version?: unknown; entries?: unknown };
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) throw corrupt(where, "bad version");
  if (version > VERSION) {
    throw new OAuthCallbackError("STORE_VERSION_UNSUPPORTED", `${where} was written by a newer oauth-callback-rs (format version ${version}); upgrade to read it`);
  }
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) throw corrupt(where, "no entries");
  const out: Entries = new Map();
  for (const [key, value] of Object.entries(entries)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw corrupt(where, "an entry is not an object");
    out.set(key, value as StoreEntry);
  }
  return out;
}

/** Serializes entries to the document text. */
export function serializeDocument(entries: Entries): string {
  return `${JSON.stringify({ format: FORMAT, version: VERSION, entries: Object.fromEntries(entries) }, null, 2)}\n`;
}
