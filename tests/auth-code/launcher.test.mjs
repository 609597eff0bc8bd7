// The built-in launcher: BROWSER is honoured (here a "browser" that is a Node script
// fetching the URL it is given), and with no display the URL is printed and reported.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import * as lib from "oauth-callback-rs";
import { equal, match } from "../facade/assert.mjs";

function freePort() {
  const l = lib.bindLoopback({ hostname: "127.0.0.1" });
  l.close();
  return l.port;
}

test("launcher: BROWSER opens the authorization URL", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fake-browser-"));
  const script = join(dir, "browser.mjs");
  writeFileSync(script, "await fetch(process.argv[2]);\n");
  chmodSync(script, 0o755);
  process.env.BROWSER = `${process.execPath} ${script}`;
  const events = [];
  try {
    const port = freePort();
    const r = await lib.getAuthCode({
      port,
      hostname: "127.0.0.1",
      timeout: 20_000,
      authorizationUrl: `http://127.0.0.1:${port}/callback?code=from-browser`,
      launch: lib.openBrowser,
      onEvent: (e) => events.push(e),
    });
    equal(r.code, "from-browser", "the launched browser completed the flow");
    const launch = events.find((e) => e.type === "browser");
    equal(launch?.launch.opened, true, "reported as opened");
    equal(launch?.launch.command, process.execPath, "the BROWSER command");
  } finally {
    delete process.env.BROWSER;
  }
});

test("launcher: no display prints the URL and reports it", async () => {
  const saved = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY, BROWSER: process.env.BROWSER };
  delete process.env.DISPLAY;
  delete process.env.WAYLAND_DISPLAY;
  delete process.env.BROWSER;
  const written = [];
  const write = process.stderr.write;
  process.stderr.write = (chunk, ...rest) => (written.push(String(chunk)), true);
  try {
    let browserEvent;
    const sawEvent = new Promise((resolve) => {
      browserEvent = resolve;
    });
    const port = freePort();
    const done = lib.getAuthCode({
      port,
      hostname: "127.0.0.1",
      timeout: 20_000,
      authorizationUrl: "https://as.example/authorize?client_id=c",
      launch: lib.openBrowser,
      onEvent: (e) => e.type === "browser" && browserEvent(e),
    });
    const e = await sawEvent;
    equal(e.launch.opened, false, "not opened");
    match(e.launch.reason, /no display/, "reason");
    match(written.join(""), /Open this URL in your browser to sign in:\n {2}https:\/\/as\.example\/authorize\?client_id=c\n/, "URL printed");
    await fetch(`http://127.0.0.1:${port}/callback?code=by-hand`);
    equal((await done).code, "by-hand", "the user opened it by hand");
  } finally {
    process.stderr.write = write;
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
});

test("launcher: a launcher that starts and exits non-zero is reported, and the URL printed", async () => {
  const saved = process.env.BROWSER;
  process.env.BROWSER = "/bin/false";
  const written = [];
  const write = process.stderr.write;
  process.stderr.write = (chunk) => (written.push(String(chunk)), true);
  try {
    const events = [];
    let failed;
    const sawFailure = new Promise((resolve) => (failed = resolve));
    const port = freePort();
    const done = lib.getAuthCode({
      port,
      hostname: "127.0.0.1",
      timeout: 20_000,
      authorizationUrl: "https://as.example/authorize?client_id=false",
      launch: lib.openBrowser,
      onEvent: (e) => {
        if (e.type !== "browser") return;
        events.push(e.launch);
        if (!e.launch.opened) failed(e);
      },
    });
    const e = await sawFailure;
    match(e.launch.reason, /\/bin\/false exited with code 1/, "the exit code is the reason");
    equal(events[0]?.opened, true, "first reported as started");
    match(written.join(""), /Open this URL in your browser to sign in:\n {2}https:\/\/as\.example\/authorize\?client_id=false\n/, "URL printed");
    await fetch(`http://127.0.0.1:${port}/callback?code=by-hand`);
    equal((await done).code, "by-hand", "the login still completes by hand");
  } finally {
    process.stderr.write = write;
    if (saved === undefined) delete process.env.BROWSER;
    else process.env.BROWSER = saved;
  }
});

// A URL a hostile authorization or MCP server could hand over: every shell metacharacter,
// a Windows %VAR%, a replacement pattern.
const NASTY = "https://as.example/authorize?x=%USERNAME%&y=a|b&z=\"q\"^c&w=$&v=$1 sp";

test("launcher: the exact URL reaches xdg-open and a BROWSER %s command, as one argument", async () => {
  const { mkdtempSync, writeFileSync, chmodSync, readFileSync } = await import("node:fs");
  const dir = mkdtempSync(join(tmpdir(), "fake-xdg-"));
  const out = join(dir, "argv.json");
  const stub = join(dir, "xdg-open");
  // Records its arguments, then exits 3: openBrowser reports that exit, so the test
  // knows the stub has finished without waiting on a timer.
  writeFileSync(stub, `#!${process.execPath}\nrequire("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.argv.slice(2)));\nprocess.exit(3);\n`);
  chmodSync(stub, 0o755);
  const saved = { PATH: process.env.PATH, DISPLAY: process.env.DISPLAY, BROWSER: process.env.BROWSER };
  const run = async () => {
    let failed;
    const finished = new Promise((resolve) => (failed = resolve));
    // The launcher unrefs its child; an interval keeps this process alive meanwhile.
    const alive = setInterval(() => {}, 1000);
    try {
      const launch = await lib.openBrowser(NASTY, { onFailure: failed });
      equal(launch.opened, true, "started");
      match(await finished, /exited with code 3/, "the stub ran to its end");
    } finally {
      clearInterval(alive);
    }
    return JSON.parse(readFileSync(out, "utf8"));
  };
  try {
    process.env.PATH = `${dir}:${saved.PATH}`;
    process.env.DISPLAY = ":99";
    delete process.env.BROWSER;
    equal((await run()).join(" | "), NASTY, "xdg-open got exactly the URL, as one argument");
    process.env.BROWSER = `${stub} --new-window %s`;
    equal((await run()).join(" | "), `--new-window | ${NASTY}`, "BROWSER's %s is the URL, $& and all");
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
});

test("launcher: the command lines of the platforms that cannot run here", () => {
  const cmd = (platform, wsl = false, env = {}) => lib.browserCommand(NASTY, { platform, wsl, env });
  equal(JSON.stringify(cmd("darwin")), JSON.stringify({ cmd: "open", args: [NASTY] }), "macOS");
  equal(JSON.stringify(cmd("win32")), JSON.stringify({ cmd: "rundll32", args: ["url.dll,FileProtocolHandler", NASTY] }), "Windows: no cmd.exe");
  equal(JSON.stringify(cmd("linux", true)), JSON.stringify({ cmd: "rundll32.exe", args: ["url.dll,FileProtocolHandler", NASTY] }), "WSL: no cmd.exe, %USERNAME% not expanded");
  equal(cmd("linux", false, {}).reason, "no display (DISPLAY and WAYLAND_DISPLAY are unset)", "Linux without a display");
  equal(JSON.stringify(cmd("linux", false, { WAYLAND_DISPLAY: "wayland-0" })), JSON.stringify({ cmd: "xdg-open", args: [NASTY] }), "Wayland");
  equal(cmd("linux", false, { BROWSER: "none", DISPLAY: ":0" }).reason, "BROWSER is set to none", "BROWSER=none");
});
