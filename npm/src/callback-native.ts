import type { CallbackServerConfig, CallbackServerOutcome, RunningCallbackServer } from "./callback-driver.js";
import { toLibraryError } from "./errors.js";
import { loadNative } from "./native.js";

/** The addon's hyper server (Node, Bun). */
export function startNativeCallbackServer(config: CallbackServerConfig): RunningCallbackServer {
  let server;
  try {
    server = loadNative().startCallbackServer(config);
  } catch (err) {
    throw toLibraryError(err);
  }
  return {
    port: server.port,
    redirectUri: server.redirectUri,
    close: () => server.close(),
    async wait(): Promise<CallbackServerOutcome> {
      const r = await server.wait().catch((err: unknown) => {
        throw toLibraryError(err);
      });
      const out: CallbackServerOutcome = {
        kind: r.kind as CallbackServerOutcome["kind"],
        params: r.params.map((p) => [p[0] ?? "", p[1] ?? ""] as const),
      };
      if (r.error != null) out.error = r.error;
      if (r.errorDescription != null) out.errorDescription = r.errorDescription;
      if (r.errorUri != null) out.errorUri = r.errorUri;
      return out;
    },
  };
}
