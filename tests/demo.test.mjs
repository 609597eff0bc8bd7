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
  for (const m of out.matchAll(/"(access_token|refresh_token|id_token|code_verifier|code)"\s*:\s*"([^"]*)"/g)) {
    ok(m[2].endsWith("…"), `${m[1]} redacted in the trace: ${m[2]}`);
  }
  for (const m of out.matchAll(/\b(code|code_verifier|refresh_token|state|token)=([^&\s]*)/g)) {
    ok(m[2].endsWith("…"), `${m[1]} redacted in a form body: ${m[2]}`);
  }
  ok(!out.includes("\u001b["), "NO_COLOR honoured");
});
