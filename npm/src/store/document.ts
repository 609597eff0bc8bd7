/**
 * The store document in its two layouts.
 *
 * - `versionedLayout`: one object `{format, version, entries}` holding every key's whole
 *   entry. Kept inside encrypted files, in the keychain and in memory: nobody else reads
 *   those, and the version lets a later release read today's documents.
 * - `peerLayout`: plain files. The top level is `oauth-callback`'s own file layout (each
 *   key mapped to its `Tokens`), so either library reads what the other wrote and a
 *   rollback loses nothing. What the peer has no place for (client registrations, PKCE
 *   verifiers, discovery, `updatedAt`, entries without tokens) lives under one reserved
 *   key, `RESERVED_KEY`, as a small versioned record. The peer keeps keys it does not
 *   know when it rewrites the file, so that record survives the peer's writes.
 */
import { OAuthCallbackError } from "../errors.js";
import type { StoreEntry, Tokens } from "./types.js";

const FORMAT = "oauth-callback-rs/token-store";
const VERSION = 1;
const EXTRAS_FORMAT = "oauth-callback-rs/extras";
const EXTRAS_VERSION = 1;

/**
 * The top-level key of a plain file that holds this library's extra records. Not a URL
 * and not a plausible server name, so no real store key collides with it; plain file
 * stores refuse it as a key.
 */
export const RESERVED_KEY = "__oauth-callback-rs__";

/** Entries by key; a Map so that keys like `__proto__` are plain data. */
export type Entries = Map<string, StoreEntry>;

/** How a backend turns entries into document text and back. */
export interface DocumentLayout {
  /** Parses a document; `null` (nothing stored yet) gives no entries. */
  parse(text: string | null, where: string): Entries;
  /** Serializes entries to the document text. */
  serialize(entries: Entries): string;
  /** Throws a typed error for a key this layout cannot hold. */
  checkKey(key: string): void;
}

type JsonObject = { readonly [name: string]: unknown };

function corrupt(where: string, why: string): OAuthCallbackError {
  return new OAuthCallbackError("STORE_CORRUPT", `${where}: not a token store document (${why}); it was left as it is`);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A key from a file, quoted for a message: escaped, so it cannot drive a terminal. */
function shown(key: string): string {
  const quoted = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}...` : key);
  return quoted.replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(where, "invalid JSON, truncated or overwritten");
  }
}

/**
 * The entries of a `{format, version, entries}` record whose format was already
 * matched: a version from a newer release is refused rather than misread.
 */
function versionedEntries(record: JsonObject, where: string, maxVersion: number): Entries {
  const { version, entries } = record;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) throw corrupt(where, "bad version");
  if (version > maxVersion) {
    throw new OAuthCallbackError("STORE_VERSION_UNSUPPORTED", `${where} was written by a newer oauth-callback-rs (format version ${version}); upgrade to read it`);
  }
  if (!isObject(entries)) throw corrupt(where, "no entries");
  const out: Entries = new Map();
  for (const [key, value] of Object.entries(entries)) {
    if (!isObject(value)) throw corrupt(where, `the entry ${shown(key)} is not an object`);
    out.set(key, value as StoreEntry);
  }
  return out;
}

function withoutUndefined(entry: StoreEntry): Array<[string, unknown]> {
  return Object.entries(entry).filter(([, v]) => v !== undefined);
}

/** The whole document as one versioned object (encrypted files, keychain, memory). */
export const versionedLayout: DocumentLayout = {
  parse(text, where) {
    if (text === null) return new Map();
    const doc = parseJson(text, where);
    if (!isObject(doc) || doc.format !== FORMAT) throw corrupt(where, "unknown format");
    return versionedEntries(doc, where, VERSION);
  },
  serialize(entries) {
    return `${JSON.stringify({ format: FORMAT, version: VERSION, entries: Object.fromEntries(entries) }, null, 2)}\n`;
  },
  checkKey() {},
};

/** The extra records under `RESERVED_KEY`: everything of an entry but its tokens. */
function parseExtras(record: unknown, where: string): Entries {
  if (!isObject(record) || record.format !== EXTRAS_FORMAT) throw corrupt(where, `${shown(RESERVED_KEY)} is not a record of this library`);
  const extras = versionedEntries(record, where, EXTRAS_VERSION);
  for (const [key, extra] of extras) {
    // Tokens live only at the top level, where the peer reads and writes them.
    if (extra.tokens !== undefined) throw corrupt(where, `the extra record of ${shown(key)} holds tokens`);
  }
  return extras;
}

/** Reads a plain file in the peer's layout (tokens at the top level, extras aside). */
function parsePeer(doc: JsonObject, where: string): Entries {
  const out: Entries = new Map();
  for (const [key, tokens] of Object.entries(doc)) {
    if (key === RESERVED_KEY) continue;
    if (!isObject(tokens)) throw corrupt(where, `the value of ${shown(key)} is not a token object`);
    out.set(key, { tokens: tokens as unknown as Tokens });
  }
  if (Object.hasOwn(doc, RESERVED_KEY)) {
    for (const [key, extra] of parseExtras(doc[RESERVED_KEY], where)) {
      const tokens = out.get(key)?.tokens;
      out.set(key, tokens === undefined ? extra : { tokens, ...extra });
    }
  }
  return out;
}

/**
 * The part of an entry the peer's layout cannot hold, or `undefined` when the entry is
 * tokens and `updatedAt` only. Such an entry's `updatedAt` is dropped rather than giving
 * it an extra record: a file that holds only tokens stays byte-identical to the peer's.
 */
function extrasOf(entry: StoreEntry): StoreEntry | undefined {
  const { tokens, ...rest } = entry;
  const fields = withoutUndefined(rest);
  if (tokens !== undefined && fields.every(([name]) => name === "updatedAt")) return undefined;
  return Object.fromEntries(fields) as StoreEntry;
}

/** Plain files: the peer's layout plus this library's reserved record. */
export const peerLayout: DocumentLayout = {
  parse(text, where) {
    if (text === null) return new Map();
    const doc = parseJson(text, where);
    if (!isObject(doc)) throw corrupt(where, "the top level is not a JSON object");
    // This package's previous plain layout; the next write replaces it with this one.
    // (`format` with a string value cannot be a peer key: a peer value is an object.)
    if (doc.format === FORMAT) return versionedEntries(doc, where, VERSION);
    return parsePeer(doc, where);
  },
  serialize(entries) {
    const top: Array<[string, unknown]> = [];
    const extras: Array<[string, StoreEntry]> = [];
    for (const [key, entry] of entries) {
      peerLayout.checkKey(key);
      if (entry.tokens !== undefined) top.push([key, entry.tokens]);
      const extra = extrasOf(entry);
      if (extra !== undefined) extras.push([key, extra]);
    }
    if (extras.length > 0) top.push([RESERVED_KEY, { format: EXTRAS_FORMAT, version: EXTRAS_VERSION, entries: Object.fromEntries(extras) }]);
    // Exactly what the peer writes (`JSON.stringify(data, null, 2)`, no final newline);
    // Object.fromEntries orders keys as the peer's object does.
    return JSON.stringify(Object.fromEntries(top), null, 2);
  },
  checkKey(key) {
    if (key === RESERVED_KEY) {
      throw new OAuthCallbackError("INVALID_PARAMETER", `the store key ${JSON.stringify(RESERVED_KEY)} is reserved in plain token files (it holds this library's extra records)`);
    }
  },
};
