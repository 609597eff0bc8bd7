/**
 * `redisStore`: the `OAuthStore` contract on Redis or Valkey, so processes on many
 * machines share one login. Each key is its own Redis string holding that entry's
 * versioned document (encrypted with core's store envelope when a key is given), beside
 * its own lease lock (redis-lease.ts). Batching, validation and copies are the shared
 * store's (oauth-store.ts): one per key, so entries never wait on each other's lock.
 */
import { OAuthCallbackError } from "../errors.js";
import { isEncryptedStore, storeCipher } from "../protocol.js";
import { versionedLayout, type DocumentLayout } from "./document.js";
import { createOAuthStore, type DocumentBackend } from "./oauth-store.js";
import { RedisConnection } from "./redis-connection.js";
import { EntryLease } from "./redis-lease.js";
import { redisConfig, type RedisStoreConfig, type RedisStoreOptions } from "./redis-options.js";
import { OAuthStoreBrand, type OAuthStore, type StoreEntry } from "./types.js";

export type { RedisCommandClient, RedisCommandOptions, RedisStoreOptions } from "./redis-options.js";

/** An `OAuthStore` on Redis; `close()` ends the connection it opened. */
export interface RedisStore extends OAuthStore {
  /** Ends the store's own connection (not a `client` you passed); later calls fail with `STORE_UNAVAILABLE`. */
  close(): Promise<void>;
}

type Cipher = ReturnType<typeof storeCipher>;

/** `{`, `}` and `%` escaped, so a key cannot move the hash tag and distinct keys stay distinct. */
function tagOf(key: string): string {
  return key.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The versioned document holding exactly `key`'s entry: one moved under another key is refused. */
function entryLayout(key: string): DocumentLayout {
  return {
    parse(text, where) {
      const entries = versionedLayout.parse(text, where);
      for (const found of entries.keys()) {
        if (found !== key) throw new OAuthCallbackError("STORE_CORRUPT", `${where}: holds the entry of another key; it was left as it is`);
      }
      return entries;
    },
    serialize: (entries) => versionedLayout.serialize(entries),
    checkKey: () => undefined,
  };
}

/** Decrypts (or checks the absence of encryption of) a stored value. */
function opened(value: string | null, cipher: Cipher | undefined, where: string): string | null {
  if (value === null) return null;
  if (isEncryptedStore(value)) {
    if (!cipher) throw new OAuthCallbackError("STORE_KEY_REQUIRED", `${where} is encrypted; pass its encryptionKey`);
    try {
      return cipher.open(value);
    } catch (err) {
      if (err instanceof OAuthCallbackError) throw new OAuthCallbackError(err.code, `${where}: ${err.message}`);
      throw err;
    }
  }
  if (cipher) throw new OAuthCallbackError("STORE_NOT_ENCRYPTED", `${where} is not encrypted but an encryption key was given; refusing to trust it`);
  return value;
}

/** The backend of one key: reads and lease-guarded writes of one Redis string. */
function entryBackend(key: string, config: RedisStoreConfig, redis: RedisConnection, cipher: Cipher | undefined): DocumentBackend {
  const data = `${config.prefix}{${tagOf(key)}}`;
  const where = `Redis key ${JSON.stringify(data)} at ${config.server}`;
  const lease = new EntryLease(redis, { data, lock: `${data}:lock`, where }, config.leaseMs, config.lockTimeoutMs);
  return {
    where,
    layout: entryLayout(key),
    removesWhenEmpty: true,
    read: async () => opened(await lease.read(), cipher, where),
    async transaction(change) {
      const held = await lease.acquire();
      let released = false;
      try {
        const { write, result } = await change(opened(held.value, cipher, where));
        if (write !== undefined) {
          // Sealed before the write: one SET of the whole value, never a part of it.
          await lease.commit(held, write === null ? null : cipher ? cipher.seal(write) : write);
          released = true;
        }
        return result;
      } finally {
        // Best effort: if Redis is away, the lease runs out by itself.
        if (!released) await lease.release(held.token).catch(() => undefined);
      }
    },
  };
}

type UpdateFn = Parameters<OAuthStore["update"]>[1];

/**
 * Tokens in Redis or Valkey, shared by every process that uses the same server and
 * prefix, on any machine. `update` is atomic across them: a lease lock (`SET NX PX`,
 * owner token, compare-and-delete release) and a write that checks the lock is still
 * held (fencing). See the README section "Many machines" for what holds with replicas
 * and in Cluster. With `url`, `@redis/client` is loaded on first use; call `close()`
 * when done, or the open connection keeps the process alive.
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const config = redisConfig(options);
  const cipher = config.raw !== undefined || config.passphrase !== undefined ? storeCipher(config.raw, config.passphrase, config.keyName) : undefined;
  const redis = new RedisConnection(config);
  // One shared store per key in use, dropped when its last call settles.
  const open = new Map<string, { store: OAuthStore; calls: number }>();

  function withEntry<T>(key: string, op: (store: OAuthStore) => Promise<T>): Promise<T> {
    if (typeof key !== "string" || key === "") return Promise.reject(new OAuthCallbackError("INVALID_PARAMETER", "a store key must be a non-empty string"));
    let slot = open.get(key);
    if (!slot) {
      slot = { store: createOAuthStore(entryBackend(key, config, redis, cipher)), calls: 0 };
      open.set(key, slot);
    }
    const held = slot;
    held.calls++;
    return Promise.resolve()
      .then(() => op(held.store))
      .finally(() => {
        if (--held.calls === 0 && open.get(key) === held) open.delete(key);
      });
  }

  return {
    [OAuthStoreBrand]: true,
    get: (key) => withEntry(key, (s) => s.get(key)),
    set: (key, tokens) => withEntry(key, (s) => s.set(key, tokens)),
    delete: (key) => withEntry(key, (s) => s.delete(key)),
    getClient: (key) => withEntry(key, (s) => s.getClient(key)),
    setClient: (key, client) => withEntry(key, (s) => s.setClient(key, client)),
    deleteClient: (key) => withEntry(key, (s) => s.deleteClient(key)),
    getCodeVerifier: (key) => withEntry(key, (s) => s.getCodeVerifier(key)),
    setCodeVerifier: (key, verifier) => withEntry(key, (s) => s.setCodeVerifier(key, verifier)),
    deleteCodeVerifier: (key) => withEntry(key, (s) => s.deleteCodeVerifier(key)),
    getEntry: (key): Promise<StoreEntry | null> => withEntry(key, (s) => s.getEntry(key)),
    update: (key, fn: UpdateFn) => withEntry(key, (s) => s.update(key, fn)),
    close: () => redis.close(),
  };
}
