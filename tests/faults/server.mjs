// An authorization server that misbehaves on purpose, for the fault tests. Raw node:net
// (Node, Bun and Deno all have it), so a response can stop anywhere: after the head, in
// the middle of the body, or never start. It listens on 127.0.0.1 on a free port, answers
// one request per connection, destroys every connection on close(), and closes by itself
// after `lifetimeMs` at the latest, so a forgotten server cannot keep a test run alive.
import { createServer } from "node:net";

const REASONS = { 200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable" };

/**
 * Starts the server. `routes` maps a path (no query) to a fault, `(res, req) => void`,
 * built with `faults` below; other paths answer 404. `routes` may also be a function of
 * the server's origin that returns that map (for metadata naming it). Resolves to
 * { origin, requests, received(path), close(), stats }: `requests` lists what arrived,
 * `received(path, n = 1)` resolves once `n` requests for `path` have arrived (no timer),
 * `stats.bodyBytesWritten` counts body bytes handed to the socket.
 */
export async function startFaultServer(routeTable, { lifetimeMs = 60_000 } = {}) {
  let routes = {};
  const sockets = new Set();
  const requests = [];
  const waiters = new Set();
  const stats = { bodyBytesWritten: 0 };
  const count = (path) => requests.filter((r) => r.path === path).length;
  const received = (path, n = 1) =>
    count(path) >= n ? Promise.resolve() : new Promise((resolve) => waiters.add({ path, n, resolve }));

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffered = Buffer.alloc(0);
    let handled = false;
    socket.on("data", (chunk) => {
      if (handled) return;
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString("latin1").split("\r\n");
      const [method, target] = head[0].split(" ");
      const headers = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(":");
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (buffered.length - end - 4 < length) return;
      handled = true;
      const path = target.split("?")[0];
      const req = { method, path, headers, body: buffered.subarray(end + 4, end + 4 + length).toString("utf8") };
      requests.push(req);
      for (const w of waiters) {
        if (count(w.path) >= w.n) {
          waiters.delete(w);
          w.resolve();
        }
      }
      (routes[path] ?? faults.status(404))(response(socket, stats), req);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  routes = typeof routeTable === "function" ? routeTable(origin) : routeTable;
  let closed;
  const close = () => {
    closed ??= new Promise((resolve) => {
      clearTimeout(failsafe);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
    return closed;
  };
  const failsafe = setTimeout(close, lifetimeMs);
  failsafe.unref?.();
  return { origin, requests, received, close, stats };
}

/** Writing helpers bound to one connection. */
function response(socket, stats) {
  let open = true;
  const gone = new Promise((resolve) => socket.once("close", () => {
    open = false;
    resolve();
  }));
  const head = (status, headers) => {
    const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}`, "connection: close"];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  };
  return {
    socket,
    head,
    gone,
    get open() {
      return open;
    },
    /** Writes body bytes; resolves when the socket can take more (or is gone). */
    write(data) {
      if (!open) return Promise.resolve();
      stats.bodyBytesWritten += Buffer.byteLength(data);
      if (socket.write(data)) return Promise.resolve();
      return Promise.race([new Promise((r) => socket.once("drain", r)), gone]);
    },
    /** A complete response. */
    send(status, headers, body) {
      const bytes = Buffer.from(body, "utf8");
      head(status, { "content-length": String(bytes.length), ...headers });
      stats.bodyBytesWritten += bytes.length;
      socket.end(bytes);
    },
  };
}

/** The faults, each `(res, req) => void`. */
export const faults = {
  /** Accepts the connection, reads the request, never answers. */
  hang: () => () => undefined,
  /** A whole response. */
  status: (status, headers = {}, body = "") => (res) => res.send(status, headers, body),
  json: (value, status = 200, headers = {}) => (res) => res.send(status, { "content-type": "application/json", ...headers }, typeof value === "string" ? value : JSON.stringify(value)),
  text: (body, status = 200, contentType = "text/html") => (res) => res.send(status, { "content-type": contentType }, body),
  /** Announces 200 bytes of JSON, sends a few, closes the connection. */
  closeMidResponse: () => (res) => {
    res.head(200, { "content-type": "application/json", "content-length": "200" });
    res.write('{"access_token":"par');
    res.socket.end();
  },
  /** A chunked body of `total` bytes (no content-length), written only as fast as it is read. */
  huge: (total) => async (res) => {
    res.head(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const chunk = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")]);
    await res.write('6\r\n{"a":"\r\n');
    for (let sent = 0; sent < total && res.open; sent += piece.length) await res.write(chunk);
    if (res.open) res.socket.end('2\r\n"}\r\n0\r\n\r\n');
  },
  /** Announces 64 bytes and sends one a second. */
  trickle: () => (res) => {
    res.head(200, { "content-type": "application/json", "content-length": "64" });
    let sent = 0;
    const timer = setInterval(() => {
      if (!res.open || sent >= 64) return clearInterval(timer);
      sent++;
      res.write(" ");
    }, 1000);
    res.gone.then(() => clearInterval(timer));
  },
};

/** RFC 8414 metadata for a server at `origin`, with `overrides` applied. */
export function metadata(origin, overrides = {}) {
  return {
    issuer: origin,
    authorization_endpoint: `${origin}/authorize`,
    token_endpoint: `${origin}/token`,
    registration_endpoint: `${origin}/register`,
    revocation_endpoint: `${origin}/revoke`,
    device_authorization_endpoint: `${origin}/device`,
    code_challenge_methods_supported: ["S256"],
    response_types_supported: ["code"],
    token_endpoint_auth_methods_supported: ["none"],
    ...overrides,
  };
}
