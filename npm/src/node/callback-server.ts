import type * as Native from "../../native/binding.js";
import type { CallbackServerConfig, CallbackServerOutcome, RunningCallbackServer } from "../callback-driver.js";
import { OAuthCallbackError, toLibraryError } from "../errors.js";
import { loadNative } from "./addon.js";

/** The addon's callback server (Node, Bun, Deno with --allow-ffi). */
export function startNativeCallbackServer(config: CallbackServerConfig): RunningCallbackServer {
  const { onRequest, listener, ...options } = config;
  let server: Native.CallbackServer;
  try {
    const native = loadNative();
    const nativeOptions = { ...options, recordRequests: onRequest !== undefined };
    if (listener === undefined) server = native.startCallbackServer(nativeOptions);
    else if (listener instanceof native.LoopbackListener) server = native.startCallbackServerOn(listener, nativeOptions);
    else throw new OAuthCallbackError("INVALID_PARAMETER", "listener must come from this package's bindLoopback()");
  } catch (err) {
    throw toLibraryError(err);
  }
  // Drained before wait() settles, so every request reaches onRequest before the caller
  // sees the result (the stream ends once the server has stopped).
  const forwarded = onRequest ? forwardRequests(server, onRequest).catch(() => undefined) : Promise.resolve();
  return {
    port: server.port,
    redirectUri: server.redirectUri,
    callbackPath: server.callbackPath,
    close: () => server.close(),
    async wait(): Promise<CallbackServerOutcome> {
      const r = await server.wait().catch((err: unknown) => {
        throw toLibraryError(err);
      });
      // The result is here: the addon may now close the connections still open (junk,
      // idle). It holds them until then, so closing them does not compete with this.
      server.close();
      await forwarded;
      const out: CallbackServerOutcome = {
        kind: r.kind as CallbackServerOutcome["kind"],
        params: r.params.map((p) => [p[0] ?? "", p[1] ?? ""] as const),
      };
      if (r.error != null) out.error = r.error;
      if (r.errorDescription != null) out.errorDescription = r.errorDescription;
      if (r.errorUri != null) out.errorUri = r.errorUri;
      if (r.errorMessage != null) out.errorMessage = r.errorMessage;
      return out;
    },
  };
}

/** Hands each request the addon recorded to `onRequest` as a Fetch `Request`, until the server stops. */
async function forwardRequests(server: Native.CallbackServer, onRequest: (req: Request) => void): Promise<void> {
  for (;;) {
    const r = await server.nextRequest();
    if (!r) return;
    let req: Request;
    try {
      req = new Request(r.url, { method: r.method, headers: r.headers.map((h) => [h[0] ?? "", h[1] ?? ""] as [string, string]) });
    } catch {
      continue; // A request JS cannot represent (a malformed URL or header) is not shown.
    }
    onRequest(req);
  }
}
