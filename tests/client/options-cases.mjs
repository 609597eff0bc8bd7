// One vocabulary and the mistakes a newcomer makes: option names shared with getAuthCode
// and browserAuth (aliases kept), unknown options as typed errors, and messages that say
// what happened (the request URL and the network cause, the rule an issuer breaks, the
// wait and redirect URI of a sign-in that timed out, why no browser opened). Shared by
// Node, Bun and Deno; `env` as in cases.mjs.
import { createServer } from "node:http";
import { equal, match, ok, rejection } from "../facade/assert.mjs";
import { readFileSync } from "node:fs";
import { PUBLIC_CLIENT, SPA_CLIENT, SPA_REDIRECT } from "../../examples/local-server/provider.mjs";

/** The browser entry (BrowserOAuthClient), loaded with its wasm from the build. */
let browserEntry;
export function loadBrowserEntry() {
  browserEntry ??= (async () => {
    const entry = await import("../../npm/dist/index.browser.js");
    await entry.init(
      readFileSync(new URL("../../npm/wasm-authorize/oauth_callback_authorize.wasm", import.meta.url)),
      readFileSync(new URL("../../npm/wasm-login/oauth_callback_login.wasm", import.meta.url)),
    );
    return entry;
  })();
  return browserEntry;
}

/** sessionStorage's shape on a Map. */
export function memoryStorage() {
  const map = new Map();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, String(v)), removeItem: (k) => void map.delete(k) };
}

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}


/** A loopback port nothing listens on (bound, then closed). */
async function closedPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Starts a sign-in far enough to see the authorization URL, then stops it: `options`
 * go to the client (its names or their aliases).
 */
async function authorizationUrlOf(lib, issuer, options) {
  const ac = new AbortController();
  let url;
  const client = new lib.OAuthClient({
    issuer,
    clientId: PUBLIC_CLIENT,
    ...options,
    launch: (u) => {
      url = new URL(u);
      ac.abort();
    },
  });
  const err = await rejection(client.authenticate({ signal: ac.signal }));
  equal(err.code, "ABORTED", `stopped after the URL: ${err.message}`);
  return url;
}

export const optionCases = [
  ["options: OAuthClient takes scope, store, storeKey, port and hostname; scopes, storage, storageKey, callbackPort, callbackHostname are aliases", async (lib, env) => {
    const p = await env.startProvider();
    try {
      for (const [named, alias] of [
        [{ scope: "openid profile", hostname: "localhost" }, { scopes: ["openid", "profile"], callbackHostname: "localhost" }],
      ]) {
        for (const options of [named, alias]) {
          const url = await authorizationUrlOf(lib, p.issuer, options);
          equal(url.searchParams.get("scope"), "openid profile", `scope from ${JSON.stringify(options)}`);
          equal(new URL(url.searchParams.get("redirect_uri")).hostname, "localhost", `hostname from ${JSON.stringify(options)}`);
          ok(url.searchParams.get("nonce")?.length >= 43, "openid: a nonce is sent");
        }
      }
      // The store and its key, by either name: the token is read from where it was put.
      for (const options of [{ store: "s", storeKey: "k" }, { storage: "s", storageKey: "k" }]) {
        const store = lib.inMemoryStore();
        await store.set("k", { accessToken: "from-the-given-store" });
        const o = {};
        for (const [k, v] of Object.entries(options)) o[k] = v === "s" ? store : v;
        const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, ...o });
        equal(await client.getValidToken(), "from-the-given-store", `read through ${Object.keys(options)}`);
      }
    } finally {
      await p.close();
    }
  }],

  ["options: an alias given together with its name is INVALID_PARAMETER naming both", async (lib) => {
    const issuer = "https://as.example";
    for (const [name, alias, value] of [["scope", "scopes", "openid"], ["store", "storage", undefined], ["storeKey", "storageKey", "k"], ["port", "callbackPort", 0], ["hostname", "callbackHostname", "localhost"]]) {
      const v = value ?? lib.inMemoryStore();
      const e = thrown(() => new lib.OAuthClient({ issuer, [name]: v, [alias]: v }));
      ok(e instanceof lib.OAuthCallbackError, `typed for ${name}`);
      equal(e.code, "INVALID_PARAMETER", name);
      equal(e.message, `OAuthClient: give \`${name}\` or its alias \`${alias}\`, not both`, "message");
    }
    const browser = await loadBrowserEntry();
    const spa = { issuer, clientId: "c", redirectUri: "http://127.0.0.1/app" };
    for (const [name, alias, value] of [["scope", "scopes", "openid"], ["store", "storage", memoryStorage()]]) {
      const e = thrown(() => new browser.BrowserOAuthClient({ ...spa, [name]: value, [alias]: value }));
      equal(e.message, `BrowserOAuthClient: give \`${name}\` or its alias \`${alias}\`, not both`, `BrowserOAuthClient ${name}`);
    }
  }],

  ["options: BrowserOAuthClient takes scope and store (scopes and storage as aliases)", async (lib, env) => {
    const p = await env.startProvider();
    try {
      const browser = await loadBrowserEntry();
      for (const [scopeKey, storeKey] of [["scope", "store"], ["scopes", "storage"]]) {
        const store = memoryStorage();
        const spa = new browser.BrowserOAuthClient({ issuer: p.issuer, clientId: SPA_CLIENT, redirectUri: SPA_REDIRECT, [scopeKey]: "openid profile", [storeKey]: store });
        const url = new URL(await spa.startLogin());
        equal(url.searchParams.get("scope"), "openid profile", `${scopeKey}`);
        equal(store.map.size, 1, `the pending sign-in went to ${storeKey}`);
      }
    } finally {
      await p.close();
    }
  }],

  ["options: unknown keys are UNKNOWN_OPTION with the closest known name; a store's option at the client's level says where it belongs", async (lib) => {
    const issuer = "https://as.example";
    for (const [options, message] of [
      [{ issuer, clientID: "c" }, "OAuthClient: unknown option `clientID`; did you mean `clientId`?"],
      [{ issuer, scops: "openid" }, "OAuthClient: unknown option `scops`; did you mean `scope`?"],
      [{ issuer, client_secret: "s" }, "OAuthClient: unknown option `client_secret`; did you mean `clientSecret`?"],
      [{ issuer, requestTimeout: 5 }, "OAuthClient: unknown option `requestTimeout`; did you mean `requestTimeoutMs`?"],
      // Tokens must never land in clear because a key was given at the wrong level.
      [{ issuer, encryptionKey: "a passphrase" }, "OAuthClient: unknown option `encryptionKey`; it is an option of the store: `store: fileStore(path, { encryptionKey })`"],
      [{ issuer, service: "my-cli", account: "me" }, "OAuthClient: unknown option `service`; it is an option of the store: `store: keychainStore({ service, account })`"],
      [{ issuer, endpoints: { tokenEndpont: "https://as.example/token" } }, "OAuthClient endpoints: unknown option `tokenEndpont`; did you mean `tokenEndpoint`?"],
    ]) {
      const e = thrown(() => new lib.OAuthClient(options));
      ok(e instanceof lib.OAuthCallbackError, `typed: ${message}`);
      equal(e.code, "UNKNOWN_OPTION", message);
      equal(e.message, message, "message");
    }
    const browser = await loadBrowserEntry();
    const e = thrown(() => new browser.BrowserOAuthClient({ issuer, clientId: "c", redirectUri: "http://127.0.0.1/app", redirectURI: "x" }));
    equal(e.message, "BrowserOAuthClient: unknown option `redirectURI`; did you mean `redirectUri`?", "BrowserOAuthClient");
    // A browser has no file or keychain store: their options are plain unknown ones there.
    const storeOption = thrown(() => new browser.BrowserOAuthClient({ issuer, clientId: "c", redirectUri: "http://127.0.0.1/app", encryptionKey: "k" }));
    equal(storeOption.code, "UNKNOWN_OPTION", "encryptionKey in a browser");
    ok(storeOption.message.startsWith("BrowserOAuthClient: unknown option `encryptionKey`; ") && !storeOption.message.includes("fileStore"), storeOption.message);
    // The low-level steps check theirs too; a bare `code` is pointed at callbackParams,
    // which carries what the state and iss checks need.
    const meta = { issuer, tokenEndpoint: `${issuer}/token`, tokenEndpointAuthMethods: ["none"] };
    const code = await rejection(lib.exchangeCode({ metadata: meta, clientId: "c", code: "x", redirectUri: "http://127.0.0.1/cb", codeVerifier: "v".repeat(43) }));
    equal(code.code, "UNKNOWN_OPTION", "code");
    match(code.message, /pass `callbackParams`.*so that `state` and `iss` are checked/, "says why");
    const state = await rejection(lib.exchangeCode({ metadata: meta, clientId: "c", callbackParams: {}, expected_state: "s", redirectUri: "x", codeVerifier: "v" }));
    equal(state.message, "exchangeCode: unknown option `expected_state`; did you mean `expectedState`?", "snake case");
    const timeout = await rejection(lib.discover(issuer, { requestTimeout: 5 }));
    equal(timeout.message, "discover: unknown option `requestTimeout`; did you mean `requestTimeoutMs`?", "discover");
  }],

  ["errors: an issuer without a scheme names the rule (https, or http on loopback) and the URL likely meant", async (lib) => {
    for (const [issuer, meant] of [["127.0.0.1:4499", "http://127.0.0.1:4499"], ["localhost:8080", "http://localhost:8080"], ["auth.example.com", "https://auth.example.com"]]) {
      const e = await rejection(lib.discover(issuer));
      equal(e.code, "INVALID_URL", issuer);
      ok(e.message.includes("https://, or http:// on a loopback host"), `the rule: ${e.message}`);
      ok(e.message.includes(`did you mean "${meant}"?`), `the URL meant: ${e.message}`);
      const c = await rejection(new lib.OAuthClient({ issuer }).discover());
      equal(c.message, e.message, "the client says the same");
    }
    // http on loopback is allowed, and https elsewhere is the rule.
    const plain = await rejection(lib.discover("http://auth.example.com"));
    equal(plain.code, "INSECURE_ENDPOINT", "http off loopback");
  }],

  ["errors: nothing listening: discovery names the .well-known URL and the refusal", async (lib) => {
    const port = await closedPort();
    const e = await rejection(lib.discover(`http://127.0.0.1:${port}`));
    equal(e.code, "HTTP_ERROR", e.message);
    ok(e.message.startsWith(`discovery: GET http://127.0.0.1:${port}/.well-known/oauth-authorization-server failed: `), `the URL asked: ${e.message}`);
    match(e.message, /ECONNREFUSED|connection refused/i, "the network cause");
  }],

  ["errors: https to a server that speaks plain http: the TLS failure is in the message, without OpenSSL's addresses and paths", async (lib) => {
    const s = createServer((_, res) => res.end("plain"));
    await new Promise((r) => s.listen(0, "127.0.0.1", r));
    try {
      const e = await rejection(lib.discover(`https://127.0.0.1:${s.address().port}`, { requestTimeoutMs: 10_000 }));
      equal(e.code, "HTTP_ERROR", e.message);
      match(e.message, /TLS|SSL|corrupt message/i, "the TLS cause");
      ok(!/ssl3_record\.c|:error:[0-9A-F]+:/.test(e.message), `no OpenSSL internals: ${e.message}`);
    } finally {
      s.close();
    }
  }],

  ["errors: a sign-in nobody finishes is a TimeoutError naming the wait and the redirect URI", async (lib, env) => {
    const p = await env.startProvider();
    try {
      let seen;
      const client = new lib.OAuthClient({ issuer: p.issuer, clientId: PUBLIC_CLIENT, timeout: 300, launch: (url) => { seen = url; } });
      const e = await rejection(client.authenticate());
      ok(e instanceof lib.TimeoutError, `TimeoutError: ${e}`);
      equal(e.name, "TimeoutError", "prints as written");
      const redirect = new URL(seen).searchParams.get("redirect_uri");
      equal(e.message, `sign-in timed out: no redirect reached ${redirect} within 300 ms (0 s); finish signing in in the browser sooner, or raise the \`timeout\` option`, "message");
    } finally {
      await p.close();
    }
  }],

  ["launch: when no browser opens (a launch hook throws, openBrowser: false, a launcher exiting non-zero) the URL goes to stderr and the event says why", async (lib, env) => {
    const p = await env.startProvider();
    const printed = [];
    const original = console.error;
    console.error = (...args) => printed.push(args.join(" "));
    const savedBrowser = process.env.BROWSER;
    try {
      for (const [options, why] of [
        [{ launch: () => { throw new Error("no window here"); } }, "launch failed: no window here"],
        [{ openBrowser: false }, "openBrowser is false"],
        // `false` starts, then exits with code 1: reported when it exits.
        [{ browser: "false" }, "false exited with code 1"],
      ]) {
        printed.length = 0;
        const ac = new AbortController();
        const events = [];
        const { browser, ...rest } = options;
        if (browser) process.env.BROWSER = browser;
        const client = new lib.OAuthClient({
          issuer: p.issuer,
          clientId: PUBLIC_CLIENT,
          ...rest,
          onEvent: (e) => {
            events.push(e);
            if (e.type === "info") ac.abort();
          },
        });
        const err = await rejection(client.authenticate({ signal: ac.signal }));
        if (browser) process.env.BROWSER = savedBrowser ?? "";
        equal(err.code, "ABORTED", `${why}: ${err.message}`);
        const info = events.find((e) => e.type === "info");
        const url = events.find((e) => e.step === "authorization" && e.type === "request")?.url;
        ok(info?.message.includes(`(${why})`), `the event says why: ${info?.message}`);
        ok(printed.some((line) => line.includes(`(${why})`) && line.includes(new URL(url).origin)), `printed with the reason and URL: ${printed}`);
        // The person gets the whole URL; the event, meant for logs, never carries the state.
        const state = printed.join("\n").match(/[?&]state=([^&\s]+)/)?.[1];
        ok(typeof state === "string" && state.length > 8, `the printed URL has the state: ${printed}`);
        ok(!events.some((e) => JSON.stringify(e).includes(state)), `no event carries the whole state: ${JSON.stringify(events.map((e) => e.message ?? e.url))}`);
      }
    } finally {
      console.error = original;
      if (savedBrowser === undefined) delete process.env.BROWSER;
      else process.env.BROWSER = savedBrowser;
      await p.close();
    }
  }],
];
