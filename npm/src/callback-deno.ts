/**
 * The callback server on `Deno.serve`: every request goes to the same core handler as
 * the addon's hyper server, through wasm, so both answer byte for byte alike.
 */
import type { CallbackServerConfig, CallbackServerOutcome, RunningCallbackServer } from "./callback-driver.js";
import { OAuthCallbackError } from "./errors.js";
import { callbackHandler, getRedirectUrl, loopbackBindAddresses } from "./protocol.js";

interface DenoServer {
  readonly addr: { readonly port: number };
  readonly finished: Promise<void>;
}
declare const Deno: {
  serve(
    options: { hostname: string; port: number; signal: AbortSignal; onListen: () => void },
    handler: (req: Request) => Response,
  ): DenoServer;
  errors: { AddrInUse: new () => Error; AddrNotAvailable: new () => Error };
};

/** Times to retry an ephemeral port whose twin on the other address family is taken. */
const EPHEMERAL_ATTEMPTS = 16;
/** How long to wait for the browser to follow the 303 to the result page. */
const RESULT_PAGE_GRACE_MS = 2000;

function serveAll(addresses: readonly string[], port: number, signal: AbortController, handler: (req: Request) => Response): { port: number; servers: DenoServer[] } {
  const servers: DenoServer[] = [];
  let chosen = port;
  for (const [i, hostname] of addresses.entries()) {
    try {
      const s = Deno.serve({ hostname, port: chosen, signal: signal.signal, onListen: () => {} }, handler);
      chosen = s.addr.port;
      servers.push(s);
    } catch (err) {
      if (i > 0 && err instanceof Deno.errors.AddrNotAvailable) continue;
      signal.abort();
      if (err instanceof Deno.errors.AddrInUse) {
        throw new OAuthCallbackError("PORT_IN_USE", `port ${chosen} is already in use on ${hostname}; pick another port or use 0 for a free one`, { cause: err });
      }
      throw new OAuthCallbackError("BIND_FAILED", `cannot listen on ${hostname}:${chosen}`, { cause: err });
    }
  }
  return { port: chosen, servers };
}

/** Starts the server; listening when this returns. */
export function startDenoCallbackServer(config: CallbackServerConfig): RunningCallbackServer {
  const addresses = loopbackBindAddresses(config.hostname);
  // Refuse a bad host name or callback path before anything is bound.
  getRedirectUrl({ hostname: config.hostname, port: config.port, callbackPath: config.callbackPath });
  let core: ReturnType<typeof callbackHandler> | undefined;
  let finish: (kind: "timeout" | "closed" | "done") => void = () => {};
  const ended = new Promise<"timeout" | "closed" | "done">((resolve) => {
    finish = resolve;
  });
  let grace: ReturnType<typeof setTimeout> | undefined;
  const handler = (req: Request): Response => {
    config.onRequest?.(req);
    if (!core) return new Response("Not ready.\n", { status: 503 });
    const url = new URL(req.url);
    const reply = core.handle(req.method, url.pathname + url.search, req.headers.get("host") ?? undefined);
    const headers = new Headers();
    for (let i = 0; i + 1 < reply.headers.length; i += 2) headers.set(reply.headers[i] ?? "", reply.headers[i + 1] ?? "");
    const response = new Response(reply.status === 303 ? null : reply.body, { status: reply.status, headers });
    if (reply.kind === "completed") grace ??= setTimeout(() => finish("done"), RESULT_PAGE_GRACE_MS);
    if (reply.kind === "result-page") finish("done");
    reply.free();
    return response;
  };

  let controller = new AbortController();
  let bound: { port: number; servers: DenoServer[] } | undefined;
  for (let attempt = 1; !bound; attempt++) {
    try {
      bound = serveAll(addresses, config.port, controller, handler);
    } catch (err) {
      const retry = config.port === 0 && attempt < EPHEMERAL_ATTEMPTS && err instanceof OAuthCallbackError && err.code === "PORT_IN_USE";
      if (!retry) throw err;
      controller = new AbortController();
    }
  }
  const { port, servers } = bound;
  const stop = controller;
  try {
    core = callbackHandler(config.callbackPath, port, config.expectedState, config.successHtml, config.errorHtml);
  } catch (err) {
    stop.abort();
    throw err;
  }
  const redirectUri = getRedirectUrl({ hostname: config.hostname, port, callbackPath: config.callbackPath });
  const timer = setTimeout(() => finish("timeout"), config.timeoutMs);

  const result = (async (): Promise<CallbackServerOutcome> => {
    const how = await ended;
    clearTimeout(timer);
    clearTimeout(grace);
    stop.abort();
    await Promise.all(servers.map((s) => s.finished));
    const h = core as NonNullable<typeof core>;
    const kind = h.outcomeKind();
    const flat = h.outcomeParams();
    const params: [string, string][] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) params.push([flat[i] ?? "", flat[i + 1] ?? ""]);
    const out: CallbackServerOutcome = { kind: kind === "code" || kind === "error" ? kind : how === "timeout" ? "timeout" : "closed", params };
    if (kind === "error") {
      const [error = "", description = "", uri = ""] = h.outcomeError();
      out.error = error;
      if (description) out.errorDescription = description;
      if (uri) out.errorUri = uri;
    }
    h.free();
    return out;
  })();

  return {
    port,
    redirectUri,
    close: () => finish("closed"),
    wait: () => result,
  };
}
