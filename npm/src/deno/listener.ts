import { checkOptions } from "../options.js";
import { expectPort, expectString } from "../errors.js";
import type { LoopbackListener, LoopbackOptions } from "../listener.js";
import { bindEachLoopback } from "./loopback.js";

interface DenoListener {
  readonly addr: { readonly port: number };
  close(): void;
}
declare const Deno: {
  listen(options: { hostname: string; port: number; transport: "tcp" }): DenoListener;
};

/**
 * RFC 8252 §7.3 on `Deno.listen`: the same addresses as the native addon (decided by the
 * core), the same errors. Needs `--allow-net` for the loopback host.
 */
export function bindLoopback(options: LoopbackOptions = {}): LoopbackListener {
  checkOptions("bindLoopback", options, ["hostname", "port"]);
  const hostname = expectString("hostname", options.hostname ?? "localhost");
  const port = expectPort("port", options.port ?? 0);
  const { port: chosen, addresses, handles } = bindEachLoopback(
    hostname,
    port,
    (h, p) => {
      const listener = Deno.listen({ hostname: h, port: p, transport: "tcp" });
      return { port: listener.addr.port, listener };
    },
    (h) => h.listener.close(),
  );
  let open = true;
  return {
    port: chosen,
    hostname,
    addresses,
    get listening() {
      return open;
    },
    close() {
      if (!open) return;
      open = false;
      for (const h of handles) h.listener.close();
    },
  };
}
