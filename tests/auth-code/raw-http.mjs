// Raw HTTP/1.1 over TCP, for requests fetch() will not send (a forged Host, a bad method
// line, a huge head) and for idle connections.
import net from "node:net";

/** Sends `head` (and optional body) to 127.0.0.1:port; resolves to the response text or "" when closed without one. */
export function rawRequest(port, head, { host = "127.0.0.1", timeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    let data = "";
    const done = () => {
      clearTimeout(t);
      s.destroy();
      resolve(data);
    };
    const t = setTimeout(done, timeoutMs);
    s.on("connect", () => s.write(head));
    s.on("data", (d) => (data += d.toString("latin1")));
    s.on("end", done);
    s.on("close", done);
    s.on("error", done);
  });
}

/** The status code of a raw response, or 0. */
export function statusOf(response) {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);
}

/** Opens `n` connections that send nothing; resolves to a function that closes them. */
export async function idleConnections(port, n) {
  const sockets = await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port });
      s.on("error", () => {});
      s.once("connect", () => resolve(s));
      s.once("close", () => resolve(s));
    })),
  );
  return () => sockets.forEach((s) => s.destroy());
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
