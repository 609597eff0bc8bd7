// The smoke test a cross-built addon passes under emulation: the facade (the workspace's
// npm/) with the addon named by OAUTH_CALLBACK_RS_NATIVE. By default it serves one
// loopback callback on the addon's server and the result comes back through Node-API
// (qemu-user). SMOKE=bind only loads the addon and binds a loopback listener (wine, whose
// sockets accept no loopback connection from Node). Prints one JSON line, or writes it
// to SMOKE_OUT (wine's Node cannot write to a pipe).
import { writeFileSync } from "node:fs";
import { bindLoopback, getAuthCode } from "oauth-callback-rs";

async function callback() {
  let listening;
  const ready = new Promise((resolve) => (listening = resolve));
  const result = getAuthCode({ port: 0, hostname: "127.0.0.1", timeout: 60_000, onListening: (info) => listening(info) });
  const { redirectUri } = await ready;
  const page = await fetch(`${redirectUri}?code=smoke-code&state=smoke-state`);
  const body = await page.text();
  const { code, state } = await result;
  return { status: page.status, signedInPage: /You are signed in/.test(body), code, state };
}

function bind() {
  const listener = bindLoopback({ hostname: "127.0.0.1", port: 0 });
  const port = listener.port;
  listener.close();
  return { boundPort: Number.isInteger(port) && port > 0 };
}

const out = JSON.stringify({ platform: process.platform, arch: process.arch, ...(process.env.SMOKE === "bind" ? bind() : await callback()) });
if (process.env.SMOKE_OUT) writeFileSync(process.env.SMOKE_OUT, out);
else console.log(out);
