/**
 * The connection under `redisStore`: opened on first use with `@redis/client` (imported
 * only then, so the root import does not grow), every command bounded, every failure a
 * typed error that names the server but never the credentials.
 */
import { OAuthCallbackError } from "../errors.js";
import type { RedisCommandClient, RedisStoreConfig } from "./redis-options.js";

/** Redis error replies that mean "these credentials are not accepted". */
const AUTH_REPLIES = new Set(["WRONGPASS", "NOAUTH", "NOPERM"]);
/** Error classes of `@redis/client` (and socket codes) that mean "not reachable now". */
const UNREACHABLE = new Set([
  "ConnectionTimeoutError",
  "SocketClosedUnexpectedlyError",
  "ClientOfflineError",
  "ClientClosedError",
  "TimeoutError",
  "SocketTimeoutError",
  "ReconnectStrategyError",
  "DisconnectsClientError",
  "AbortError",
]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNABORTED"]);

/** A typed error for anything a Redis call threw. @internal */
export function redisError(err: unknown, server: string): OAuthCallbackError {
  if (err instanceof OAuthCallbackError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as { message?: unknown; code?: unknown; constructor?: { name?: string } };
  const kind = e.constructor?.name ?? "Error";
  const message = typeof e.message === "string" ? e.message : "";
  // The first word of an error reply is its code (WRONGPASS, READONLY, OOM, ...); the rest
  // is Redis's prose, left out of our message.
  const reply = /^([A-Z][A-Z_-]+)\b/.exec(message)?.[1];
  const isReply = kind === "ErrorReply" || kind === "SimpleError" || kind === "BlobError";
  if (reply !== undefined && (AUTH_REPLIES.has(reply) || (reply === "ERR" && /\bAUTH\b|password/i.test(message)))) {
    return new OAuthCallbackError("STORE_AUTH_FAILED", `Redis at ${server} refused the credentials (${reply})`);
  }
  if (isReply) return new OAuthCallbackError("STORE_IO", `Redis at ${server} answered with an error (${reply ?? "ERR"})`, { cause: err });
  const code = typeof e.code === "string" ? e.code : undefined;
  if ((code !== undefined && SOCKET_CODES.has(code)) || UNREACHABLE.has(kind)) {
    return new OAuthCallbackError("STORE_UNAVAILABLE", `Redis at ${server} is unreachable (${code ?? kind})`, { cause: err });
  }
  if (kind === "NotCapable" || kind === "PermissionDenied") {
    return new OAuthCallbackError("STORE_UNAVAILABLE", `Redis at ${server}: Deno denied a permission (${kind}); redisStore needs --allow-net to the server and --allow-env`, { cause: err });
  }
  return new OAuthCallbackError("STORE_UNAVAILABLE", `Redis at ${server} failed (${code ?? kind})`, { cause: err });
}

/** Rejects with `error()` if `promise` has not settled within `ms`. */
function bounded<T>(promise: Promise<T>, ms: number, error: () => Error, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(error());
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The part of `@redis/client`'s client this module uses. */
interface OwnedClient extends RedisCommandClient {
  on(event: "error", listener: (err: unknown) => void): unknown;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
}

type CreateClient = (options: object) => OwnedClient;

async function loadCreateClient(): Promise<CreateClient> {
  let mod: { createClient?: unknown; default?: { createClient?: unknown } };
  try {
    // Marked external in the bundle (scripts/lib.sh): loaded from the user's
    // node_modules, and only when a store with a url is first used.
    mod = (await import("@redis/client")) as typeof mod;
  } catch (err) {
    throw new OAuthCallbackError("NOT_AVAILABLE", "redisStore({ url }) needs the @redis/client package: npm install @redis/client (or pass a connected client)", { cause: err });
  }
  const create = mod.createClient ?? mod.default?.createClient;
  if (typeof create !== "function") throw new OAuthCallbackError("NOT_AVAILABLE", "the installed @redis/client has no createClient");
  return create as CreateClient;
}

/** One Redis connection shared by a store's entries. @internal */
export class RedisConnection {
  readonly #config: RedisStoreConfig;
  #opening: Promise<RedisCommandClient> | undefined;
  #owned: OwnedClient | undefined;
  #closed = false;

  constructor(config: RedisStoreConfig) {
    this.#config = config;
  }

  /** Runs one command, bounded by `commandTimeoutMs`; every failure typed. */
  async command(args: readonly string[]): Promise<unknown> {
    const { server, commandTimeoutMs } = this.#config;
    try {
      const client = await this.#client();
      const reply = client.sendCommand(args, { timeout: commandTimeoutMs });
      return await bounded(reply, commandTimeoutMs, () => new OAuthCallbackError("STORE_UNAVAILABLE", `Redis at ${server} did not answer within ${commandTimeoutMs} ms`));
    } catch (err) {
      throw redisError(err, server);
    }
  }

  /** Ends the connection the store opened (a client you passed stays open). */
  async close(): Promise<void> {
    this.#closed = true;
    const owned = this.#owned;
    this.#owned = undefined;
    this.#opening = undefined;
    if (!owned) return;
    try {
      await bounded(owned.close(), this.#config.commandTimeoutMs, () => new Error("close timed out"), () => owned.destroy());
    } catch {
      owned.destroy();
    }
  }

  #client(): Promise<RedisCommandClient> {
    if (this.#closed) return Promise.reject(new OAuthCallbackError("STORE_UNAVAILABLE", `the store for Redis at ${this.#config.server} was closed`));
    if (this.#config.client) return Promise.resolve(this.#config.client);
    if (!this.#opening) {
      const opening = this.#open();
      this.#opening = opening;
      // A failed first connection is not kept: the next call tries again.
      opening.catch(() => {
        if (this.#opening === opening) this.#opening = undefined;
      });
    }
    return this.#opening;
  }

  async #open(): Promise<RedisCommandClient> {
    const { url, server, connectTimeoutMs } = this.#config;
    const createClient = await loadCreateClient();
    let connected = false;
    const client = createClient({
      url,
      // While Redis is away, commands fail at once (typed) instead of queueing unbounded.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: connectTimeoutMs,
        // The first connection fails fast (refused, bad password); a connection that
        // was up reconnects with backoff, up to a second apart.
        reconnectStrategy: (retries: number) => (connected ? Math.min(20 * 2 ** Math.min(retries, 6), 1_000) : false),
      },
    });
    // Failures reach callers through the commands that fail; without a listener the
    // client's "error" event would end the process.
    client.on("error", () => undefined);
    try {
      await bounded(client.connect(), connectTimeoutMs, () => new OAuthCallbackError("STORE_UNAVAILABLE", `Redis at ${server}: no connection within ${connectTimeoutMs} ms`));
    } catch (err) {
      client.destroy();
      throw redisError(err, server);
    }
    connected = true;
    if (this.#closed) {
      client.destroy();
      throw new OAuthCallbackError("STORE_UNAVAILABLE", `the store for Redis at ${server} was closed`);
    }
    this.#owned = client;
    return client;
  }
}
