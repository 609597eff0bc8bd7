/**
 * One implementation of `OAuthStore` over any backend that can read the document and run
 * a read-modify-write under its lock. Memory, file and keychain stores differ only there.
 */
import { OAuthCallbackError } from "../errors.js";
import { versionedLayout, type DocumentLayout } from "./document.js";
import { OAuthStoreBrand, type ClientInfo, type OAuthStore, type StoreEntry, type Tokens } from "./types.js";

/** Where a store keeps the document. */
export interface DocumentBackend {
  /** Names the store in error messages (a path, a keychain service). */
  readonly where: string;
  /**
   * How the document is laid out (default `versionedLayout`): plain files use the peer's
   * layout so `oauth-callback` can read them; everything else the versioned document.
   */
  readonly layout?: DocumentLayout;
  /** The document text, or `null` when nothing is stored. */
  read(): Promise<string | null>;
  /** Runs `change` on the current text under the lock; writes what it returns, if anything. */
  transaction<T>(change: (current: string | null) => Promise<{ write?: string; result: T }>): Promise<T>;
}

function checkKey(key: unknown, layout: DocumentLayout): string {
  if (typeof key !== "string" || key === "") throw new OAuthCallbackError("INVALID_PARAMETER", "a store key must be a non-empty string");
  layout.checkKey(key);
  return key;
}

function checkTokens(tokens: unknown): Tokens {
  const t = tokens as Partial<Tokens> | null;
  if (typeof t !== "object" || t === null || typeof t.accessToken !== "string" || t.accessToken === "") {
    throw new OAuthCallbackError("INVALID_PARAMETER", "tokens must be an object with a non-empty accessToken");
  }
  for (const f of ["refreshToken", "scope", "tokenType", "idToken"] as const) {
    if (t[f] !== undefined && typeof t[f] !== "string") throw new OAuthCallbackError("INVALID_PARAMETER", `tokens.${f} must be a string`);
  }
  if (t.expiresAt !== undefined && (typeof t.expiresAt !== "number" || !Number.isFinite(t.expiresAt))) {
    throw new OAuthCallbackError("INVALID_PARAMETER", "tokens.expiresAt must be a number of milliseconds since the epoch");
  }
  return t as Tokens;
}

function checkClient(client: unknown): ClientInfo {
  const c = client as Partial<ClientInfo> | null;
  if (typeof c !== "object" || c === null || typeof c.clientId !== "string" || c.clientId === "") {
    throw new OAuthCallbackError("INVALID_PARAMETER", "client must be an object with a non-empty clientId");
  }
  return c as ClientInfo;
}

/** A JSON round trip: entries handed out cannot change the store behind its back. */
function copy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Builds the full `OAuthStore` on a backend. */
export function createOAuthStore(backend: DocumentBackend): OAuthStore {
  const layout = backend.layout ?? versionedLayout;

  async function getEntry(key: string): Promise<StoreEntry | null> {
    checkKey(key, layout);
    const entries = layout.parse(await backend.read(), backend.where);
    return copy(entries.get(key) ?? null);
  }

  function update(key: string, fn: (entry: StoreEntry | null) => StoreEntry | null | undefined | Promise<StoreEntry | null | undefined>): Promise<StoreEntry | null> {
    checkKey(key, layout);
    if (typeof fn !== "function") throw new OAuthCallbackError("INVALID_PARAMETER", "update needs a function");
    return backend.transaction(async (current) => {
      const entries = layout.parse(current, backend.where);
      const before = entries.get(key) ?? null;
      const after = await fn(copy(before));
      if (after === undefined) return { result: copy(before) };
      if (after === null) {
        if (before === null) return { result: null };
        entries.delete(key);
        return { write: layout.serialize(entries), result: null };
      }
      if (typeof after !== "object") throw new OAuthCallbackError("INVALID_PARAMETER", "update must return an entry object, null or undefined");
      if (after.tokens !== undefined) checkTokens(after.tokens);
      if (after.client !== undefined) checkClient(after.client);
      entries.set(key, { ...copy(after), updatedAt: Date.now() });
      const write = layout.serialize(entries);
      // Hand back what a later getEntry returns: a plain file keeps no updatedAt for an
      // entry that is only tokens (document.ts).
      return { write, result: layout.parse(write, backend.where).get(key) ?? null };
    });
  }

  /** Sets or clears one field of an entry; an entry left empty is removed. */
  const setField = <K extends "tokens" | "client" | "codeVerifier">(key: string, field: K, value: StoreEntry[K] | undefined) =>
    update(key, (entry) => {
      if (value === undefined && (entry === null || entry[field] === undefined)) return undefined;
      const next: StoreEntry = { ...(entry ?? {}) };
      if (value === undefined) delete next[field];
      else next[field] = value;
      const { updatedAt: _, ...rest } = next;
      return Object.keys(rest).length === 0 ? null : next;
    }).then(() => undefined);

  return {
    [OAuthStoreBrand]: true,
    get: async (key) => (await getEntry(key))?.tokens ?? null,
    set: (key, tokens) => setField(key, "tokens", checkTokens(tokens)),
    delete: (key) => setField(key, "tokens", undefined),
    getClient: async (key) => (await getEntry(key))?.client ?? null,
    setClient: (key, client) => setField(key, "client", checkClient(client)),
    deleteClient: (key) => setField(key, "client", undefined),
    getCodeVerifier: async (key) => (await getEntry(key))?.codeVerifier ?? null,
    setCodeVerifier: (key, verifier) => {
      if (typeof verifier !== "string" || verifier === "") throw new OAuthCallbackError("INVALID_PARAMETER", "a code verifier must be a non-empty string");
      return setField(key, "codeVerifier", verifier);
    },
    deleteCodeVerifier: (key) => setField(key, "codeVerifier", undefined),
    getEntry,
    update,
  };
}

/** Runs transactions one at a time within this process (memory store, and ahead of OS locks). */
export function serialize(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
