// Loopback listener cases for the runtimes that have one (Node and Bun through the addon,
// Deno through Deno.listen). Connections go to 127.0.0.1 / ::1 only.
import net from "node:net";
import { equal, ok, throwsCode } from "./assert.mjs";

function connect(host, port) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export const listenerCases = [
  ["listener: port 0 picks a free port on both loopback families", async (lib) => {
    const l = lib.bindLoopback();
    try {
      ok(l.port > 0 && l.port < 65536, `port ${l.port}`);
      equal(l.addresses[0], "127.0.0.1", "first address");
      ok(l.listening, "listening");
      ok(await connect("127.0.0.1", l.port), "accepts on 127.0.0.1");
      if (l.addresses.includes("::1")) ok(await connect("::1", l.port), "accepts on ::1");
    } finally {
      l.close();
    }
    ok(!l.listening, "closed");
    ok(!(await connect("127.0.0.1", l.port)), "port is free after close");
    l.close();
  }],

  ["listener: a literal address binds only itself", async (lib) => {
    const l = lib.bindLoopback({ hostname: "127.0.0.1" });
    try {
      equal(l.addresses.join(","), "127.0.0.1", "addresses");
      ok(!(await connect("::1", l.port)), "nothing on ::1");
    } finally {
      l.close();
    }
  }],

  ["listener: a taken port is EADDRINUSE, and freed ports can be reused", async (lib) => {
    const a = lib.bindLoopback({ hostname: "127.0.0.1" });
    try {
      throwsCode(lib, () => lib.bindLoopback({ hostname: "127.0.0.1", port: a.port }), "EADDRINUSE", "same port");
      throwsCode(lib, () => lib.bindLoopback({ hostname: "localhost", port: a.port }), "EADDRINUSE", "localhost on a taken v4 port");
    } finally {
      a.close();
    }
    const b = lib.bindLoopback({ hostname: "127.0.0.1", port: a.port });
    equal(b.port, a.port, "rebinds the freed port");
    b.close();
  }],

  ["listener: non-loopback hosts and bad ports are refused", (lib) => {
    for (const hostname of ["0.0.0.0", "::", "example.com", "192.168.0.1", "localhost\n"]) {
      throwsCode(lib, () => lib.bindLoopback({ hostname }), "NOT_LOOPBACK", hostname);
    }
    for (const port of [-1, 65536, 1.5, "80", Number.NaN]) {
      throwsCode(lib, () => lib.bindLoopback({ port }), "INVALID_PARAMETER", `port ${String(port)}`);
    }
  }],
];
