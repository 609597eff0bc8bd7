// The README demo: a full login against the local authorization server, headless here,
// with a trace that shows every step and never a whole secret.
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { equal, match, ok } from "./facade/assert.mjs";

test("demo: full headless login, refresh and logout, secrets redacted", () => {
  const env = { ...process.env, NO_COLOR: "1", DEMO_HEADLESS: "1" };
  const r = spawnSync(process.execPath, [new URL("../examples/demo.mjs", import.meta.url).pathname], { encoding: "utf8", env, timeout: 60_000 });
  equal(r.status, 0, `exit status (stderr: ${r.stderr.slice(-500)})`);
  const out = r.stdout;
  match(out, /completing the login headlessly/, "says it ran headless");
  for (const step of ["discovery", "registration", "authorization", "token", "refresh", "revocation"]) {
    match(out, new RegExp(`→ ${step}\\s`), `traces the ${step} request`);
  }
  match(out, /2\. Call a protected endpoint[\s\S]*?\n {2}200 \{"sub":"demo-user"/, "userinfo answered");
  match(out, /userinfo with the old token now answers 401/, "revoked token refused");
  // A redacted secret is at most three characters and "…" (core's trace::redact).
  const redacted = /^[^…]{0,3}…$/u;
  const inJson = [...out.matchAll(/"(access_token|refresh_token|id_token|code_verifier|code)"\s*:\s*"([^"]*)"/g)];
  for (const m of inJson) ok(redacted.test(m[2]), `${m[1]} redacted in the trace: ${m[2]}`);
  const kinds = new Set(inJson.map((m) => m[1]));
  for (const k of ["access_token", "refresh_token", "id_token"]) ok(kinds.has(k), `the trace shows a (redacted) ${k}`);
  ok(inJson.length >= 6, `secrets seen in JSON bodies: ${inJson.length}`);
  const inForms = [...out.matchAll(/\b(code|code_verifier|refresh_token|state|token)=([^&\s]*)/g)];
  for (const m of inForms) ok(redacted.test(m[2]), `${m[1]} redacted in a form body: ${m[2]}`);
  const formKinds = new Set(inForms.map((m) => m[1]));
  for (const k of ["code", "code_verifier", "refresh_token", "state", "token"]) ok(formKinds.has(k), `the trace shows a (redacted) ${k}= parameter`);
  ok(!out.includes("\u001b["), "NO_COLOR honoured");
});
