/**
 * The callback server on `Deno.serve`: every request goes to the same core handler as
 * the addon's hyper server, through wasm, so both answer byte for byte alike.
 */
import type { CallbackServerConfig, CallbackServerOutcome, RunningCallbackServer } from "./callback-driver.js";
import { OAuthCallbackError } from "./errors.js";
import { bindEachLoopback } from "./loopback-deno.js";
import { callbackHandler, getRedirectUrl } from "./protocol.js";

interface DenoServer {
  readonly addr: { readonly port: number };
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(
    options: { hostname: string; port: number; signal: AbortSignal; onListen: () => void },
    handler: (req: Request) => Response,
  ): DenoServer;
};

/** Starts the server; listening when this returns. */
export function startDenoCallbackServer(config: CallbackServerConfig): RunningCallbackServer {
  // Refuse a bad host name or callback path before anything is bound.
  getRedirectUrl({ hostname: config.hostname, port: config.port, callbackPath: config.callbackPath });
  // Deno.serve cannot adopt sockets bound earlier: release the held port and bind it
  // again at once (a short gap the addon's drivers do not have).
  let port = config.port;
  if (config.listener) {
    if (!config.listener.listening) throw new OAuthCallbackError("INVALID_PARAMETER", "the listener is closed; bind a new one");
    port = config.listener.port;
    config.listener.close();
  }
  let core: ReturnType<typeof callbackHandler> | undefined;
  let finish: (kind: "timeout" | "closed" | "done") => void = () => {};
  const ended = new Promise<"timeout" | "closed" | "done">((resolve) => {
    finish = resolve;
  });
  const handler = (req: Request): Response => {
    config.onRequest?.(req);
    if (!core) return new Response("Not ready.\n", { status: 503 });
    const url = new URL(req.url);
    const reply = core.handle(req.method, url.pathname + url.search, req.headers.get("host") ?? undefined);
    const headers = new Headers();
    for (let i = 0; i + 1 < reply.headers.length; i += 2) headers.set(reply.headers[i] ?? "", reply.headers[i + 1] ?? "");
    const response = new Response(reply.body, { status: reply.status, headers });
    // One round trip: the page goes out with this response; the graceful shutdown that
    // "done" starts lets it finish writing before the server closes.
    if (reply.kind === "completed") finish("done");
    reply.free();
    return response;
  };

  const stop = new AbortController();
  const bound = bindEachLoopback(
    config.hostname,
    port,
    (hostname, port) => {
      const server = Deno.serve({ hostname, port, signal: stop.signal, onListen: () => {} }, handler);
      return { port: server.addr.port, server };
    },
    (h) => void h.server.shutdown(),
  );
  port = bound.port;
  const servers = bound.handles.map((h) => h.server);
  try {
    core = callbackHandler(config, port);
  } catch (err) {
    stop.abort();
    throw err;
  }
  const redirectUri = getRedirectUrl({ hostname: config.hostname, port, callbackPath: config.callbackPath });
  const timer = setTimeout(() => finish("timeout"), config.timeoutMs);

  const result = (async (): Promise<CallbackServerOutcome> => {
    const how = await ended;
    clearTimeout(timer);
    // After the redirect: a graceful shutdown, so the page in flight is written; a
    // timeout or close cuts every connection.
    if (how === "done") await Promise.all(servers.map((s) => s.shutdown()));
    else stop.abort();
    await Promise.all(servers.map((s) => s.finished));
    const h = core as NonNullable<typeof core>;
    const kind = h.outcomeKind();
    const flat = h.outcomeParams();
    const params: [string, string][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) params.push([flat[i] ?? "", flat[i + 1] ?? ""]);
    const out: CallbackServerOutcome = { kind: kind === "code" || kind === "error" || kind === "issuer-mismatch" ? kind : how === "timeout" ? "timeout" : "closed", params };
    if (kind === "issuer-mismatch") out.errorMessage = h.outcomeError()[1] ?? "";
    if (kind === "error") {
      const [error = "", message = ""] = h.outcomeError();
      out.error = error;
      out.errorMessage = message;
      const description = h.outcomeErrorDescription();
      if (description !== undefined) out.errorDescription = description;
      const uri = h.outcomeErrorUri();
      if (uri !== undefined) out.errorUri = uri;
    }
    h.free();
    return out;
  })();

  return {
    port,
    redirectUri,
    callbackPath: (core as NonNullable<typeof core>).callbackPath,
    close: () => finish("closed"),
    wait: () => result,
  };
}
