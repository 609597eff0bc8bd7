/**
 * Binding every loopback address of a host name on one port with Deno's APIs, as the
 * native addon does: the addresses come from the core, `localhost` without IPv6 keeps
 * its IPv4 socket, a taken port is `EADDRINUSE`, and an ephemeral port whose twin on the
 * other family is taken is tried again. Used by `bindLoopback` and the callback server.
 */
import { OAuthCallbackError } from "./errors.js";
import { loopbackBindAddresses } from "./protocol.js";

declare const Deno: { errors: { AddrInUse: new () => Error; AddrNotAvailable: new () => Error } };

/** Times to retry an ephemeral port whose twin on the other address family is taken. */
const EPHEMERAL_ATTEMPTS = 16;

/** What one bound socket or server must say: the port it got. */
export interface Bound {
  readonly port: number;
}

function bindOnce<T extends Bound>(addresses: readonly string[], port: number, open: (hostname: string, port: number) => T, close: (handle: T) => void) {
  const handles: T[] = [];
  const bound: string[] = [];
  let chosen = port;
  for (const [i, hostname] of addresses.entries()) {
    try {
      const h = open(hostname, chosen);
      chosen = h.port;
      handles.push(h);
      bound.push(hostname);
    } catch (err) {
      // `localhost` on a machine without IPv6: the first family is enough.
      if (i > 0 && err instanceof Deno.errors.AddrNotAvailable) continue;
      for (const h of handles) close(h);
      if (err instanceof Deno.errors.AddrInUse) {
        throw new OAuthCallbackError("EADDRINUSE", `port ${chosen} is already in use on ${hostname}; pick another port or use 0 for a free one`, { cause: err });
      }
      throw new OAuthCallbackError("BIND_FAILED", `cannot listen on ${hostname}:${chosen}`, { cause: err });
    }
  }
  return { port: chosen, addresses: bound, handles };
}

/** Opens `open(address, port)` on every loopback address of `hostname`, all on one port. */
export function bindEachLoopback<T extends Bound>(
  hostname: string,
  port: number,
  open: (hostname: string, port: number) => T,
  close: (handle: T) => void,
): { port: number; addresses: string[]; handles: T[] } {
  const addresses = loopbackBindAddresses(hostname);
  for (let attempt = 1; ; attempt++) {
    try {
      return bindOnce(addresses, port, open, close);
    } catch (err) {
      const retry = port === 0 && attempt < EPHEMERAL_ATTEMPTS && err instanceof OAuthCallbackError && err.code === "EADDRINUSE";
      if (!retry) throw err;
    }
  }
}
