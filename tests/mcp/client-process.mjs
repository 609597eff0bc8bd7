// One MCP client process, as an app would run it: the SDK's Client over Streamable HTTP
// with browserAuth and a file store, calling the server's `whoami` tool. The "user" is the
// plain-HTTP headless user. argv[2] is a JSON config; the last stdout line is a JSON report
// (never a token: the tests check every byte this process writes).
//   mode "connect":  connectWithBrowserAuth, the one-call helper
//   mode "lowlevel": the SDK's own pattern (connect, UnauthorizedError, finishAuth(code), connect)
//   user "abandon":  the browser opens and nobody signs in
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { browserAuth, connectWithBrowserAuth, fileStore } from "oauth-callback-rs/mcp";
import { headlessSignIn } from "../../examples/local-server/headless-user.mjs";

const cfg = JSON.parse(process.argv[2]);
let launches = 0;
const redirects = [];
const options = {
  store: fileStore(cfg.store),
  hostname: "127.0.0.1",
  launch: async (url) => {
    launches++;
    redirects.push(new URL(url).searchParams.get("redirect_uri"));
    // "abandon": the user never comes back (the test kills this process meanwhile).
    if (cfg.user === "abandon") process.stderr.write("browser opened\n");
    else await headlessSignIn(url);
  },
};
if (cfg.port !== undefined) options.port = cfg.port;
if (cfg.requestTimeoutMs !== undefined) options.requestTimeoutMs = cfg.requestTimeoutMs;

async function lowLevel() {
  const provider = browserAuth({ ...options, serverUrl: cfg.url });
  const client = new Client({ name: "lowlevel", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(cfg.url), { authProvider: provider });
  try {
    await client.connect(transport);
    return client;
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
  }
  const code = await provider.waitForAuthorizationCode();
  if (code === undefined) throw new Error("no authorization code was handed out");
  await transport.finishAuth(code);
  await client.connect(new StreamableHTTPClientTransport(new URL(cfg.url), { authProvider: provider }));
  return client;
}

let report;
try {
  const client = cfg.mode === "lowlevel" ? await lowLevel() : await connectWithBrowserAuth(cfg.url, options);
  const result = await client.callTool({ name: "whoami", arguments: {} });
  await client.close();
  report = { ok: true, text: result.content[0]?.text, launches, redirects };
} catch (err) {
  report = { ok: false, launches, redirects, error: { name: err?.name, code: err?.code, message: String(err?.message) } };
}
process.stdout.write(`${JSON.stringify(report)}\n`);
