// oauth-callback-rs/embedded as Bun resolves it (copied to dist/embedded.bun.js by
// scripts/lib.sh, not bundled: Bun must see each `require` of an addon with its literal
// path, which is how `bun build --compile` embeds a `.node` file). The wasm core comes
// from embedded.inline.js (embedded.ts bundled). Paths that are not installed stay unresolved requires that fail at
// run time, and the loader (src/node/addon.ts) moves on to its next candidate.
import "./embedded.inline.js";

const notFound = (err) => err?.code === "MODULE_NOT_FOUND" || err?.code === "ERR_MODULE_NOT_FOUND" || /Cannot (find|require) module|ENOENT/.test(String(err?.message));

// One entry per napi-rs platform: the platform package first, then the package's own
// native/. Each require sits directly in a try block: Bun lets such a require stay
// unresolved at build time instead of failing the build.
const addons = {
  "linux-x64-gnu": () => {
    try { return require("oauth-callback-rs-linux-x64-gnu"); } catch (err) { if (!notFound(err)) throw err; }
    try { return require("../native/oauth-callback.linux-x64-gnu.node"); } catch (err) { if (!notFound(err)) throw err; }
    return undefined;
  },
  "linux-arm64-gnu": () => {
    try { return require("oauth-callback-rs-linux-arm64-gnu"); } catch (err) { if (!notFound(err)) throw err; }
    try { return require("../native/oauth-callback.linux-arm64-gnu.node"); } catch (err) { if (!notFound(err)) throw err; }
    return undefined;
  },
  "linux-x64-musl": () => {
    try { return require("oauth-callback-rs-linux-x64-musl"); } catch (err) { if (!notFound(err)) throw err; }
    try { return require("../native/oauth-callback.linux-x64-musl.node"); } catch (err) { if (!notFound(err)) throw err; }
    return undefined;
  },
  "linux-arm64-musl": () => {
    try { return require("oauth-callback-rs-linux-arm64-musl"); } catch (err) { if (!notFound(err)) throw err; }
    try { return require("../native/oauth-callback.linux-arm64-musl.node"); } catch (err) { if (!notFound(err)) throw err; }
    return undefined;
  },
  "darwin-x64": () => {
    try { return require("oauth-callback-rs-darwin-x64"); } catch (err) { if (!notFound(err)) throw err; }
    try { return require("../native/oauth-callback.darwin-x64.node"); } catch (err) { if (!notFound(err)) throw err; }
    return undefined;
  },
  "darwin-arm64": () => {
    try { return require("oauth-callback-rs-darwin-arm64"); } catch (err) { if (!notFound(err)) throw err; }
    try { return require("../native/oauth-callback.darwin-arm64.node"); } catch (err) { if (!notFound(err)) throw err; }
    return undefined;
  },
  "win32-x64-msvc": () => {
    try { return require("oauth-callback-rs-win32-x64-msvc"); } catch (err) { if (!notFound(err)) throw err; }
    try { return require("../native/oauth-callback.win32-x64-msvc.node"); } catch (err) { if (!notFound(err)) throw err; }
    return undefined;
  },
  "win32-x64-gnu": () => {
    try { return require("oauth-callback-rs-win32-x64-gnu"); } catch (err) { if (!notFound(err)) throw err; }
    try { return require("../native/oauth-callback.win32-x64-gnu.node"); } catch (err) { if (!notFound(err)) throw err; }
    return undefined;
  },
};

const key = Symbol.for("oauth-callback-rs.embedded");
globalThis[key] = { ...globalThis[key], native: (triple) => addons[triple]?.() };
