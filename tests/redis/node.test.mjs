// redisStore in Node against a real redis-server.
import { spawnSync } from "node:child_process";
import { after, afterEach, before, test } from "node:test";
import * as lib from "oauth-callback-rs";
import { browserAuth } from "oauth-callback-rs/mcp";
import { equal } from "../facade/assert.mjs";
import { redisCases } from "./cases.mjs";
import { redisEnv } from "./env.mjs";

/** A fresh Node process imports the root and reports whether @redis/client got loaded. */
function rootImportLoadsNoRedis() {
  const probe = `import "oauth-callback-rs"; import { createRequire } from "node:module";
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes("@redis"));
process.stdout.write(JSON.stringify(loaded));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8", cwd: new URL("../..", import.meta.url).pathname });
  if (r.status !== 0) throw new Error(`probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout).length === 0;
}

let setup;
const env = {};
before(async () => {
  setup = await redisEnv({ rootImportLoadsNoRedis });
  Object.assign(env, setup.env);
});
afterEach(() => setup.closeStores());
after(() => setup?.stop());
for (const [name, fn] of redisCases) test(name, () => fn(lib, env));

test("redisStore under browserAuth: what one process saves, another reads back through its own store", async () => {
  const options = { url: env.redis.url, prefix: `mcp${Date.now().toString(36)}:`, encryptionKey: new Uint8Array(32).fill(7) };
  const a = env.track(lib.redisStore(options));
  const b = env.track(lib.redisStore(options));
  const server = "https://mcp.example/mcp";
  const p = browserAuth({ serverUrl: server, store: a, port: 45125 });
  await p.saveClientInformation({ client_id: "cid-1", redirect_uris: [p.redirectUrl], grant_types: ["authorization_code", "refresh_token"] });
  await p.saveTokens({ access_token: "at-1", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-1" });
  const q = browserAuth({ serverUrl: server, store: b, port: 45125 });
  equal((await q.tokens()).access_token, "at-1", "tokens read back");
  equal((await q.clientInformation()).client_id, "cid-1", "client read back");
  equal((await b.getEntry(server)).tokens.refreshToken, "rt-1", "one entry under the server's URL");
});
