// redisStore in Bun against a real redis-server.
import { afterAll, afterEach, beforeAll, test } from "bun:test";
import * as lib from "oauth-callback-rs";
import { redisCases } from "./cases.mjs";
import { redisEnv } from "./env.mjs";

let setup;
const env = {};
beforeAll(async () => {
  setup = await redisEnv();
  Object.assign(env, setup.env);
});
afterEach(() => setup.closeStores());
afterAll(() => setup?.stop());
for (const [name, fn] of redisCases) test(name, () => fn(lib, env), 30_000);
