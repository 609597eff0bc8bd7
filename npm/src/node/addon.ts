/**
 * Loads the napi addon lazily (Node, Bun): importing the package costs nothing until a
 * feature that needs the operating system is used.
 */
import { createRequire } from "node:module";
import type * as Native from "../../native/binding.js";
import { OAuthCallbackError } from "../errors.js";

let native: typeof Native | undefined;

function candidates(): string[] {
  const { platform, arch } = process;
  if (platform === "linux") return [`linux-${arch}-gnu`, `linux-${arch}-musl`];
  if (platform === "win32") return [`win32-${arch}-msvc`];
  return [`${platform}-${arch}`];
}

/** The addon for this platform, or a typed `NATIVE_UNAVAILABLE` error naming the platform. */
export function loadNative(): typeof Native {
  if (native) return native;
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  for (const triple of candidates()) {
    const file = `../native/oauth-callback.${triple}.node`;
    tried.push(triple);
    try {
      native = require(file) as typeof Native;
      return native;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== "MODULE_NOT_FOUND" && code !== "ERR_DLOPEN_FAILED" && !/cannot open shared object|No such file/i.test(String(err))) throw err;
    }
  }
  throw new OAuthCallbackError("NATIVE_UNAVAILABLE", `oauth-callback-rs has no native binary for this platform (tried ${tried.join(", ")}); the protocol functions still work, the loopback server needs the addon`);
}
