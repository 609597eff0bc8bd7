// The differential cases: each is a small program written for oauth-callback@2.2.1 that
// runs unchanged against either library (`lib.root` is the package root, `lib.mcp` its
// `./mcp` entry) and returns what it could observe, as plain data. suite.mjs runs every
// case against both libraries and compares; differences.mjs lists the deliberate ones.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  canBind,
  classOf,
  freePort,
  http,
  occupy,
  portOpen,
  settledWithin,
  sleep,
  stubLauncher,
  track,
  waitFree,
  waitOpen,
} from "./harness.mjs";

const AUTHORIZE = "https://as.example/authorize?client_id=cli&response_type=code&state=s1";

/** What a program can see of an error. */
function errorInfo(lib, e) {
  const info = { class: classOf(lib, e), name: e?.name, message: e?.message, code: e?.code, keys: e && typeof e === "object" ? Object.keys(e) : [] };
  if (info.class === "OAuthError") {
    info.error = e.error;
    info.error_description = e.error_description;
    info.error_uri = e.error_uri;
    info.ownFields = ["error", "error_description", "error_uri"].filter((k) => Object.hasOwn(e, k));
  }
  return info;
}

/** How a tracked getAuthCode promise ended. */
function outcome(lib, state) {
  if (!state.done) return "pending";
  return state.rejected ? { rejected: errorInfo(lib, state.error) } : { resolved: state.value };
}

/**
 * Runs getAuthCode with `options` on a free port of 127.0.0.1; `send(port, state)` makes
 * the requests once it listens and returns their responses. Observes whether the port
 * accepted connections right after the call returned and whether it could be bound
 * right after the promise settled.
 */
async function login(lib, options, send = async () => [], settleMs = 6000) {
  const port = options.port ?? (await freePort());
  const state = track(lib.root.getAuthCode({ port, hostname: "127.0.0.1", timeout: 5000, ...options }));
  const boundAtReturn = await portOpen(port);
  const listening = await waitOpen(port, 2000);
  const responses = listening ? await send(port, state) : [];
  await settledWithin(state, settleMs);
  const freedAtSettle = state.done ? await canBind(port) : "not settled";
  if (!state.done) await waitFree(port, 1000);
  return { port, boundAtReturn, listening, responses, state, freedAtSettle, outcome: outcome(lib, state) };
}

/** A hostile request, then (if the flow is still waiting) a well-formed one. */
async function hostileThenGood(port, state, hostile, good = { target: "/callback?code=good" }) {
  const first = await http(port, hostile);
  if (await settledWithin(state, 300)) return [first.status];
  const second = await http(port, good);
  return [first.status, second.status];
}

const title = (body) => /<title>([^<]*)<\/title>/i.exec(body)?.[1] ?? null;

const SECURITY_HEADERS = ["content-security-policy", "cache-control", "referrer-policy", "x-content-type-options", "x-frame-options"];

function securityHeaders(headers) {
  const out = {};
  for (const h of SECURITY_HEADERS) {
    let v = headers[h];
    // The script hash changes with the page; a program sees that there is one.
    if (h === "content-security-policy" && v) v = v.replace(/'sha256-[A-Za-z0-9+/=]+'/g, "'sha256-…'");
    out[h] = v;
  }
  return out;
}

const SUCCESS_HTML = "<!doctype html><title>Signed in</title><p>{{error}} {{code}} {{ error }} &amp; $& $1 ünïcödé</p>";
const ERROR_HTML =
  "<!doctype html><title>Failed</title><p>e={{error}}|d={{error_description}}|u={{error_uri}}|sp={{ error }}|c={{code}}|t={{ERROR_TITLE}}|ee={{error}}{{error}}|$&|$1|{{Error}}</p>";

/** `typeof` of each of `names` in a module namespace. */
const shape = (m, names) => Object.fromEntries(names.map((k) => [k, typeof m[k]]));

const PEER_MCP_EXPORTS = ["OAuthStoreBrand", "browserAuth", "fileStore", "inMemoryStore"];

/** Every file under `dir`, relative to it, sorted. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

const mode = (p) => (existsSync(p) ? (statSync(p).mode & 0o777).toString(8) : "missing");

function readJson(p) {
  if (!existsSync(p)) return "missing";
  const text = readFileSync(p, "utf8");
  try {
    return JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 40)}`;
  }
}

async function settle(promise) {
  try {
    return { resolved: await promise };
  } catch (e) {
    return { rejected: { name: e?.name, code: e?.code } };
  }
}

/** Env for a child that may launch a browser: a stub `xdg-open` first on PATH, a dummy display, no BROWSER. */
function launcherEnv(tmp) {
  const { bin, log } = stubLauncher(tmp);
  return { PATH: `${bin}:${process.env.PATH}`, DISPLAY: ":99", WAYLAND_DISPLAY: undefined, BROWSER: undefined, LAUNCH_LOG: log };
}

const launched = () => (existsSync(process.env.LAUNCH_LOG) ? readFileSync(process.env.LAUNCH_LOG, "utf8").split("\n").filter(Boolean) : []);

async function waitLaunched(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end && launched().length === 0) await sleep(20);
  return launched();
}

const TOKENS = { accessToken: "at-1", refreshToken: "rt-1", expiresAt: 4102444800000, scope: "openid" };

export const cases = [
  // ---- exports ------------------------------------------------------------------------
  {
    name: "exports: what a peer program imports from the root",
    run: async (lib) => {
      return { types: shape(lib.root, ["OAuthError", "TimeoutError", "fileStore", "getAuthCode", "getRedirectUrl", "inMemoryStore", "mcp"]) };
    },
  },
  {
    name: "exports: the root mcp namespace and the ./mcp entry",
    run: async (lib) => ({
      // The names the peer exports (ours may export more).
      rootMcp: shape(lib.root.mcp, PEER_MCP_EXPORTS),
      mcpEntry: shape(lib.mcp, PEER_MCP_EXPORTS),
      brandDescription: lib.mcp.OAuthStoreBrand.description,
      sameBrandInBoth: lib.root.mcp.OAuthStoreBrand === lib.mcp.OAuthStoreBrand,
      sameBrowserAuthInBoth: lib.root.mcp.browserAuth === lib.mcp.browserAuth,
      sameInMemoryStoreInBoth: lib.root.inMemoryStore === lib.mcp.inMemoryStore,
      sameFileStoreInBoth: lib.root.fileStore === lib.mcp.fileStore,
    }),
  },

  // ---- getRedirectUrl -----------------------------------------------------------------
  {
    name: "getRedirectUrl",
    run: async (lib) => {
      const at = (...args) => {
        try {
          return lib.root.getRedirectUrl(...args);
        } catch (e) {
          return { threw: classOf(lib, e), code: e?.code };
        }
      };
      return {
        "()": at(),
        "{}": at({}),
        "{ port: 8080 }": at({ port: 8080 }),
        "{ hostname: 127.0.0.1, port: 1234, callbackPath: /cb }": at({ hostname: "127.0.0.1", port: 1234, callbackPath: "/cb" }),
        "{ callbackPath: auth/cb }": at({ callbackPath: "auth/cb" }),
        "{ hostname: ::1 }": at({ hostname: "::1" }),
        "{ hostname: example.com }": at({ hostname: "example.com" }),
      };
    },
  },

  // ---- getAuthCode: the callback --------------------------------------------------------
  {
    name: "getAuthCode: success with the built-in page",
    run: async (lib) => {
      const r = await login(lib, {}, async (port) => [await http(port, { target: "/callback?code=abc%20def&state=xyz&iss=https%3A%2F%2Fas.example&empty=" })]);
      const [res] = r.responses;
      return {
        status: res.status,
        contentType: res.headers["content-type"],
        pageTitle: title(res.body),
        securityHeaders: securityHeaders(res.headers),
        connectionHeader: res.headers.connection,
        outcome: r.outcome,
        plainObject: r.state.done && !r.state.rejected && Object.getPrototypeOf(r.state.value) === Object.prototype,
        boundAtReturn: r.boundAtReturn,
        freedAtSettle: r.freedAtSettle,
      };
    },
  },
  {
    name: "getAuthCode: custom successHtml is served verbatim",
    run: async (lib) => {
      const r = await login(lib, { successHtml: SUCCESS_HTML }, async (port) => [await http(port, { target: "/callback?code=c1&error_description=ignored" })]);
      const [res] = r.responses;
      return { status: res.status, contentType: res.headers["content-type"], body: res.body, outcome: r.outcome, freedAtSettle: r.freedAtSettle };
    },
  },
  {
    name: "getAuthCode: custom errorHtml replaces exactly three placeholders, escaped",
    run: async (lib) => {
      const q = new URLSearchParams({
        error: "access_denied",
        error_description: `<b class="x">'Tom' & {{error}} $& $1</b>`,
        error_uri: 'https://as.example/errors?a=1&b="2"',
      });
      const r = await login(lib, { errorHtml: ERROR_HTML }, async (port) => [await http(port, { target: `/callback?${q}` })]);
      const [res] = r.responses;
      return { status: res.status, contentType: res.headers["content-type"], body: res.body, outcome: r.outcome, freedAtSettle: r.freedAtSettle };
    },
  },
  {
    name: "getAuthCode: errorHtml with a non-http error_uri and no description",
    run: async (lib) => {
      const r = await login(lib, { errorHtml: ERROR_HTML }, async (port) => [await http(port, { target: "/callback?error=invalid_scope&error_uri=javascript%3Aalert(1)" })]);
      const [res] = r.responses;
      return { status: res.status, body: res.body, outcome: r.outcome };
    },
  },
  {
    name: "getAuthCode: OAuth error with the built-in page",
    run: async (lib) => {
      const r = await login(lib, {}, async (port) => [await http(port, { target: "/callback?error=access_denied&state=s" })]);
      const [res] = r.responses;
      return { status: res.status, contentType: res.headers["content-type"], pageTitle: title(res.body), outcome: r.outcome, freedAtSettle: r.freedAtSettle };
    },
  },
  {
    name: "getAuthCode: OAuthError message is the description",
    run: async (lib) => {
      const q = new URLSearchParams({ error: "invalid_request", error_description: "The request is missing a parameter.", error_uri: "https://as.example/e" });
      const r = await login(lib, {}, async (port) => [await http(port, { target: `/callback?${q}` })]);
      return { status: r.responses[0].status, outcome: r.outcome };
    },
  },
  {
    name: "getAuthCode: OAuthError with terminal escapes in the description",
    run: async (lib) => {
      const q = new URLSearchParams({ error: "access_denied", error_description: "bad\u001b[31m red\r\nline\u0007" });
      const r = await login(lib, {}, async (port) => [await http(port, { target: `/callback?${q}` })]);
      const e = r.state.error;
      return {
        status: r.responses[0].status,
        class: classOf(lib, e),
        error_description: e?.error_description,
        message: e?.message,
      };
    },
  },
  {
    name: "getAuthCode: callbackPath without a leading slash",
    run: async (lib) => {
      const r = await login(lib, { callbackPath: "auth/cb" }, async (port) => [(await http(port, { target: "/callback?code=wrong" })).status, (await http(port, { target: "/auth/cb?code=x1" })).status]);
      return { statuses: r.responses, outcome: r.outcome };
    },
  },
  {
    name: "getAuthCode: onRequest sees the callback request",
    run: async (lib) => {
      const seen = [];
      const r = await login(
        lib,
        {
          onRequest: (req) => seen.push({ isRequest: req instanceof Request, method: req.method, path: new URL(req.url).pathname + new URL(req.url).search }),
        },
        async (port) => [(await http(port, { target: "/favicon.ico" })).status, (await http(port, { target: "/callback?code=o1" })).status],
      );
      return { statuses: r.responses, seen, outcome: r.outcome };
    },
  },

  // ---- getAuthCode: errors, timeout, abort, ports ------------------------------------
  {
    name: "getAuthCode: timeout rejects with TimeoutError",
    run: async (lib) => {
      const r = await login(lib, { timeout: 200 });
      const r2 = await login(lib, { timeout: 150, callbackPath: "auth/cb" });
      return { outcome: r.outcome, freedAtSettle: r.freedAtSettle, normalizedPath: r2.outcome };
    },
  },
  {
    name: "getAuthCode: port in use",
    run: async (lib) => {
      const port = await freePort();
      const free = await occupy(port);
      try {
        let e;
        try {
          await lib.root.getAuthCode({ port, hostname: "127.0.0.1", timeout: 2000 });
        } catch (err) {
          e = err;
        }
        return { code: e?.code, class: classOf(lib, e) };
      } finally {
        await free();
      }
    },
  },
  {
    name: "getAuthCode: an already aborted signal",
    run: async (lib) => {
      const port = await freePort();
      const c = new AbortController();
      const reason = new Error("user cancelled");
      c.abort(reason);
      let e;
      try {
        await lib.root.getAuthCode({ port, hostname: "127.0.0.1", signal: c.signal });
      } catch (err) {
        e = err;
      }
      return { class: classOf(lib, e), name: e?.name, message: e?.message, code: e?.code, causeIsReason: e?.cause === reason, portFree: await canBind(port) };
    },
  },
  {
    name: "getAuthCode: abort while waiting",
    run: async (lib) => {
      const c = new AbortController();
      const r = await login(lib, { signal: c.signal }, async () => {
        c.abort(new Error("user cancelled"));
        return [];
      });
      const e = r.state.error;
      return { class: classOf(lib, e), message: e?.message, code: e?.code, freedAtSettle: r.freedAtSettle };
    },
  },

  {
    name: "getAuthCode: an unknown (misspelled) option",
    run: async (lib) => {
      // `timout` for `timeout`: the peer ignores it and waits its default 30 s; ours says so.
      const r = await login(lib, { timout: 100 }, async (port) => [(await http(port, { target: "/callback?code=c" })).status], 3000);
      const e = r.state.error;
      return { result: r.state.rejected ? { class: classOf(lib, e), code: e?.code, message: e?.message } : r.state.value, listening: r.listening };
    },
  },
  {
    name: "getAuthCode: an authorization URL whose redirect_uri names another port",
    run: async (lib) => {
      const other = await freePort();
      const url = `https://as.example/authorize?redirect_uri=${encodeURIComponent(`http://127.0.0.1:${other}/callback`)}`;
      const r = await login(lib, { timeout: 400, authorizationUrl: url, launch: () => undefined });
      const e = r.state.error;
      return { rejectedWith: { class: classOf(lib, e), code: e?.code } };
    },
  },

  // ---- getAuthCode: browser --------------------------------------------------------------
  {
    name: "getAuthCode: managed mode calls launch once the server listens",
    run: async (lib) => {
      const calls = [];
      let listeningAtLaunch;
      const port = await freePort();
      const r = await login(
        lib,
        {
          port,
          authorizationUrl: AUTHORIZE,
          launch: async (url) => {
            calls.push(url);
            listeningAtLaunch = await portOpen(port);
            throw new Error("the launcher failed");
          },
        },
        async (p) => {
          await sleep(100);
          return [(await http(p, { target: "/callback?code=m1" })).status];
        },
      );
      return { calls, listeningAtLaunch, statuses: r.responses, outcome: r.outcome };
    },
  },
  {
    name: "getAuthCode: headless mode opens no browser",
    child: (tmp) => launcherEnv(tmp),
    run: async (lib) => {
      const withoutUrl = await login(lib, {}, async (port) => {
        await sleep(400);
        return [(await http(port, { target: "/callback?code=h1" })).status];
      });
      const afterFirst = launched();
      const withUrl = await login(lib, { authorizationUrl: AUTHORIZE }, async (port) => {
        await sleep(400);
        return [(await http(port, { target: "/callback?code=h2" })).status];
      });
      return { launchedWithoutUrl: afterFirst, launchedWithUrlNoLaunch: launched(), outcomes: [withoutUrl.outcome, withUrl.outcome] };
    },
  },
  {
    name: "getAuthCode: the string form opens the browser (port 3000)",
    child: (tmp) => launcherEnv(tmp),
    run: async (lib) => {
      // The string form always listens on localhost:3000; wait for another test to let go of it.
      if (!(await waitFree(3000, 20_000))) return { skipped: "port 3000 stayed busy for 20 s" };
      const state = track(lib.root.getAuthCode(AUTHORIZE));
      const urls = await waitLaunched(5000);
      let status = 0;
      try {
        const res = await fetch("http://localhost:3000/callback?code=s1&state=s1", { redirect: "manual" });
        await res.text();
        status = res.status;
      } catch (e) {
        status = `fetch failed: ${e.message}`;
      }
      await settledWithin(state, 5000);
      return { launched: urls, status, outcome: outcome(lib, state) };
    },
  },

  // ---- getAuthCode: hardening ---------------------------------------------------------
  {
    name: "hardening: a foreign Host header",
    run: async (lib) => {
      const r = await login(lib, {}, (port, state) => hostileThenGood(port, state, { target: "/callback?code=evil", host: `evil.example:${port}` }));
      return { statuses: r.responses, code: r.state.value?.code };
    },
  },
  {
    name: "hardening: POST to the callback path",
    run: async (lib) => {
      const r = await login(lib, {}, (port, state) => hostileThenGood(port, state, { method: "POST", target: "/callback?code=evil", body: "" }));
      return { statuses: r.responses, code: r.state.value?.code };
    },
  },
  {
    name: "hardening: HEAD to the callback path",
    run: async (lib) => {
      const r = await login(lib, {}, (port, state) => hostileThenGood(port, state, { method: "HEAD", target: "/callback?code=head" }));
      return { statuses: r.responses, code: r.state.value?.code };
    },
  },
  {
    name: "hardening: a repeated parameter",
    run: async (lib) => {
      const r = await login(lib, {}, (port, state) => hostileThenGood(port, state, { target: "/callback?code=a&code=b" }));
      return { statuses: r.responses, code: r.state.value?.code };
    },
  },
  {
    name: "hardening: expectedState",
    run: async (lib) => {
      const r = await login(lib, { expectedState: "s1" }, (port, state) =>
        hostileThenGood(port, state, { target: "/callback?code=evil&state=s2" }, { target: "/callback?code=good&state=s1" }),
      );
      return { statuses: r.responses, code: r.state.value?.code };
    },
  },
  {
    name: "hardening: a 12 KiB request target",
    run: async (lib) => {
      const r = await login(lib, {}, (port, state) => hostileThenGood(port, state, { target: `/callback?code=big&pad=${"x".repeat(12 * 1024)}` }));
      return { statuses: r.responses, code: r.state.value?.code };
    },
  },
  {
    name: "hardening: a non-loopback hostname",
    // In a child: the Deno test process may not listen on 0.0.0.0.
    child: () => ({}),
    run: async (lib) => {
      const port = await freePort();
      const state = track(lib.root.getAuthCode({ port, hostname: "0.0.0.0", timeout: 300 }));
      await settledWithin(state, 100);
      const listened = state.done ? false : await portOpen(port);
      await settledWithin(state, 3000);
      return { listened, outcome: state.rejected ? { class: classOf(lib, state.error), code: state.error?.code } : "resolved" };
    },
  },

  // ---- errors ---------------------------------------------------------------------------
  {
    name: "errors: OAuthError and TimeoutError constructed directly",
    run: async (lib) => {
      const { OAuthError, TimeoutError } = lib.root;
      const describe = (e) => ({ ...errorInfo(lib, e), isError: e instanceof Error, isTimeout: e instanceof TimeoutError, isOAuth: e instanceof OAuthError });
      return {
        "OAuthError(e)": describe(new OAuthError("access_denied")),
        "OAuthError(e, d, u)": describe(new OAuthError("access_denied", "The user said no.", "https://as.example/e")),
        "OAuthError(e, '')": describe(new OAuthError("server_error", "")),
        "TimeoutError()": describe(new TimeoutError()),
        "TimeoutError(m)": describe(new TimeoutError("took too long")),
        classNames: [OAuthError.name, TimeoutError.name],
      };
    },
  },

  // ---- stores ---------------------------------------------------------------------------
  {
    name: "inMemoryStore",
    run: async (lib) => {
      const s = lib.root.inMemoryStore();
      const missing = await s.get("k");
      const t = { ...TOKENS };
      await s.set("k", t);
      const back = await s.get("k");
      await s.set("k2", { accessToken: "only" });
      const onlyAccess = await s.get("k2");
      await s.delete("k");
      const methods = [];
      for (let o = s; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
        for (const k of Object.getOwnPropertyNames(o)) if (typeof s[k] === "function" && k !== "constructor" && !methods.includes(k)) methods.push(k);
      }
      return {
        missing,
        back,
        sameObject: back === t,
        onlyAccess,
        afterDelete: await s.get("k"),
        other: await s.get("k2"),
        methods: methods.sort(),
        branded: lib.mcp.OAuthStoreBrand in s,
        mcpEntryStoreBranded: lib.mcp.OAuthStoreBrand in lib.mcp.inMemoryStore(),
      };
    },
  },
  {
    name: "fileStore: an explicit path",
    run: async (lib, { tmp, peer }) => {
      const dir = join(tmp, "nested", "dir");
      const file = join(dir, "tokens.json");
      const s = lib.root.fileStore(file);
      const missing = await s.get("https://mcp.example.com");
      await s.set("https://mcp.example.com", TOKENS);
      const text = readFileSync(file, "utf8");
      const observed = {
        missing,
        filesAfterSet: listFiles(dir),
        contentAfterSet: readJson(file),
        prettyJson: text === JSON.stringify(JSON.parse(text), null, 2),
        fileMode: mode(file),
        dirMode: mode(dir),
      };
      observed.readByAnotherInstance = await lib.root.fileStore(file).get("https://mcp.example.com");
      // The file as the peer reads it (for the peer itself, or for what ours wrote).
      observed.readByThePeer = await peer.root.fileStore(file).get("https://mcp.example.com");
      await lib.root.fileStore(file).set("second", { accessToken: "a2" });
      await s.delete("https://mcp.example.com");
      observed.filesAfterDelete = listFiles(dir);
      observed.contentAfterDelete = readJson(file);
      observed.getAfterDelete = await s.get("https://mcp.example.com");
      // Beyond tokens: a store that also keeps client registrations and PKCE verifiers.
      if (typeof s.setClient === "function") {
        await s.setClient("second", { clientId: "c1" });
        await s.setCodeVerifier("second", "v".repeat(43));
        const doc = readJson(file);
        observed.withClientRecords = { topLevelKeys: Object.keys(doc), tokensUnchanged: JSON.stringify(doc.second) === JSON.stringify({ accessToken: "a2" }), peerStillReads: await peer.root.fileStore(file).get("second") };
      } else {
        observed.withClientRecords = "no setClient";
      }
      return observed;
    },
  },
  {
    name: "fileStore: the default path",
    child: (tmp) => ({ HOME: join(tmp, "home") }),
    run: async (lib) => {
      const home = process.env.HOME;
      mkdirSync(home, { recursive: true });
      await lib.root.fileStore().set("root", { accessToken: "r" });
      await lib.mcp.fileStore().set("mcp", { accessToken: "m" });
      // Bun and Deno keep caches in HOME; they are not the store's.
      const files = listFiles(home).filter((f) => !/^\.(bun|cache|deno|npm)\//.test(f));
      return { files, content: readJson(join(home, ".mcp", "tokens.json")) };
    },
  },
  {
    name: "fileStore: a corrupt file",
    run: async (lib, { tmp }) => {
      const file = join(tmp, "tokens.json");
      writeFileSync(file, "{ not json", { mode: 0o600 });
      const s = lib.root.fileStore(file);
      const get = await settle(s.get("k"));
      const set = await settle(s.set("k", { accessToken: "new" }));
      return { get, set, fileAfter: readJson(file) };
    },
  },

  // ---- mcp: browserAuth -------------------------------------------------------------------
  {
    name: "browserAuth: redirectUrl",
    run: async (lib) => ({
      default: lib.mcp.browserAuth().redirectUrl,
      custom: lib.mcp.browserAuth({ port: 8123, hostname: "127.0.0.1", callbackPath: "/cb" }).redirectUrl,
      fromRootNamespace: lib.root.mcp.browserAuth({ port: 9000 }).redirectUrl,
    }),
  },
  {
    name: "browserAuth: clientMetadata",
    run: async (lib) => {
      const pub = lib.mcp.browserAuth({ scope: "openid profile", port: 8124 }).clientMetadata;
      const conf = lib.mcp.browserAuth({ clientId: "c", clientSecret: "s", port: 8123 }).clientMetadata;
      const basics = (m) => ({ redirect_uris: m.redirect_uris, response_types: m.response_types, token_endpoint_auth_method: m.token_endpoint_auth_method, scope: m.scope });
      return {
        public: basics(pub),
        confidential: basics(conf),
        keys: Object.keys(pub).sort(),
        client_name: pub.client_name,
        client_uri: pub.client_uri,
        grant_types: pub.grant_types,
      };
    },
  },
  {
    name: "browserAuth: tokens()",
    run: async (lib) => {
      const store = lib.mcp.inMemoryStore();
      const read = (key) => lib.mcp.browserAuth({ store, storeKey: key }).tokens();
      await store.set("expired", { accessToken: "old", expiresAt: Date.now() - 3_600_000 });
      await store.set("valid", { accessToken: "fresh", refreshToken: "r", expiresAt: Date.now() + 3_600_000, scope: "openid" });
      const valid = await read("valid");
      return {
        none: await read("none"),
        expiredWithoutRefresh: await read("expired"),
        valid: valid && { access_token: valid.access_token, token_type: valid.token_type, refresh_token: valid.refresh_token, scope: valid.scope },
      };
    },
  },
  {
    name: "browserAuth: the default store key",
    run: async (lib) => {
      const store = lib.mcp.inMemoryStore();
      await store.set("mcp-tokens", { accessToken: "under-default-key", expiresAt: Date.now() + 3_600_000 });
      const t = await lib.mcp.browserAuth({ store }).tokens();
      return { accessToken: t?.access_token };
    },
  },
];
