/**
 * `OAuthClient`'s `storage` as it is given: a full `OAuthStore` (every built-in store)
 * is used as it is; a plain `TokenStore` (`get`, `set`, `delete`: `oauth-callback`'s
 * shape, its `inMemoryStore()`, a user's Redis or database adapter) is wrapped into one.
 *
 * What that shape cannot give, the wrapper cannot either:
 * - no lock beyond this process: `update` runs one at a time here only, so two processes
 *   on one such store can both refresh, and with a rotating server one of them then has
 *   to sign in again;
 * - the client registration and the PKCE verifier go to the store's own `getClient` /
 *   `setClient` / `deleteClient` and `getCodeVerifier` / `setCodeVerifier` /
 *   `deleteCodeVerifier` when it has them (`oauth-callback`'s `OAuthStore`), otherwise
 *   they are kept in this process's memory (a restart registers again).
 */
import { OAuthCallbackError } from "../errors.js";
import { inMemoryStore } from "../store/memory.js";
import { serialize } from "../store/oauth-store.js";
import { OAuthStoreBrand, type ClientInfo, type OAuthStore, type StoreEntry, type Tokens } from "../store/types.js";

type Methods = Record<string, ((...args: never[]) => unknown) | undefined>;

const hasAll = (s: Methods, names: readonly string[]) => names.every((n) => typeof s[n] === "function");

/** A JSON round trip: what the wrapper hands out or passes on cannot change behind it. */
function copy<T>(v: T): T {
  return v === undefined || v === null ? v : (JSON.parse(JSON.stringify(v)) as T);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function checkKey(key: unknown): string {
  if (typeof key !== "string" || key === "") throw new OAuthCallbackError("INVALID_PARAMETER", "a store key must be a non-empty string");
  return key;
}

function checkTokens(tokens: unknown): Tokens {
  const t = tokens as Partial<Tokens> | null;
  if (typeof t !== "object" || t === null || typeof t.accessToken !== "string" || t.accessToken === "") {
    throw new OAuthCallbackError("INVALID_PARAMETER", "tokens must be an object with a non-empty accessToken");
  }
  return t as Tokens;
}

/** The store `OAuthClient` works on; see the module comment. */
export function asOAuthStore(storage: unknown): OAuthStore {
  if (storage === undefined) return inMemoryStore();
  if (typeof storage !== "object" || storage === null) {
    throw new OAuthCallbackError("INVALID_PARAMETER", "storage must be a token store: an object with get, set and delete (oauth-callback's TokenStore)");
  }
  const s = storage as Methods;
  const missing = ["get", "set", "delete"].filter((n) => typeof s[n] !== "function");
  if (missing.length > 0) {
    throw new OAuthCallbackError("INVALID_PARAMETER", `storage must be a token store with get, set and delete (oauth-callback's TokenStore); it has no ${missing.join(", ")}`);
  }
  if (hasAll(s, ["update", "getEntry", "getClient", "setClient", "getCodeVerifier", "setCodeVerifier"])) return storage as OAuthStore;
  return wrapTokenStore(storage as Parameters<typeof wrapTokenStore>[0]);
}

interface PlainStore {
  get(key: string): Promise<Tokens | null>;
  set(key: string, tokens: Tokens): Promise<void>;
  delete(key: string): Promise<void>;
  getClient?(key: string): Promise<ClientInfo | null>;
  setClient?(key: string, client: ClientInfo): Promise<void>;
  deleteClient?(key: string): Promise<void>;
  getCodeVerifier?(key: string): Promise<string | null>;
  setCodeVerifier?(key: string, verifier: string): Promise<void>;
  deleteCodeVerifier?(key: string): Promise<void>;
}

function wrapTokenStore(store: PlainStore): OAuthStore {
  const s = store as unknown as Methods;
  const ownsClients = hasAll(s, ["getClient", "setClient", "deleteClient"]);
  const ownsVerifiers = hasAll(s, ["getCodeVerifier", "setCodeVerifier", "deleteCodeVerifier"]);
  // What the store has no place for, per key.
  const memory = new Map<string, { client?: ClientInfo; codeVerifier?: string }>();
  const exclusive = serialize();

  async function read(key: string): Promise<StoreEntry | null> {
    const tokens = await store.get(key);
    const client = ownsClients ? await (store.getClient as NonNullable<PlainStore["getClient"]>).call(store, key) : memory.get(key)?.client;
    const codeVerifier = ownsVerifiers ? await (store.getCodeVerifier as NonNullable<PlainStore["getCodeVerifier"]>).call(store, key) : memory.get(key)?.codeVerifier;
    const entry: StoreEntry = {};
    if (tokens) entry.tokens = copy(tokens);
    if (client) entry.client = copy(client);
    if (codeVerifier) entry.codeVerifier = codeVerifier;
    return Object.keys(entry).length ? entry : null;
  }

  function remember(key: string, field: "client" | "codeVerifier", value: ClientInfo | string | undefined) {
    const m = { ...(memory.get(key) ?? {}) } as { client?: ClientInfo; codeVerifier?: string };
    if (value === undefined) delete m[field];
    else (m as Record<string, unknown>)[field] = value;
    if (Object.keys(m).length) memory.set(key, m);
    else memory.delete(key);
  }

  /** Writes what changed between `before` and `after`, tokens first. */
  async function write(key: string, before: StoreEntry | null, after: StoreEntry | null): Promise<void> {
    const next = after ?? {};
    if (!same(before?.tokens, next.tokens)) {
      if (next.tokens === undefined) await store.delete(key);
      else await store.set(key, copy(checkTokens(next.tokens)));
    }
    if (!same(before?.client, next.client)) {
      if (!ownsClients) remember(key, "client", copy(next.client));
      else if (next.client === undefined) await (store.deleteClient as NonNullable<PlainStore["deleteClient"]>).call(store, key);
      else await (store.setClient as NonNullable<PlainStore["setClient"]>).call(store, key, copy(next.client));
    }
    if (before?.codeVerifier !== next.codeVerifier) {
      if (!ownsVerifiers) remember(key, "codeVerifier", next.codeVerifier);
      else if (next.codeVerifier === undefined) await (store.deleteCodeVerifier as NonNullable<PlainStore["deleteCodeVerifier"]>).call(store, key);
      else await (store.setCodeVerifier as NonNullable<PlainStore["setCodeVerifier"]>).call(store, key, next.codeVerifier);
    }
  }

  function update(key: string, fn: (entry: StoreEntry | null) => StoreEntry | null | undefined | Promise<StoreEntry | null | undefined>): Promise<StoreEntry | null> {
    checkKey(key);
    return exclusive(async () => {
      const before = await read(key);
      const after = await fn(copy(before));
      if (after === undefined) return before;
      if (after !== null && typeof after !== "object") throw new OAuthCallbackError("INVALID_PARAMETER", "update must return an entry object, null or undefined");
      if (after?.tokens !== undefined) checkTokens(after.tokens);
      await write(key, before, after);
      return copy(after);
    });
  }

  const setField = <K extends "tokens" | "client" | "codeVerifier">(key: string, field: K, value: StoreEntry[K] | undefined) =>
    update(key, (entry) => {
      const next: StoreEntry = { ...(entry ?? {}) };
      if (value === undefined) delete next[field];
      else next[field] = value;
      return Object.keys(next).length ? next : null;
    }).then(() => undefined);

  // Reads take no turn, as in the built-in stores: a refresh in flight does not hold them up.
  return {
    [OAuthStoreBrand]: true,
    get: async (key) => (await read(checkKey(key)))?.tokens ?? null,
    set: (key, tokens) => setField(key, "tokens", checkTokens(tokens)),
    delete: (key) => setField(key, "tokens", undefined),
    getClient: async (key) => (await read(checkKey(key)))?.client ?? null,
    setClient: (key, client) => setField(key, "client", client),
    deleteClient: (key) => setField(key, "client", undefined),
    getCodeVerifier: async (key) => (await read(checkKey(key)))?.codeVerifier ?? null,
    setCodeVerifier: (key, verifier) => setField(key, "codeVerifier", verifier),
    deleteCodeVerifier: (key) => setField(key, "codeVerifier", undefined),
    getEntry: async (key) => read(checkKey(key)),
    update,
  };
}
