// What the redisStore cases need, in any runtime: two real redis-servers (one with a
// password), and the stores each case opened, closed after it (an open connection keeps
// a process alive).
import { startRedis } from "./server.mjs";

/** Starts the servers; `run(name, fn)` wraps a case so its stores are closed after it. */
export async function redisEnv(extra = {}) {
  const redis = await startRedis();
  const redisWithPassword = await startRedis({ password: "test-password-not-secret" });
  let open = [];
  const env = {
    redis,
    redisWithPassword,
    ...extra,
    track(store) {
      open.push(store);
      return store;
    },
  };
  return {
    env,
    async closeStores() {
      const closing = open;
      open = [];
      await Promise.all(closing.map((s) => s.close().catch(() => undefined)));
    },
    async stop() {
      await redis.stop();
      await redisWithPassword.stop();
    },
  };
}
