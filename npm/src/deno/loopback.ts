/**
 * Binding every loopback address of a host name on one port with Deno's APIs, as the
 * native addon does: the addresses come from the core, `localhost` without IPv6 keeps
 * its IPv4 socket, a taken port is `EADDRINUSE`, and an ephemeral port whose twin on the
 * other family is taken is tried again. Used by `bindLoopback` and the callback server.
 * Also what a Deno process must do before a loopback server can face a flood.
 */
import { OAuthCallbackError } from "../errors.js";
import { loopbackBindAddresses } from "../protocol.js";

declare const Deno: {
  errors: { AddrInUse: new () => Error; AddrNotAvailable: new () => Error };
  addSignalListener(signal: "SIGINT", handler: () => void): void;
  removeSignalListener(signal: "SIGINT", handler: () => void): void;
};

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

let signalsReady = false;

/**
 * Deno sets up its own signal handling lazily (about half a second after start) and
 * panics, taking the whole process down, when no file descriptor is free at that moment
 * (Deno 2.9: "Too many open files" in ext/signals). A flood that starts before then would
 * kill the app, so a callback server (either driver) has Deno set it up before it
 * listens, while descriptors are free. No listener stays: signals behave as they do once
 * Deno has set them up itself.
 */
export function setUpDenoSignalsNow(): void {
  if (signalsReady) return;
  signalsReady = true;
  const none = (): void => {};
  try {
    Deno.addSignalListener("SIGINT", none);
    Deno.removeSignalListener("SIGINT", none);
  } catch {
    // No signals here (a restricted runtime): nothing to set up.
  }
}
