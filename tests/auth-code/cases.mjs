// getAuthCode cases shared by every runtime and both loopback drivers (the addon's
// server in Node, Bun and Deno with --allow-ffi; Deno.listen in Deno without it): a real
// loopback server, real HTTP from fetch and raw sockets on 127.0.0.1.
import { equal, match, ok, throwsCode, rejection } from "../facade/assert.mjs";
import { exchange, headLines, holdConnections, hostileRequests, statusOf as statusOrNull } from "./hostile.mjs";
import { idleConnections, portOpen, rawRequest, statusOf } from "./raw-http.mjs";

/** Starts getAuthCode on a free port; resolves once it listens. */
async function start(lib, options = {}) {
  let info;
  const listening = new Promise((resolve) => {
    info = resolve;
  });
  const promise = lib.getAuthCode({ port: 0, hostname: "127.0.0.1", timeout: 10_000, ...options, onListening: (i) => { options.onListening?.(i); info(i); } });
  promise.catch(() => {});
  const { port, redirectUri } = await listening;
  return { promise, port, redirectUri };
}


/** GET with fetch, body read (Deno's test sanitizer insists), the response returned with its text. */
async function hit(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

const get = (port, target, host = `127.0.0.1:${port}`) => rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

export const authCodeCases = [
  ["getAuthCode: the redirect is answered with the page in one round trip; the port is free at settle", async (lib) => {
    const { promise, port, redirectUri } = await start(lib);
    equal(redirectUri, `http://127.0.0.1:${port}/callback`, "redirect uri");
    const page = await hit(`${redirectUri}?code=abc%20def&state=xyz&iss=https%3A%2F%2Fas.example`, { redirect: "manual" });
    equal(page.status, 200, "the redirect itself gets the page");
    equal(page.headers.get("content-type"), "text/html; charset=utf-8", "content type");
    match(page.text, /You are signed in/, "success page");
    ok(page.text.includes('<script>history.replaceState(null,"",location.pathname)</script>'), "the page cleans its URL");
    match(page.headers.get("content-security-policy") ?? "", /default-src 'none'; script-src 'sha256-8A\+3er73YJf04rRHGhbZwZQACPiiipi9EPduIeAAIDk=';/, "CSP allows that script only");
    equal(page.headers.get("cache-control"), "no-store", "cache-control");
    equal(page.headers.get("referrer-policy"), "no-referrer", "referrer-policy");
    equal(page.headers.get("x-content-type-options"), "nosniff", "nosniff");
    const result = await promise;
    equal(result.code, "abc def", "code");
    equal(result.state, "xyz", "state");
    equal(result.iss, "https://as.example", "other parameters");
    ok(!(await portOpen(port)), "port free once settled");
    // No second request and no timer: the promise settled on the redirect alone.
  }],

  ["getAuthCode: OAuth error rejects with OAuthError: fields as received, message sanitized, page escaped", async (lib) => {
    const { promise, port, redirectUri } = await start(lib);
    const res = await hit(`${redirectUri}?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E%1B%5B31m%0D%0Ared&error_uri=javascript%3Aalert(1)`);
    const body = res.text;
    equal(res.status, 200, "error page status, as oauth-callback");
    ok(body.includes("&#60;script&#62;alert(1)&#60;/script&#62;"), "escaped in page");
    equal(body.split("<script").length, 2, "no markup beyond the page's own script");
    ok(!body.includes("javascript:"), "a javascript: error_uri is not in the page");
    const err = await rejection(promise);
    ok(err instanceof lib.OAuthError, "OAuthError");
    equal(err.name, "OAuthError", "name");
    equal(err.error, "access_denied", "error");
    equal(err.error_description, "<script>alert(1)</script>\u001b[31m\r\nred", "description as received");
    equal(err.error_uri, "javascript:alert(1)", "error_uri as received");
    equal(err.message, "<script>alert(1)</script>red", "message: the description without escape sequences or CRLF");
    ok(!(await portOpen(port)), "port free");
    const bare = await start(lib);
    await hit(`${bare.redirectUri}?error=server_error`);
    const e2 = await rejection(bare.promise);
    equal(e2.message, "server_error", "no description: the code is the message");
    ok("error_description" in e2 && e2.error_description === undefined, "absent fields are own undefined properties");
  }],

  ["getAuthCode: the promise settles only after the whole page is written (a 4 MB page arrives complete)", async (lib) => {
    // Too large to be written in the moment between the request and an early settle: a
    // server that settled (and closed its connections) before writing would cut it short.
    const page = `<p>${"x".repeat(4 * 1024 * 1024)}</p>`;
    const { promise, port } = await start(lib, { successHtml: page });
    const { connect } = await import("node:net");
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`GET /callback?code=big HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    let head = "";
    let received = 0;
    await new Promise((resolve) => {
      socket.on("data", (chunk) => {
        if (head.includes("\r\n\r\n")) {
          received += chunk.length;
          return;
        }
        head += chunk.toString("latin1");
        const i = head.indexOf("\r\n\r\n");
        if (i >= 0) received = head.length - (i + 4);
      });
      socket.on("close", resolve);
      socket.on("error", () => {});
    });
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
    equal(length, page.length, "the page's length is announced");
    equal(received, length, "every byte of the page arrived before the connection closed");
    equal((await promise).code, "big", "completed");
  }],

  ["getAuthCode: custom pages render as oauth-callback renders them", async (lib) => {
    const ok1 = await start(lib, { successHtml: "<p>done {{code}} {{state}}</p>" });
    const page = await hit(`${ok1.redirectUri}?code=c&state=s`);
    equal(page.text, "<p>done {{code}} {{state}}</p>", "success page verbatim");
    await ok1.promise;
    const bad = await start(lib, { errorHtml: "<b>{{error}}</b><i>{{error_description}}</i><a href=\"{{error_uri}}\">{{other}} {{ error }}</a>" });
    const errPage = await hit(`${bad.redirectUri}?error=e%26%22&error_uri=https%3A%2F%2Fas.example%2F%3Fa%3D1%26b%3D%27`);
    equal(errPage.text, "<b>e&#38;&#34;</b><i></i><a href=\"https://as.example/?a=1&#38;b=&#39;\">{{other}} {{ error }}</a>", "three placeholders, numeric escapes, others as written");
    await rejection(bad.promise);
  }],

  ["getAuthCode: callbackPath without a leading slash is served with one", async (lib) => {
    const { promise, redirectUri } = await start(lib, { callbackPath: "auth/cb" });
    ok(redirectUri.endsWith("/auth/cb"), `redirect uri ${redirectUri}`);
    await hit(`${redirectUri}?code=x`);
    equal((await promise).code, "x", "served at /auth/cb");
  }],

  ["getAuthCode: a listener from bindLoopback is taken over, its port never released", async (lib) => {
    const held = lib.bindLoopback({ hostname: "127.0.0.1", port: 0 });
    const { port } = held;
    const { promise, redirectUri } = await start(lib, { listener: held, port: undefined, hostname: undefined });
    equal(redirectUri, `http://127.0.0.1:${port}/callback`, "the held port");
    equal(held.listening, false, "the listener handed its sockets over");
    await hit(`${redirectUri}?code=held`);
    equal((await promise).code, "held", "served on the held port");
    ok(!(await portOpen(port)), "port free at settle");
    const closed = lib.bindLoopback({ hostname: "127.0.0.1", port: 0 });
    closed.close();
    const e = await rejection(lib.getAuthCode({ listener: closed }));
    equal(e.code, "INVALID_PARAMETER", "a closed listener is refused");
  }],

  ["getAuthCode: RFC 9207 iss is checked before the page, on success and error redirects", async (lib) => {
    for (const query of ["code=c&state=s&iss=https%3A%2F%2Fevil.example", "error=access_denied&state=s&iss=https%3A%2F%2Fevil.example", "code=c&state=s"]) {
      const { promise, port, redirectUri } = await start(lib, { expectedState: "s", expectedIssuer: "https://as.example", issuerRequired: true });
      const page = await hit(`${redirectUri}?${query}`);
      ok(!page.text.includes("You are signed in"), `${query}: no success page`);
      match(page.text, /issuer_mismatch/, `${query}: the error page`);
      const err = await rejection(promise);
      ok(err instanceof lib.OAuthCallbackError, `${query}: typed, got ${err}`);
      equal(err.code, "ISSUER_MISMATCH", query);
      ok(!(await portOpen(port)), `${query}: port free`);
    }
    const good = await start(lib, { expectedState: "s", expectedIssuer: "https://as.example", issuerRequired: true });
    await hit(`${good.redirectUri}?code=c&state=s&iss=https%3A%2F%2Fas.example`);
    equal((await good.promise).code, "c", "the right issuer completes");
  }],

  ["getAuthCode: a misspelled option is a typed error naming the likely one, and binds nothing", async (lib) => {
    for (const [options, near] of [
      [{ port: 0, expected_state: "s" }, "expectedState"],
      [{ port: 0, timout: 5 }, "timeout"],
      [{ port: 0, callbackpath: "/cb" }, "callbackPath"],
    ]) {
      const e = await rejection(lib.getAuthCode(options));
      ok(e instanceof lib.OAuthCallbackError, `typed: ${e}`);
      equal(e.code, "UNKNOWN_OPTION", JSON.stringify(options));
      ok(e.message.includes(`did you mean \`${near}\``), e.message);
    }
    const e = await rejection(lib.getAuthCode({ port: 0, zzz: 1 }));
    ok(e.message.includes("known options:"), `no close match lists the options: ${e.message}`);
  }],

  ["getAuthCode: authorizationUrl as a function of the bound redirect URI; a mismatched redirect_uri fails at once", async (lib) => {
    let launched;
    const seen = new Promise((resolve) => (launched = resolve));
    const { promise, port, redirectUri } = await start(lib, {
      authorizationUrl: (uri) => `https://as.example/authorize?redirect_uri=${encodeURIComponent(uri)}`,
      launch: (url) => launched(url),
    });
    equal(await seen, `https://as.example/authorize?redirect_uri=${encodeURIComponent(redirectUri)}`, "built from the bound port");
    ok(redirectUri.includes(`:${port}/`), "port 0 resolved");
    await hit(`${redirectUri}?code=fn`);
    equal((await promise).code, "fn", "completes");
    let mismatchPort;
    const mismatch = await rejection(lib.getAuthCode({
      port: 0,
      hostname: "127.0.0.1",
      authorizationUrl: "https://as.example/authorize?redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback",
      launch: () => undefined,
      onListening: (i) => (mismatchPort = i.port),
    }));
    equal(mismatch.code, "REDIRECT_URI_MISMATCH", `typed at once: ${mismatch}`);
    ok(!(await portOpen(mismatchPort)), "port free");
  }],

  ["getAuthCode: only a navigation completes the flow: HEAD is 405, a browser's fetch() is 403", async (lib) => {
    const { promise, port, redirectUri } = await start(lib);
    const raw = (method, headers) =>
      rawRequest(port, `${method} /callback?code=evil HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Connection: close\r\n\r\n`);
    const head = await raw("HEAD", "");
    equal(statusOf(head), 405, "HEAD");
    match(head, /\r\nallow: GET\r\n/, "allow: GET");
    const browserFetch = "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: empty\r\n";
    equal(statusOf(await raw("GET", browserFetch)), 403, "a page's fetch()");
    equal(statusOf(await raw("GET", "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: iframe\r\n")), 403, "a frame");
    equal(statusOf(await raw("GET", "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n")), 403, "a repeated header");
    const navigation = "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\nSec-Fetch-User: ?1\r\n";
    const res = await rawRequest(port, `GET /callback?code=real HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${navigation}Connection: close\r\n\r\n`);
    equal(statusOf(res), 200, "the browser's navigation");
    equal((await promise).code, "real", "none of the refused requests changed the outcome");
    void redirectUri;
  }],

  ["getAuthCode: a wrong state gets an error page and the wait goes on", async (lib) => {
    const { promise, port, redirectUri } = await start(lib, { expectedState: "good-state" });
    const bad = await hit(`${redirectUri}?code=evil&state=bad`);
    equal(bad.status, 400, "mismatch page");
    match(bad.text, /does not match/, "mismatch text");
    const forged = await hit(`${redirectUri}?error=access_denied`);
    equal(forged.status, 400, "error without the state is refused too");
    await hit(`${redirectUri}?code=real&state=good-state`);
    const r = await promise;
    equal(r.code, "real", "the right callback wins");
    ok(!(await portOpen(port)), "port free");
  }],

  ["getAuthCode: timeout rejects with TimeoutError and frees the port", async (lib) => {
    const { promise, port } = await start(lib, { timeout: 150 });
    const err = await rejection(promise);
    ok(err instanceof lib.TimeoutError, `TimeoutError, got ${err}`);
    ok(!(await portOpen(port)), "port free");
  }],

  ["getAuthCode: a timeout longer than a timer or the clock can hold still waits for the redirect", async (lib) => {
    // 2^31 ms is past what setTimeout holds (a timer would fire at once); 1.5e22 ms is past
    // what the system clock can count (adding it to the time would overflow).
    for (const timeout of [2 ** 31, 1e15, 1.5e22]) {
      const { promise, redirectUri } = await start(lib, { timeout });
      equal((await hit(`${redirectUri}?code=late`)).status, 200, `timeout ${timeout}: the redirect is answered`);
      equal((await promise).code, "late", `timeout ${timeout}: completed, not timed out`);
    }
  }],

  ["getAuthCode: abort in the same tick as the call", async (lib) => {
    const c = new AbortController();
    let port;
    const p = lib.getAuthCode({ port: 0, hostname: "127.0.0.1", signal: c.signal, onListening: (i) => (port = i.port) });
    c.abort();
    const err = await rejection(p);
    equal(err.message, "Operation aborted", "oauth-callback's message");
    equal(err.code, "ABORTED", "typed");
    equal(err.cause?.name, "AbortError", "the signal's reason is the cause");
    ok(port > 0, "it had listened");
    ok(!(await portOpen(port)), "port free");
    const c2 = new AbortController();
    const reason = new Error("custom reason");
    c2.abort(reason);
    const err2 = await rejection(lib.getAuthCode({ port: 0, signal: c2.signal }));
    equal(err2.message, "Operation aborted", "an already aborted signal");
    ok(err2.cause === reason, "its reason is the cause");
  }],

  ["getAuthCode: an onListening hook that throws rejects and frees the port", async (lib) => {
    let port;
    const err = await rejection(lib.getAuthCode({ port: 0, hostname: "127.0.0.1", onListening: (i) => { port = i.port; throw new Error("hook failed"); } }));
    equal(err.message, "hook failed", "the hook's error");
    ok(!(await portOpen(port)), "port free");
  }],

  ["getAuthCode: managed mode launches after listening; a throwing launcher is swallowed", async (lib) => {
    let listenedFirst;
    let listening = false;
    let launched;
    const launchedUrl = new Promise((resolve) => (launched = resolve));
    const { promise, port } = await start(lib, {
      authorizationUrl: "https://as.example/authorize?client_id=c",
      onListening: () => (listening = true),
      launch: (url) => {
        listenedFirst = listening;
        launched(url);
        throw new Error("no browser here");
      },
    });
    const url = await launchedUrl;
    equal(url, "https://as.example/authorize?client_id=c", "launch got the URL");
    equal(listenedFirst, true, "launched only after onListening");
    ok(await portOpen(port), "still listening after the launcher threw");
    await hit(`http://127.0.0.1:${port}/callback?code=ok`);
    equal((await promise).code, "ok", "still completes");
  }],

  ["getAuthCode: hostile requests change nothing", async (lib) => {
    const { promise, port, redirectUri } = await start(lib);
    equal(statusOf(await get(port, "/callback?code=evil", `evil.example:${port}`)), 421, "foreign Host (DNS rebinding)");
    equal(statusOf(await get(port, "/callback?code=evil", `localhost:${port + 1}`)), 421, "wrong port in Host");
    equal(statusOf(await rawRequest(port, "GET /callback?code=evil HTTP/1.0\r\n\r\n")), 421, "no Host");
    equal(statusOf(await rawRequest(port, `POST /callback?code=evil HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)), 405, "POST");
    equal(statusOf(await get(port, "/favicon.ico")), 404, "favicon");
    equal(statusOf(await get(port, "/../etc/passwd")), 404, "traversal");
    equal(statusOf(await get(port, "/callback/../../etc/passwd?code=evil")), 404, "traversal from the callback path");
    equal(statusOf(await get(port, "/callback/..%2fcallback?code=evil")), 404, "encoded traversal");
    const crlf = await get(port, "/callback?code=a&x=%0D%0ASet-Cookie:%20pwned");
    equal(statusOf(crlf), 200, "CRLF in a value is data");
    ok(!/set-cookie/i.test(crlf.split("\r\n\r\n")[0]), "no injected header");
    const r = await promise;
    equal(r.code, "a", "the first well-formed callback won");
    equal(r.x, "\r\nSet-Cookie: pwned", "value kept as data");
  }],

  ["getAuthCode: a 64 KiB query and 200 idle connections do not stop the real redirect", async (lib) => {
    const { promise, port, redirectUri } = await start(lib);
    const close = await idleConnections(port, 200);
    try {
      // 64 KiB fits the socket buffers, so the whole request is sent before the server
      // answers and closes: the answer is always read, never a reset.
      const huge = await get(port, `/callback?code=${"x".repeat(64 * 1024)}`);
      const status = statusOf(huge);
      equal(status, 431, "a query past the head limit is refused with 431");
      const res = await hit(`${redirectUri}?code=real`);
      equal(res.status, 200, "real redirect served");
      equal((await promise).code, "real", "real code");
      ok(!(await portOpen(port)), "port free although idle connections were open");
    } finally {
      close();
    }
  }],

  ["getAuthCode: a half-sent request held open does not delay the settle; it is closed with the server", async (lib) => {
    const net = await import("node:net");
    const { promise, port, redirectUri } = await start(lib);
    const held = net.connect({ host: "127.0.0.1", port });
    held.on("error", () => {});
    await new Promise((resolve) => held.once("connect", resolve));
    held.write(`GET /callback?code=second HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    const closed = new Promise((resolve) => held.once("close", resolve));
    const page = await hit(`${redirectUri}?code=first`);
    equal(page.status, 200, "first answered with the page");
    equal((await promise).code, "first", "first code kept");
    await closed;
    ok(!(await portOpen(port)), "port free at settle");
  }],

  ["getAuthCode: bad options are typed errors and bind nothing", async (lib) => {
    const rejects = async (p, code, what) => {
      const e = await rejection(p);
      ok(e instanceof lib.OAuthCallbackError, `${what}: OAuthCallbackError, got ${e}`);
      equal(e.code, code, what);
    };
    await rejects(lib.getAuthCode({ hostname: "0.0.0.0", port: 0 }), "NOT_LOOPBACK", "any-address");
    await rejects(lib.getAuthCode({ hostname: "example.com", port: 0 }), "NOT_LOOPBACK", "dns name");
    await rejects(lib.getAuthCode({ port: 0, timeout: 0 }), "INVALID_PARAMETER", "zero timeout");
    await rejects(lib.getAuthCode({ port: 0, timeout: Number.NaN }), "INVALID_PARAMETER", "NaN timeout");
    await rejects(lib.getAuthCode({ port: -1 }), "INVALID_PARAMETER", "negative port");
    await rejects(lib.getAuthCode({ port: 0, callbackPath: "" }), "INVALID_PARAMETER", "empty path");
    await rejects(lib.getAuthCode({ port: 0, callbackPath: "/a b" }), "INVALID_PARAMETER", "space in path");
    await rejects(lib.getAuthCode({ port: 0, expectedState: "" }), "MISSING_PARAMETER", "empty expectedState");
    await rejects(lib.getAuthCode("javascript:alert(1)"), "INVALID_URL", "non-http authorization URL");
    await rejects(lib.getAuthCode("http://as.example/authorize"), "INSECURE_ENDPOINT", "plain http authorization URL");
    const taken = lib.bindLoopback({ hostname: "127.0.0.1" });
    try {
      await rejects(lib.getAuthCode({ hostname: "127.0.0.1", port: taken.port }), "EADDRINUSE", "port taken");
    } finally {
      taken.close();
    }
  }],

  ["getAuthCode: onRequest sees every request; a throwing observer changes nothing", async (lib) => {
    const seen = [];
    const { promise, port, redirectUri } = await start(lib, {
      onRequest: (req) => {
        seen.push(`${req.method} ${new URL(req.url).pathname}${new URL(req.url).search} ${req.headers.get("x-probe") ?? ""}`);
        throw new Error("observer failure");
      },
    });
    equal(statusOf(await get(port, "/favicon.ico")), 404, "favicon");
    await hit(`${redirectUri}?code=c1`, { headers: { "x-probe": "p1" } });
    equal((await promise).code, "c1", "completed despite the throwing observer");
    ok(seen.includes("GET /favicon.ico "), `favicon seen: ${JSON.stringify(seen)}`);
    ok(seen.includes("GET /callback?code=c1 p1"), `callback seen with headers: ${JSON.stringify(seen)}`);
    equal(seen.length, 2, `exactly the two requests, no follow-up page: ${JSON.stringify(seen)}`);
  }],

  ["getAuthCode: heads arriving in pieces on many connections at once are each read on their own", async (lib) => {
    // The Deno.listen driver reuses head buffers between connections; the addon reads
    // into one scratch buffer. Either way, no byte of one connection's head may reach
    // another's: each gets its own 404, and onRequest sees each head once, whole.
    const seen = [];
    const { promise, port, redirectUri } = await start(lib, {
      onRequest: (req) => seen.push(`${new URL(req.url).pathname} ${req.headers.get("x-n") ?? ""}`),
    });
    const host = `127.0.0.1:${port}`;
    const waiting = await holdConnections(port, 24);
    // Half of each head first, on every held connection; then whole heads on 24 fresh
    // connections while those wait; then the other halves, last one first.
    waiting.forEach((c, i) => c.send(`GET /held-${i} HTTP/1.1\r\nHost: ${host}\r\n`));
    const whole = await Promise.all(Array.from({ length: 24 }, (_, i) => rawRequest(port, `GET /whole-${i} HTTP/1.1\r\nHost: ${host}\r\nX-N: w${i}\r\n\r\n`)));
    [...waiting].reverse().forEach((c) => c.send(`X-N: h${waiting.indexOf(c)}\r\n\r\n`));
    const held = await Promise.all(waiting.map((c) => c.ended));
    whole.forEach((r, i) => equal(statusOf(r), 404, `whole-${i}`));
    held.forEach((r, i) => equal(statusOf(r), 404, `held-${i}`));
    await hit(`${redirectUri}?code=pieces`);
    equal((await promise).code, "pieces", "the flow completes after them");
    const expected = [...Array.from({ length: 24 }, (_, i) => `/whole-${i} w${i}`), ...Array.from({ length: 24 }, (_, i) => `/held-${i} h${i}`), "/callback "];
    equal(JSON.stringify([...seen].sort()), JSON.stringify(expected.sort()), "every head seen once, as sent");
  }],

  ["getAuthCode: errors are real classes", (lib) => {
    const e = new lib.OAuthError("access_denied", "no", "https://e");
    ok(e instanceof Error && e instanceof lib.OAuthError, "OAuthError");
    equal(e.error_description, "no", "description");
    ok(new lib.TimeoutError() instanceof lib.TimeoutError, "TimeoutError");
    ok(!(e instanceof lib.TimeoutError), "distinct");
    throwsCode(lib, () => { throw new lib.OAuthCallbackError("SERVER_CLOSED", "x"); }, "SERVER_CLOSED");
  }],

  ["getAuthCode: hostile bytes get hyper's answers, one response per connection, and change nothing", async (lib) => {
    const { promise, port, redirectUri } = await start(lib, { timeout: 60_000 });
    const host = `127.0.0.1:${port}`;
    // All at once, each on its own connection: the ones the header timeout closes take 3 s.
    const results = await Promise.all(hostileRequests.map(([, chunks]) => exchange(port, chunks(host, port))));
    hostileRequests.forEach(([name, , status], i) => {
      const { response, closedByServer } = results[i];
      ok(closedByServer, `${name}: the server closed the connection`);
      equal(statusOrNull(response), status, `${name}: status`);
      if (status === null) {
        equal(response, "", `${name}: no answer at all`);
        return;
      }
      equal(response.split(/HTTP\/1\.[01] \d{3} /).length, 2, `${name}: exactly one response`);
      const lines = headLines(response);
      equal(lines.filter((l) => l === "connection: close").length, 1, `${name}: connection: close, once`);
      const names = lines.slice(1).map((l) => l.slice(0, l.indexOf(":")));
      if (status === 400 || status === 431) {
        equal(names.join(), "connection,content-length", `${name}: hyper's bare refusal`);
      } else {
        for (const n of ["cache-control", "referrer-policy", "x-content-type-options", "x-frame-options", "content-security-policy", "content-type", "content-length"]) {
          equal(names.filter((x) => x === n).length, 1, `${name}: ${n} once`);
        }
      }
    });
    const page = await hit(`${redirectUri}?code=real`);
    equal(page.status, 200, "the real redirect is served");
    equal((await promise).code, "real", "none of them completed the flow");
  }],

  ["getAuthCode: past 256 connections at once, one more is closed unanswered; the held ones are still served", async (lib) => {
    const { promise, port } = await start(lib, { timeout: 30_000 });
    const held = await holdConnections(port, 256);
    try {
      // The server accepts in arrival order, so the 257th comes after the 256 held ones.
      const extra = await exchange(port, [`GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`]);
      equal(held.filter((h) => h.closed).length, 0, "premise: the held connections were all still open (each has 3 s to send its head)");
      ok(extra.closedByServer, "the 257th was closed by the server");
      equal(extra.response, "", "without an answer: it was never read");
      held[0].send(`GET /callback?code=held HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      equal(statusOf(await held[0].ended), 200, "a held connection is served");
      equal((await promise).code, "held", "completed through it");
      await Promise.all(held.map((h) => h.ended));
      ok(held.every((h) => h.closed), "every held connection closed with the server");
    } finally {
      for (const h of held) h.destroy();
    }
  }],

  ["getAuthCode: an absolute-form request target matches no path", async (lib) => {
    const { promise, port } = await start(lib);
    const head = `GET http://127.0.0.1:${port}/callback?code=evil HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
    equal(statusOf(await rawRequest(port, head)), 404, "absolute-form target");
    await hit(`http://127.0.0.1:${port}/callback?code=good`);
    equal((await promise).code, "good", "the real redirect still works");
  }],

  ["getAuthCode: a request head over 16 KiB is refused, one under it is served", async (lib) => {
    const { promise, port, redirectUri } = await start(lib);
    const withHeader = (bytes) => `GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Pad: ${"a".repeat(bytes)}\r\nConnection: close\r\n\r\n`;
    equal(statusOf(await rawRequest(port, withHeader(12 * 1024))), 404, "a 12 KiB head is read (and is not the callback)");
    equal(statusOf(await rawRequest(port, withHeader(20 * 1024))), 431, "a 20 KiB head: 431");
    await hit(`${redirectUri}?code=after`);
    equal((await promise).code, "after", "the flow goes on");
  }],
];
