// getAuthCode in Deno. With --allow-ffi the package serves on the addon's hyper server,
// as in Node and Bun, and the hyper-only cases run too; without it, on Deno.serve with the
// same core handler. scripts/test runs this file both ways.
import * as lib from "oauth-callback-rs";
import { authCodeCases, hyperCases } from "./cases.mjs";

const ffi = Deno.permissions.querySync({ name: "ffi" }).state === "granted";
Deno.test("the driver under test", () => {
  // The listener type tells which driver the package picked.
  const l = lib.bindLoopback({ hostname: "127.0.0.1" });
  const native = typeof l.constructor === "function" && l.constructor.name === "LoopbackListener";
  l.close();
  if (native !== ffi) throw new Error(`expected the ${ffi ? "addon" : "Deno.serve"} driver`);
});
for (const [name, fn] of [...authCodeCases, ...(ffi ? hyperCases : [])]) {
  Deno.test({ name, fn: () => fn(lib), sanitizeResources: true, sanitizeOps: true });
}
