/**
 * The lease lock of one Redis entry: `SET NX PX` with a random owner token; the write
 * done by a script that first checks the token (fencing: a holder whose lease ran out
 * cannot overwrite what the next holder wrote); release by compare-and-delete. Each step
 * is one Lua script, so each is atomic on the server. The entry and its lock share a
 * `{...}` hash tag, so in Redis Cluster they live in one slot and the scripts may touch both.
 */
import { OAuthCallbackError } from "../errors.js";
import type { RedisConnection } from "./redis-connection.js";

/** Takes the lock if free and reads the entry; else answers how long the lock has left. */
const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('GET', KEYS[2])}
end
return {0, redis.call('PTTL', KEYS[1])}`;

/** Writes (or deletes) the entry and releases, only while the lock is still ours. */
const COMMIT = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == 'del' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[3]) end
redis.call('DEL', KEYS[1])
return 1`;

/** Releases the lock only if it is still ours. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Longest pause between two tries for a busy lock, in milliseconds. */
const MAX_POLL_MS = 16;

/** A lock held: its owner token and the entry as read under it. @internal */
export interface Lease {
  readonly token: string;
  /** The stored value when the lock was taken, `null` when there is none. */
  readonly value: string | null;
}

function ownerToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The lock and the entry it guards: two keys in one hash slot. @internal */
export class EntryLease {
  readonly #redis: RedisConnection;
  readonly #lockKey: string;
  readonly #dataKey: string;
  readonly #where: string;
  readonly #leaseMs: number;
  readonly #lockTimeoutMs: number;

  constructor(redis: RedisConnection, keys: { lock: string; data: string; where: string }, leaseMs: number, lockTimeoutMs: number) {
    this.#redis = redis;
    this.#lockKey = keys.lock;
    this.#dataKey = keys.data;
    this.#where = keys.where;
    this.#leaseMs = leaseMs;
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** The stored value, read without the lock. */
  async read(): Promise<string | null> {
    const reply = await this.#redis.command(["GET", this.#dataKey]);
    return typeof reply === "string" ? reply : null;
  }

  /**
   * Takes the lock, waiting up to `lockTimeoutMs` for a holder to finish or its lease to
   * run out (polling, at most `MAX_POLL_MS` apart); reads the entry in the same step.
   */
  async acquire(): Promise<Lease> {
    const token = ownerToken();
    const deadline = performance.now() + this.#lockTimeoutMs;
    let pause = 1;
    for (;;) {
      let reply: unknown;
      try {
        reply = await script(this.#redis, ACQUIRE, [this.#lockKey, this.#dataKey], [token, String(this.#leaseMs)]);
      } catch (err) {
        // The SET may have happened with its reply lost: give back what may be ours.
        void this.release(token).catch(() => undefined);
        throw err;
      }
      const [taken, detail] = Array.isArray(reply) ? (reply as unknown[]) : [];
      if (taken === 1) return { token, value: typeof detail === "string" ? detail : null };
      const left = this.#lockTimeoutMs === 0 ? 0 : deadline - performance.now();
      if (left <= 0) {
        throw new OAuthCallbackError("STORE_LOCK_TIMEOUT", `${this.#where}: another process held the lock for more than ${this.#lockTimeoutMs} ms`);
      }
      const ttl = typeof detail === "number" && detail > 0 ? detail : pause;
      await sleep(Math.max(1, Math.min(pause * (0.5 + Math.random() / 2), ttl, left)));
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }

  /**
   * Writes `value` (`null`: deletes the entry) and releases, if the lock is still ours.
   * Throws `STORE_LOCK_LOST` and writes nothing when the lease ran out first.
   */
  async commit(lease: Lease, value: string | null): Promise<void> {
    const args = value === null ? [lease.token, "del"] : [lease.token, "set", value];
    const reply = await script(this.#redis, COMMIT, [this.#lockKey, this.#dataKey], args);
    if (reply !== 1) {
      throw new OAuthCallbackError("STORE_LOCK_LOST", `${this.#where}: the lock's lease (${this.#leaseMs} ms) ran out before the write; nothing was written (raise leaseMs above the longest update)`);
    }
  }

  /** Releases the lock if it is still `token`'s. */
  async release(token: string): Promise<void> {
    await script(this.#redis, RELEASE, [this.#lockKey], [token]);
  }
}

const shas = new Map<string, Promise<string>>();

/** EVALSHA, with EVAL when the server does not have the script (first use, restart). */
async function script(redis: RedisConnection, body: string, keys: string[], args: string[]): Promise<unknown> {
  let sha = shas.get(body);
  if (!sha) {
    sha = sha1(body);
    shas.set(body, sha);
  }
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await redis.command(["EVALSHA", await sha, ...tail]);
  } catch (err) {
    if (!(err instanceof OAuthCallbackError && err.message.includes("(NOSCRIPT)"))) throw err;
    return await redis.command(["EVAL", body, ...tail]);
  }
}
