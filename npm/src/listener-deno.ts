import { OAuthCallbackError, expectPort, expectString } from "./errors.js";
import type { LoopbackListener, LoopbackOptions } from "./listener.js";
import { loopbackBindAddresses } from "./protocol.js";

interface DenoListener {
  readonly addr: { readonly port: number };
  close(): void;
}
declare const Deno: {
  listen(options: { hostname: string; port: number; transport: "tcp" }): DenoListener;
  errors: { AddrInUse: new () => Error; AddrNotAvailable: new () => Error };
};

/** Times to retry an ephemeral port whose twin on the other address family is taken. */
const EPHEMERAL_ATTEMPTS = 16;

function bindAll(addresses: readonly string[], port: number): LoopbackListener {
  const sockets: DenoListener[] = [];
  const bound: string[] = [];
  let chosen = port;
  try {
    addresses.forEach((hostname, i) => {
      try {
        const l = Deno.listen({ hostname, port: chosen, transport: "tcp" });
        chosen = l.addr.port;
        sockets.push(l);
        bound.push(hostname);
      } catch (err) {
        // `localhost` on a machine without IPv6: the first family is enough.
        if (i > 0 && err instanceof Deno.errors.AddrNotAvailable) return;
        if (err instanceof Deno.errors.AddrInUse) {
          throw new OAuthCallbackError("PORT_IN_USE", `port ${chosen} is already in use on ${hostname}; pick another port or use 0 for a free one`, { cause: err });
        }
        throw new OAuthCallbackError("BIND_FAILED", `cannot listen on ${hostname}:${chosen}`, { cause: err });
      }
    });
  } catch (err) {
    for (const s of sockets) s.close();
    throw err;
  }
  let open = true;
  return {
    port: chosen,
    addresses: bound,
    get listening() {
      return open;
    },
    close() {
      if (!open) return;
      open = false;
      for (const s of sockets) s.close();
    },
  };
}

/**
 * RFC 8252 §7.3 on `Deno.listen`: the same addresses as the native addon (decided by the
 * core), the same errors. Needs `--allow-net` for the loopback host.
 */
export function bindLoopback(options: LoopbackOptions = {}): LoopbackListener {
  const hostname = expectString("hostname", options.hostname ?? "localhost");
  const port = expectPort("port", options.port ?? 0);
  const addresses = loopbackBindAddresses(hostname);
  for (let attempt = 1; ; attempt++) {
    try {
      return bindAll(addresses, port);
    } catch (err) {
      const retry = port === 0 && attempt < EPHEMERAL_ATTEMPTS && err instanceof OAuthCallbackError && err.code === "PORT_IN_USE";
      if (!retry) throw err;
    }
  }
}
