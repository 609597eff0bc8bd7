// The README demo runs, prints each step, and never prints a whole secret.
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { equal, match, ok } from "./facade/assert.mjs";

test("demo: runs to completion and redacts secrets", () => {
  const r = spawnSync(process.execPath, [new URL("../examples/demo.mjs", import.meta.url).pathname], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  equal(r.status, 0, `exit status (stderr: ${r.stderr})`);
  match(r.stdout, /code_challenge\s+[A-Za-z0-9_-]{43}\n/, "challenge line");
  match(r.stdout, /redirect_uri\s+http:\/\/127\.0\.0\.1:\d+\/callback\n/, "redirect line");
  match(r.stdout, /port released\s+true/, "port released");
  const verifier = /code_verifier\s+(\S+)/.exec(r.stdout)?.[1] ?? "";
  ok(verifier.endsWith("…") && verifier.length === 7, `verifier printed redacted: ${verifier}`);
  ok(!/state=[A-Za-z0-9_-]{43}/.test(r.stdout), "state printed redacted in the URL");
  ok(!r.stdout.includes("\u001b["), "NO_COLOR honoured");
});
