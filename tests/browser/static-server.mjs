// Serves the built package and the shared test cases to the browser, on 127.0.0.1 only.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ALLOWED = ["npm/dist/", "npm/wasm-browser/", "npm/wasm-authorize/", "npm/wasm-login/", "tests/facade/", "tests/browser/", "examples/"];
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

/**
 * Starts the server on an ephemeral port; resolves to { origin, close }. `routes` maps a
 * path to a handler `(req, res)` that answers it instead of a file.
 */
export function serveStatic(routes = {}) {
  const server = createServer(async (req, res) => {
    const route = routes[new URL(req.url ?? "/", "http://x").pathname];
    if (route) {
      route(req, res);
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^[/\\]+/, "");
    const allowed = ALLOWED.some((p) => path.startsWith(p)) && !path.split(sep).includes("..");
    try {
      if (!allowed) throw new Error("not served");
      const body = await readFile(ROOT + path);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({
        origin: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((r) => {
            server.close(r);
            server.closeAllConnections();
          }),
      });
    });
  });
}
