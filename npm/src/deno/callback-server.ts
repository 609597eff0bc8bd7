/**
 * The callback server on `Deno.listen` (Deno without `--allow-ffi`). This file only moves
 * bytes: the core (through wasm) reads each request head and writes each response exactly
 * as the addon's server reads and writes them (both as hyper 1.x does), so both drivers
 * give the same answer to the same bytes. The transport limits are the addon's: at most 256
 * connections at once (more are closed on accept), 3 s to send the head, 10 s per
 * connection in all, a 16 KiB head, one request per connection (`connection: close`, the
 * socket closed after the response; pipelined requests are not answered).
 */
import type { CallbackServerConfig, CallbackServerOutcome, RunningCallbackServer } from "../callback-driver.js";
import { OAuthCallbackError } from "../errors.js";
import { bindEachLoopback, setUpDenoSignalsNow } from "./loopback.js";
import { call, callbackHandler, getRedirectUrl } from "../protocol.js";
import { after } from "../timer.js";

/** Connections served at once; more are closed on accept, so a flood cannot grow memory. */
const MAX_CONNECTIONS = 256;
/** Time a connection has to send its request head (slowloris and idle connections). */
const HEADER_TIMEOUT_MS = 3_000;
/** Time a connection may live in all. */
const CONNECTION_TIMEOUT_MS = 10_000;
/**
 * How often the connections' deadlines are checked while any is open: one interval for
 * all of them instead of two timers per connection, which under a burst of junk cost
 * more than the answers. A connection is closed at most this much past its deadline.
 * The interval stops at its first tick with no connection open, not when the last one
 * closes: starting and stopping it for each of a series of short connections cost about
 * 50 us of the JavaScript thread per connection.
 */
const SWEEP_MS = 100;
/** Longest wait before accepting again after accept failed (out of descriptors: EMFILE). */
const ACCEPT_RETRY_MS = 100;
/**
 * Head buffers kept for the next connections. A fresh 16 KiB buffer per connection cost
 * as much as the core's whole answer under a burst of junk; a connection takes one from
 * here and gives it back, wiped, when its head is read.
 */
const SPARE_BUFFERS = 16;
/** `HeadAnswer.action` (core's `HeadAction`): read more, write the response, close. */
const READ = 0;
const WRITE = 1;

interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}
interface DenoListener {
  readonly addr: { readonly port: number };
  accept(): Promise<DenoConn>;
  close(): void;
}
declare const Deno: {
  listen(options: { hostname: string; port: number; transport: "tcp" }): DenoListener;
};

type Ending = "timeout" | "closed" | "done";

/** Closes a socket or listener that may already be closed. */
function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // Already closed.
  }
}

async function writeAll(conn: DenoConn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length; ) written += await conn.write(bytes.subarray(written));
}

/** Starts the server; listening when this returns. */
export function startDenoCallbackServer(config: CallbackServerConfig): RunningCallbackServer {
  // Refuse a bad host name or callback path before anything is bound.
  getRedirectUrl({ hostname: config.hostname, port: config.port, callbackPath: config.callbackPath });
  // The listener from bindLoopback is handed over by its port: it is closed and the port
  // bound again at once (a short gap the addon's drivers do not have).
  let port = config.port;
  if (config.listener) {
    if (!config.listener.listening) throw new OAuthCallbackError("INVALID_PARAMETER", "the listener is closed; bind a new one");
    port = config.listener.port;
    config.listener.close();
  }
  setUpDenoSignalsNow();
  const bound = bindEachLoopback(
    config.hostname,
    port,
    (hostname, port) => {
      const listener = Deno.listen({ hostname, port, transport: "tcp" });
      return { port: listener.addr.port, listener };
    },
    (h) => closeQuietly(h.listener),
  );
  port = bound.port;
  const listeners = bound.handles.map((h) => h.listener);
  let core: ReturnType<typeof callbackHandler>;
  let headLimit: number;
  try {
    core = callbackHandler(config, port, config.onRequest !== undefined);
    headLimit = call((c) => c.requestHeadLimit());
  } catch (err) {
    for (const l of listeners) closeQuietly(l);
    throw err;
  }
  const redirectUri = getRedirectUrl({ hostname: config.hostname, port, callbackPath: config.callbackPath });

  let ending: Ending | undefined;
  let ended: () => void = () => {};
  const endedPromise = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const finish = (how: Ending): void => {
    if (ending !== undefined) return;
    ending = how;
    ended();
  };
  // Set when the redirect has been answered: from then on the flow ends when that
  // connection ends (its page written, the socket closed), whatever the deadline says.
  let completing = false;
  const cancelTimer = after(config.timeoutMs, () => {
    if (!completing) finish("timeout");
  });

  // Each open connection and when it is closed if still open: HEADER_TIMEOUT_MS after the
  // accept until its head is read, then CONNECTION_TIMEOUT_MS after the accept.
  const open = new Map<DenoConn, { accepted: number; deadline: number }>();
  let sweep: ReturnType<typeof setInterval> | undefined;
  const sweepLate = (): void => {
    if (open.size === 0) return stopSweeping();
    const now = performance.now();
    for (const [conn, times] of open) if (now >= times.deadline) closeQuietly(conn);
  };
  const stopSweeping = (): void => {
    clearInterval(sweep);
    sweep = undefined;
  };
  // Accept loops waiting to try again; woken when a connection closes (a descriptor is
  // free again) or the server stops.
  const retrying = new Set<() => void>();
  const wakeRetries = (): void => {
    for (const wake of [...retrying]) wake();
  };
  const retryPause = (): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(t);
        retrying.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ACCEPT_RETRY_MS);
      retrying.add(wake);
    });

  const showRequest = (onRequest: (req: Request) => void, method: string, url: string, flat: string[]): void => {
    if (method === "") return;
    let req: Request;
    try {
      const headers: [string, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) headers.push([flat[i] ?? "", flat[i + 1] ?? ""]);
      req = new Request(url, { method, headers });
    } catch {
      return; // A request a Fetch Request cannot represent is not shown, as with the addon.
    }
    try {
      onRequest(req);
    } catch {
      // An observer's failure changes nothing.
    }
  };

  const spare: Uint8Array[] = [];
  /** The head read on `conn`, and the core's answer to it; null when there is none. */
  const readHead = async (conn: DenoConn) => {
    const buf = spare.pop() ?? new Uint8Array(headLimit);
    let len = 0;
    try {
      let prevLen: number | undefined;
      while (len < buf.length) {
        const n = await conn.read(buf.subarray(len));
        // The peer ended before a whole head: closed without an answer, as in hyper. Or
        // the flow ended while this read was pending: the core may already be freed.
        if (n === null || ending !== undefined) return null;
        len += n;
        const answer = core.answerHead(buf.subarray(0, len), prevLen, Date.now() / 1000);
        if (answer.action !== READ) return answer;
        answer.free();
        prevLen = len;
      }
      return null;
    } finally {
      // No read is pending on it any more: wiped (it held a request) and kept.
      buf.fill(0, 0, len);
      if (spare.length < SPARE_BUFFERS) spare.push(buf);
    }
  };

  /** One request on one connection: read its head, write the core's answer, close. */
  const serve = async (conn: DenoConn): Promise<void> => {
    let completedHere = false;
    const times = open.get(conn);
    try {
      const answer = await readHead(conn);
      if (answer === null) return;
      const write = answer.action === WRITE;
      const bytes = write ? answer.bytes : undefined;
      const onRequest = config.onRequest;
      if (write && onRequest) showRequest(onRequest, answer.method, answer.url, answer.headers);
      if (answer.completed) completedHere = completing = true;
      answer.free();
      if (times) times.deadline = times.accepted + CONNECTION_TIMEOUT_MS;
      if (bytes) await writeAll(conn, bytes);
    } catch {
      // Reset by the peer, or closed by a timer or the server's end: this connection only.
    } finally {
      closeQuietly(conn);
      open.delete(conn);
      wakeRetries();
      // The connection that completed the flow has written its page and closed.
      if (completedHere) finish("done");
    }
  };

  const acceptOn = async (listener: DenoListener): Promise<void> => {
    while (ending === undefined) {
      let conn: DenoConn;
      try {
        conn = await listener.accept();
      } catch {
        if (ending !== undefined) return;
        // Out of file descriptors (EMFILE) or a failed handshake: the connection waits
        // in the backlog; accept again once one of ours has closed, or after a pause.
        await retryPause();
        continue;
      }
      // Over the cap, or the flow is over: closed at once, the server keeps going.
      if (ending !== undefined || open.size >= MAX_CONNECTIONS) {
        closeQuietly(conn);
        continue;
      }
      const accepted = performance.now();
      open.set(conn, { accepted, deadline: accepted + HEADER_TIMEOUT_MS });
      sweep ??= setInterval(sweepLate, SWEEP_MS);
      void serve(conn);
    }
  };
  const accepting = listeners.map(acceptOn);

  const result = (async (): Promise<CallbackServerOutcome> => {
    await endedPromise;
    cancelTimer();
    // Close the listening sockets and every connection before anyone hears the result,
    // so the port is free when the promise settles. The accept loops end with their
    // listeners; the connections' own tasks only unwind after this (their reads fail,
    // they touch the core no more), so under a burst the result does not wait for
    // hundreds of them. (Unlike the addon, which closes them after the result: here
    // they are Deno resources, and a caller's Deno.test would report any still open
    // once the promise settles as leaked.)
    for (const l of listeners) closeQuietly(l);
    for (const conn of open.keys()) closeQuietly(conn);
    stopSweeping();
    wakeRetries();
    await Promise.all(accepting);
    const how = ending;
    const kind = core.outcomeKind();
    const flat = core.outcomeParams();
    const params: [string, string][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) params.push([flat[i] ?? "", flat[i + 1] ?? ""]);
    const out: CallbackServerOutcome = {
      kind: kind === "code" || kind === "error" || kind === "issuer-mismatch" ? kind : how === "timeout" ? "timeout" : "closed",
      params,
    };
    if (kind === "issuer-mismatch") out.errorMessage = core.outcomeError()[1] ?? "";
    if (kind === "error") {
      const [error = "", message = ""] = core.outcomeError();
      out.error = error;
      out.errorMessage = message;
      const description = core.outcomeErrorDescription();
      if (description !== undefined) out.errorDescription = description;
      const uri = core.outcomeErrorUri();
      if (uri !== undefined) out.errorUri = uri;
    }
    core.free();
    return out;
  })();

  return {
    port,
    redirectUri,
    callbackPath: core.callbackPath,
    close: () => finish("closed"),
    wait: () => result,
  };
}
