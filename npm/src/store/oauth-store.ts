/**
 * One implementation of `OAuthStore` over any backend that can read the document and run
 * a read-modify-write under its lock. Memory, file and keychain stores differ only there.
 */
import { OAuthCallbackError } from "../errors.js";
import { versionedLayout, type DocumentLayout, type Entries } from "./document.js";
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
  /** Whether a document left without entries is deleted (`write: null`) instead of written. */
  readonly removesWhenEmpty?: boolean;
  /** The document text, or `null` when nothing is stored. */
  read(): Promise<string | null>;
  /**
   * Runs `change` on the current text under the lock; writes what it returns, if anything
   * (`null`: delete the document, for backends that `removesWhenEmpty`).
   */
  transaction<T>(change: (current: string | null) => Promise<{ write?: string | null; result: T }>): Promise<T>;
}

type UpdateFn = (entry: StoreEntry | null) => StoreEntry | null | undefined | Promise<StoreEntry | null | undefined>;

/** One `update` call waiting for its turn. */
interface PendingUpdate {
  key: string;
  fn: UpdateFn;
  resolve: (entry: StoreEntry | null) => void;
  reject: (err: unknown) => void;
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

/**
 * Builds the full `OAuthStore` on a backend.
 *
 * Updates queue within the process and run in batches: one lock, one read and parse, every
 * queued `fn` in call order on the same entries (each sees the ones before it), one write.
 * So writers in one process never contend for the OS lock among themselves (10,000
 * concurrent `set()` calls cost a few writes, not 10,000 lock waits), and each promise
 * settles once the write that holds its change is done. A `fn` that throws, or returns an
 * invalid entry, rejects alone and changes nothing; a failed read or write rejects the
 * whole batch and changes nothing.
 */
export function createOAuthStore(backend: DocumentBackend): OAuthStore {
  const layout = backend.layout ?? versionedLayout;
  // The last document read and its parse: reads of an unchanged document (the memory
  // store, a file nobody wrote) do not parse it again. Never mutated; entries are copied out.
  let cached: { text: string | null; entries: Entries } | undefined;
  const parse = (text: string | null): Entries => {
    if (cached?.text !== text) cached = { text, entries: layout.parse(text, backend.where) };
    return cached.entries;
  };

  async function getEntry(key: string): Promise<StoreEntry | null> {
    checkKey(key, layout);
    return copy(parse(await backend.read()).get(key) ?? null);
  }

  /** What a later `getEntry` returns for `entry` (a plain file keeps no `updatedAt` for tokens alone). */
  const asStored = (key: string, entry: StoreEntry): StoreEntry | null => layout.parse(layout.serialize(new Map([[key, entry]])), backend.where).get(key) ?? null;

  /** Applies one update to `entries`; returns its result and whether it changed anything. */
  async function apply(entries: Entries, { key, fn }: PendingUpdate): Promise<{ result: StoreEntry | null; changed: boolean }> {
    const before = entries.get(key) ?? null;
    const after = await fn(copy(before));
    if (after === undefined) return { result: copy(before), changed: false };
    if (after === null) return { result: null, changed: entries.delete(key) };
    if (typeof after !== "object") throw new OAuthCallbackError("INVALID_PARAMETER", "update must return an entry object, null or undefined");
    if (after.tokens !== undefined) checkTokens(after.tokens);
    if (after.client !== undefined) checkClient(after.client);
    const next: StoreEntry = { ...copy(after), updatedAt: Date.now() };
    entries.set(key, next);
    return { result: asStored(key, next), changed: true };
  }

  let queue: PendingUpdate[] = [];
  let draining = false;
  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        const outcomes: Array<() => void> = [];
        try {
          await backend.transaction(async (current) => {
            // A fresh parse: the batch mutates it.
            const entries = layout.parse(current, backend.where);
            let changed = false;
            for (const item of batch) {
              try {
                const r = await apply(entries, item);
                changed ||= r.changed;
                outcomes.push(() => item.resolve(r.result));
              } catch (err) {
                outcomes.push(() => item.reject(err));
              }
            }
            if (!changed) return { result: undefined };
            cached = undefined;
            return { write: entries.size === 0 && backend.removesWhenEmpty ? null : layout.serialize(entries), result: undefined };
          });
        } catch (err) {
          for (const item of batch) item.reject(err);
          continue;
        }
        for (const settle of outcomes) settle();
      }
    } finally {
      draining = false;
    }
  }

  function update(key: string, fn: UpdateFn): Promise<StoreEntry | null> {
    checkKey(key, layout);
    if (typeof fn !== "function") throw new OAuthCallbackError("INVALID_PARAMETER", "update needs a function");
    return new Promise((resolve, reject) => {
      queue.push({ key, fn, resolve, reject });
      void drain();
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
