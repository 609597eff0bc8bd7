/**
 * The options of `redisStore`, checked at run time: a misspelled `encryptionKey` must
 * never mean "in clear", and a lease shorter than the work it protects is refused here
 * rather than discovered as a lost update.
 */
import { OAuthCallbackError } from "../errors.js";
import { checkOptions } from "../options.js";

/** Per-command options a client may honour (node-redis does). */
export interface RedisCommandOptions {
  /** Milliseconds before the client gives up on the reply. */
  timeout?: number;
}

/**
 * What `redisStore` needs of a client you bring: node-redis's `sendCommand(args, options)`.
 * A client from `createClient()` of `redis` or `@redis/client` (v5 or later) fits as it is.
 */
export interface RedisCommandClient {
  /** Sends one command (`["GET", key]`) and resolves to its reply. */
  sendCommand(args: readonly string[], options?: RedisCommandOptions): Promise<unknown>;
}

/** Options of `redisStore`. Give exactly one of `url` and `client`. */
export interface RedisStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]` or `rediss://` (TLS). The store opens
   * its own connection on first use (loading `@redis/client` then) and `close()` ends it.
   */
  url?: string;
  /** A connected client to use instead of `url`; the store neither connects nor closes it. */
  client?: RedisCommandClient;
  /**
   * Prepended to every Redis key the store writes (default `"oauth-callback-rs:"`). An
   * entry lives at `<prefix>{<key>}` and its lock at `<prefix>{<key>}:lock`. Braces are
   * refused: the `{...}` hash tag is the store's, so both keys share one Cluster slot.
   */
  prefix?: string;
  /**
   * Encrypts each entry with core's AES-256-GCM store envelope (the encrypted file
   * store's): 32 raw key bytes, or a passphrase (at least 8 characters, stretched with
   * Argon2id on every process's first read of each envelope: prefer raw keys for fleets).
   * Without it Redis holds bearer tokens in clear.
   */
  encryptionKey?: Uint8Array | string;
  /** A name for the key, authenticated in each envelope (default `"default"`). */
  keyName?: string;
  /**
   * How long a lock lasts, in milliseconds (default 45000). Must exceed the longest
   * `update` it protects: an `OAuthClient` refresh is bounded by its `requestTimeoutMs`
   * (default 30000). A holder that outlives its lease cannot write (`STORE_LOCK_LOST`).
   */
  leaseMs?: number;
  /**
   * How long `update` waits for the lock, in milliseconds (default: the longer of 50000
   * and `leaseMs` + 5000, so waiters outlast a holder that died). Then `STORE_LOCK_TIMEOUT`.
   */
  lockTimeoutMs?: number;
  /** Bound on opening the connection (TCP, TLS and AUTH), in milliseconds (default 5000). */
  connectTimeoutMs?: number;
  /** Bound on each Redis command, in milliseconds (default 5000). */
  commandTimeoutMs?: number;
}

/** The checked options. @internal */
export interface RedisStoreConfig {
  url?: string;
  client?: RedisCommandClient;
  /** Where the server is, for messages: `host:port`, never the credentials. */
  server: string;
  prefix: string;
  raw?: Uint8Array;
  passphrase?: string;
  keyName: string;
  leaseMs: number;
  lockTimeoutMs: number;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

const KNOWN = ["url", "client", "prefix", "encryptionKey", "keyName", "leaseMs", "lockTimeoutMs", "connectTimeoutMs", "commandTimeoutMs"] as const;

function invalid(message: string): OAuthCallbackError {
  return new OAuthCallbackError("INVALID_PARAMETER", `redisStore: ${message}`);
}

function milliseconds(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 2_147_483_647) {
    throw invalid(`${name} must be an integer number of milliseconds from ${min} to 2147483647`);
  }
  return value;
}

/** `host:port` of a Redis URL; the URL itself (which may hold a password) is never shown. */
function serverOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OAuthCallbackError("INVALID_URL", "redisStore: url is not a valid URL (redis://host:port or rediss://host:port)");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new OAuthCallbackError("INVALID_URL", `redisStore: url must start with redis:// or rediss://, not ${parsed.protocol.slice(0, 16)}//`);
  }
  if (parsed.hostname === "") throw new OAuthCallbackError("INVALID_URL", "redisStore: url has no host");
  return `${parsed.hostname}:${parsed.port || "6379"}`;
}

/** Checks `options`; throws a typed error and changes nothing on bad input. @internal */
export function redisConfig(options: RedisStoreOptions): RedisStoreConfig {
  if (typeof options !== "object" || options === null) throw invalid("options must be an object with url or client");
  checkOptions("redisStore", options, KNOWN);
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) throw invalid("give exactly one of url and client");
  if (url !== undefined && (typeof url !== "string" || url === "")) throw invalid("url must be a non-empty string");
  if (client !== undefined && (typeof client !== "object" || client === null || typeof client.sendCommand !== "function")) {
    throw invalid("client must be a connected node-redis client (it needs sendCommand)");
  }
  const prefix = options.prefix ?? "oauth-callback-rs:";
  if (typeof prefix !== "string" || /[{}]/.test(prefix) || prefix.length > 256) {
    throw invalid("prefix must be a string of at most 256 characters without { or }");
  }
  const key = options.encryptionKey;
  let raw: Uint8Array | undefined;
  let passphrase: string | undefined;
  if (typeof key === "string") passphrase = key;
  else if (key instanceof Uint8Array) raw = key;
  else if (key !== undefined) throw new OAuthCallbackError("INVALID_KEY", "encryptionKey must be 32 bytes (a Uint8Array) or a passphrase string");
  const keyName = options.keyName ?? "default";
  if (typeof keyName !== "string" || keyName === "") throw invalid("keyName must be a non-empty string");
  const leaseMs = milliseconds("leaseMs", options.leaseMs, 45_000, 10);
  const config: RedisStoreConfig = {
    server: url !== undefined ? serverOf(url) : "the given client",
    prefix,
    keyName,
    leaseMs,
    lockTimeoutMs: milliseconds("lockTimeoutMs", options.lockTimeoutMs, Math.max(50_000, leaseMs + 5_000), 0),
    connectTimeoutMs: milliseconds("connectTimeoutMs", options.connectTimeoutMs, 5_000, 1),
    commandTimeoutMs: milliseconds("commandTimeoutMs", options.commandTimeoutMs, 5_000, 1),
  };
  if (url !== undefined) config.url = url;
  if (client !== undefined) config.client = client;
  if (raw !== undefined) config.raw = raw;
  if (passphrase !== undefined) config.passphrase = passphrase;
  return config;
}
