// redisStore in Deno against a real redis-server (the client library through Deno's npm
// compatibility, from the workspace's node_modules).
import * as lib from "oauth-callback-rs";
import { redisCases } from "./cases.mjs";
import { redisEnv } from "./env.mjs";

const setup = await redisEnv();
const last = redisCases.length - 1;
redisCases.forEach(([name, fn], i) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false }, async () => {
    try {
      await fn(lib, setup.env);
    } finally {
      await setup.closeStores();
      if (i === last) await setup.stop();
    }
  }),
);
