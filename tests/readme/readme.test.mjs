// The README, run. Every code block marked `<!-- snippet: name -->` is extracted and run
// in a child process against the local authorization server that the README tells readers
// to start (examples/local-server/serve.mjs), in Node and, where the README says so, in Bun
// and Deno with exactly the Deno flags it documents. The browser is played by the
// headless user (examples/local-server/headless-user.mjs) as a BROWSER command, so the
// programs run as a reader would run them. The option tables are compared with the
// options each call accepts. A snippet that stops working, a marker that disappears, or
// a table that drifts from the code fails here.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as lib from "oauth-callback-rs";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";
import { PUBLIC_CLIENT } from "../../examples/local-server/provider.mjs";
import { equal, match, ok } from "../facade/assert.mjs";
import { extractOptionTables, extractSnippets, shellCommands } from "./snippets.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const snippets = extractSnippets(README);
// Written inside the repository (git-ignored), so `oauth-callback-rs` resolves as for a user.
const WORK = join(ROOT, "test-output", "readme");
const BIN = { node: process.execPath, bun: join(ROOT, "node_modules/.bin/bun"), deno: join(ROOT, "node_modules/.bin/deno") };
/** A hang guard, not a measurement: a snippet that waits this long has failed. */
const RUN_LIMIT_MS = 120_000;

/** Every snippet the README marks, and how it is run. Adding a marker needs a row here. */
const RUNNERS = new Set(["serve", "quick-start-cli", "quick-start-run", "passphrase", "oidc", "steps", "protocol-functions"]);

let server;
let issuer;
let launchLog;
let browserCommand;

/** Runs a command; resolves to { code, stdout, stderr }. `onStderr` sees stderr as it comes. */
function run(argv, { env = {}, cwd = WORK, onStderr } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, DISPLAY: "", WAYLAND_DISPLAY: "", NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      onStderr?.(stderr);
    });
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${argv.join(" ")} did not finish within ${RUN_LIMIT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, RUN_LIMIT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

function mustSucceed(r, what) {
  equal(r.code, 0, `${what} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout.trim();
}

const launches = () => {
  try {
    return readFileSync(launchLog, "utf8").split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
};

/** A snippet as a module: `prelude` declares the free variables it uses. */
function writeSnippet(name, prelude = "") {
  const s = snippets.get(name);
  ok(s, `README has the snippet "${name}"`);
  const file = join(WORK, `${name}.mjs`);
  writeFileSync(file, `${prelude}${s.code}`);
  return file;
}

const freshHome = () => mkdtempSync(join(tmpdir(), "readme-home-"));
const DENY_FLAGS = ["--no-lock"];

before(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  // The README's command for the local server, on a free port (4499 may be taken here).
  const serve = shellCommands(snippets.get("serve")?.code ?? "").commands.find((c) => c[0] === "node");
  ok(serve, "the serve snippet has a node command");
  const child = spawn(process.execPath, [...serve.slice(1), "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  issuer = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /^issuer: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`serve.mjs exited ${code}: ${out}`)));
  });
  server = child;
  // The user in the browser: the headless user as a BROWSER command, each launch logged.
  launchLog = join(WORK, "launches.log");
  browserCommand = join(WORK, "browser.sh");
  writeFileSync(browserCommand, `#!/bin/sh\necho "$1" >> "${launchLog}"\nexec "${process.execPath}" "${join(ROOT, "examples/local-server/headless-user.mjs")}" "$1"\n`);
  chmodSync(browserCommand, 0o755);
});

after(() => {
  server?.kill("SIGINT");
});

test("readme: every marked snippet has a runner here, and every runner a snippet", () => {
  equal([...snippets.keys()].sort().join(", "), [...RUNNERS].sort().join(", "), "marked snippets");
});

test("readme: the local server command prints its issuer and serves OpenID discovery", async () => {
  const meta = await lib.discover(issuer);
  equal(meta.issuer, issuer, "discovery");
  ok(meta.userinfoEndpoint && meta.jwksUri, "an OpenID provider");
  match(snippets.get("serve").code, /node examples\/local-server\/serve\.mjs\s+# issuer: http:\/\/127\.0\.0\.1:4499/, "the README shows the default issuer");
});

test("readme: the quick start CLI, run as the README runs it in Node, Bun and Deno", async () => {
  writeFileSync(join(WORK, "login.mjs"), snippets.get("quick-start-cli").code);
  const { env: exported, commands } = shellCommands(snippets.get("quick-start-run").code);
  ok(exported.MY_CLI_PASSPHRASE?.length >= 8, "the passphrase the README exports");
  const home = freshHome();
  const env = { ...exported, HOME: home, ISSUER: issuer, BROWSER: browserCommand };
  let signedIn = false;
  let expectedLaunches = launches();
  const runtimes = new Set();
  for (const [cmd, ...args] of commands) {
    ok(cmd in BIN, `a runtime: ${cmd}`);
    runtimes.add(cmd);
    const argv = cmd === "deno" ? [BIN.deno, args[0], ...DENY_FLAGS, ...args.slice(1)] : [BIN[cmd], ...args];
    const out = mustSucceed(await run(argv, { env }), `${cmd} ${args.join(" ")}`);
    if (args.at(-1) === "logout") {
      equal(out, signedIn ? "signed out, tokens revoked" : "signed out", `${cmd} logout`);
      signedIn = false;
    } else {
      match(out, /^signed in as User alice \(token .{6}…\)$/, `${cmd} ${args.join(" ")}`);
      if (!signedIn) expectedLaunches++;
      signedIn = true;
      equal(launches(), expectedLaunches, `${cmd}: the browser opened only when there were no tokens`);
      // The encrypted file as the README describes it: a text header, then the sealed document.
      const file = readFileSync(join(home, ".my-cli/tokens.json"), "utf8");
      match(file, /^oauth-callback-rs encrypted store v1\nkdf: argon2id m=19456 t=2 p=1 salt=[A-Za-z0-9_-]{22}\nkey-name: default\nnonce: [A-Za-z0-9_-]{16}\n\n[A-Za-z0-9_-]+\n?$/, "the file's header");
      ok(!file.includes("alice") && !file.includes("accessToken"), "nothing readable");
    }
  }
  equal([...runtimes].sort().join(" "), "bun deno node", "the README runs it in Node, Bun and Deno");
  rmSync(home, { recursive: true, force: true });
});

test("readme: the Deno permissions table matches the quick start's flags, and without --allow-run the URL is printed and a person can still sign in", async () => {
  const { env: exported, commands } = shellCommands(snippets.get("quick-start-run").code);
  const deno = commands.find((c) => c[0] === "deno");
  const flags = new Set(deno.filter((w) => w.startsWith("--")));
  const table = Object.fromEntries(
    README.split("\n")
      .filter((l) => /^\| [^|]+ \| `--allow/.test(l))
      .map((l) => {
        const [feature, cell] = l.split("|").slice(1, 3).map((c) => c.trim());
        return [feature, cell.split(/[,;]|\bor\b/)[0].match(/--allow-\w+/g) ?? []];
      }),
  );
  const needed = (prefix) => {
    const row = Object.entries(table).find(([feature]) => feature.startsWith(prefix));
    ok(row, `the table has a row for "${prefix}"`);
    return row[1];
  };
  const used = [
    ...needed("loading the package"),
    ...needed("requests to the authorization server"),
    ...needed("the loopback redirect server"),
    ...needed("opening the browser"),
    ...needed("`fileStore`"),
  ];
  equal([...new Set(used)].sort().join(" "), [...flags].sort().join(" "), "the flags of the quick start are those the table lists for what it uses");
  equal(needed("`keychainStore`").join(" "), "--allow-ffi", "the keychain needs the addon");

  // Without --allow-run: no browser, the URL printed with the reason; the person opens it.
  const home = freshHome();
  const launchedBefore = launches();
  const argv = [BIN.deno, "run", ...DENY_FLAGS, ...deno.slice(2).filter((w) => w !== "--allow-run")];
  let signingIn;
  const r = await run(argv, {
    env: { ...exported, HOME: home, ISSUER: issuer, BROWSER: browserCommand },
    onStderr: (text) => {
      const url = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)$/m.exec(text)?.[1];
      if (url && !signingIn) signingIn = headlessSignIn(url);
    },
  });
  await signingIn;
  const out = mustSucceed(r, "deno without --allow-run");
  match(r.stderr, /Open this URL in your browser to sign in \(.*Deno needs --allow-run to open a browser\)/, "says why");
  match(out, /^signed in as User alice/, "signed in by opening the printed URL");
  equal(launches(), launchedBefore, "no launcher ran");
  rmSync(home, { recursive: true, force: true });
});

test("readme: the passphrase minimum, as the snippet's comment says", async () => {
  const code = snippets.get("passphrase").code;
  const said = /console\.log\(.*\);\s*\/\/ (.+)$/m.exec(code)?.[1];
  ok(said, "the snippet says what it prints");
  const file = writeSnippet("passphrase");
  for (const argv of [[BIN.node, file], [BIN.deno, "run", ...DENY_FLAGS, "--allow-read", "--allow-write", "--allow-env", file]]) {
    equal(mustSucceed(await run(argv, { env: { HOME: freshHome() } }), argv[0]), said, `${argv[0]} prints it`);
  }
});

test("readme: OpenID Connect: ID token claims, UserInfo and the published metadata (Node, Bun, Deno)", async () => {
  const file = writeSnippet("oidc", "const issuer = process.env.ISSUER;\n");
  for (const argv of [[BIN.node, file], [BIN.bun, file], [BIN.deno, "run", ...DENY_FLAGS, "--allow-read", "--allow-net", "--allow-env", "--allow-run", file]]) {
    const launchedBefore = launches();
    const out = mustSucceed(await run(argv, { env: { ISSUER: issuer, BROWSER: browserCommand } }), argv[0]);
    match(out, /^true http:\/\/127\.0\.0\.1:\d+\/me http:\/\/127\.0\.0\.1:\d+\/session\/end .*sub/s, `${argv[0]}: claims.sub === me.sub, the endpoints, raw`);
    equal(launches(), launchedBefore + 1, "one sign-in");
  }
});

test("readme: the steps one by one with getAuthCode() (Node, Bun, Deno)", async () => {
  const file = writeSnippet("steps", "const issuer = process.env.ISSUER;\nconst clientId = process.env.CLIENT_ID;\n");
  match(README, /with the local server:\s+`http:\/\/127\.0\.0\.1:4499` and its public client `native-public`/, "the README names the local server's client");
  for (const argv of [[BIN.node, file], [BIN.bun, file], [BIN.deno, "run", ...DENY_FLAGS, "--allow-read", "--allow-net", "--allow-env", "--allow-run", file]]) {
    const out = mustSucceed(await run(argv, { env: { ISSUER: issuer, CLIENT_ID: PUBLIC_CLIENT, BROWSER: browserCommand } }), argv[0]);
    equal(out, "User alice: signed in, refreshed, revoked", argv[0]);
  }
});

test("readme: the protocol functions (Node; Deno with --allow-net for the listener)", async () => {
  const file = writeSnippet("protocol-functions");
  for (const argv of [[BIN.node, file], [BIN.deno, "run", ...DENY_FLAGS, "--allow-read", "--allow-net", file]]) {
    mustSucceed(await run(argv), argv[0]);
  }
});

test("readme: each options table names exactly the options its call accepts", async () => {
  const tables = extractOptionTables(README);
  equal([...tables.keys()].join(" "), "getAuthCode OAuthClient browserAuth fileStore keychainStore", "one table per call");
  /** The names an UNKNOWN_OPTION error lists for a key far from every known one. */
  const knownBy = async (fn) => {
    try {
      await fn({ zzzzzzzzzzzzzzzzzzzzzzzz: 1 });
    } catch (e) {
      const m = /; known options: (.*)$/.exec(e.message);
      ok(e.code === "UNKNOWN_OPTION" && m, `UNKNOWN_OPTION listing the known options: ${e.message}`);
      return m[1].split(", ").sort();
    }
    throw new Error("expected UNKNOWN_OPTION");
  };
  const home = freshHome();
  const known = {
    getAuthCode: await knownBy((o) => lib.getAuthCode(o)),
    OAuthClient: await knownBy((o) => new lib.OAuthClient({ issuer: "https://as.example", ...o })),
    fileStore: await knownBy((o) => lib.fileStore(join(home, "t.json"), o)),
    keychainStore: await knownBy((o) => lib.keychainStore({ service: "s", account: "a", ...o })),
    // browserAuth's options: the members of its options type.
    browserAuth: [...readFileSync(join(ROOT, "npm/src/mcp/types.ts"), "utf8").matchAll(/export interface BrowserAuthOptions \{([\s\S]*?)\n\}/g)]
      .flatMap((m) => [...m[1].matchAll(/^ {2}(\w+)\??:/gm)].map((x) => x[1]))
      .sort(),
  };
  for (const [name, names] of tables) equal(names.slice().sort().join(", "), known[name].join(", "), `the ${name} table`);
  rmSync(home, { recursive: true, force: true });
});
