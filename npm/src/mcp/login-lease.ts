/**
 * At most one browser login per MCP server at a time, across processes. The process that
 * signs in writes a lease into the store entry (under the store's lock) naming a loopback
 * port where it listens; a process that finds a live lease connects there and hears the
 * outcome the moment the login ends, or sees the connection close when that process dies
 * (the OS closes its sockets). Each wait is one connection, bounded by the lease's end:
 * nothing polls. The port carries no secret: an identifier, then `done` or `failed`.
 */
import type { Server, Socket } from "node:net";
import type { LoginLease } from "./record.js";

/** How another process's login ended, as seen by a waiter. */
export type LeaseOutcome = "done" | "failed" | "gone";

/** The side of the process that holds the lease. */
export class LeaseHost {
  readonly id: string;
  readonly port: number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #ended = false;

  private constructor(id: string, server: Server, port: number) {
    this.id = id;
    this.#server = server;
    this.port = port;
  }

  static async open(id: string): Promise<LeaseHost> {
    const net = await import("node:net");
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    // The lease must never keep a process alive on its own.
    server.unref();
    const address = server.address();
    const host = new LeaseHost(id, server, typeof address === "object" && address ? address.port : 0);
    server.on("connection", (socket) => host.#accept(socket));
    return host;
  }

  #accept(socket: Socket): void {
    socket.unref();
    socket.on("error", () => undefined);
    if (this.#ended) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.write(`${this.id}\n`);
  }

  /** Tells every waiter how the login ended and stops listening; again does nothing. */
  end(outcome: "done" | "failed"): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const s of this.#sockets) s.end(`${outcome}\n`);
    this.#server.close();
  }
}

/**
 * Waits for the login behind `lease` to end: `done` or `failed` as its holder reports,
 * `gone` when nobody (or somebody else) listens there, the holder died, or the lease ran out.
 */
export async function awaitLease(lease: LoginLease, signal?: AbortSignal): Promise<LeaseOutcome> {
  const net = await import("node:net");
  return new Promise<LeaseOutcome>((resolve, reject) => {
    let text = "";
    let settled = false;
    const socket = net.connect({ host: "127.0.0.1", port: lease.port });
    const finish = (outcome: LeaseOutcome | { error: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      if (typeof outcome === "object") reject(outcome.error);
      else resolve(outcome);
    };
    const onAbort = () => finish({ error: signal?.reason });
    // The bound of the wait, not a guess at when the work is done.
    const timer = setTimeout(() => finish("gone"), Math.max(0, lease.until - Date.now()));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (text.length > 256) return finish("gone");
      const lines = text.split("\n");
      if (lines.length < 2) return;
      if (lines[0] !== lease.id) return finish("gone");
      const outcome = lines[1];
      if (lines.length >= 3 && (outcome === "done" || outcome === "failed")) finish(outcome);
    });
    socket.on("error", () => finish("gone"));
    socket.on("close", () => finish("gone"));
  });
}
