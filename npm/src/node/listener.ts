import { checkOptions } from "../options.js";
import { expectPort, expectString, toLibraryError } from "../errors.js";
import type { LoopbackListener, LoopbackOptions } from "../listener.js";
import { loadNative } from "./addon.js";

/**
 * RFC 8252 §7.3: binds a loopback port through the native addon. `localhost` binds
 * 127.0.0.1 and ::1 on the same port; non-loopback host names are refused.
 */
export function bindLoopback(options: LoopbackOptions = {}): LoopbackListener {
  checkOptions("bindLoopback", options, ["hostname", "port"]);
  const hostname = expectString("hostname", options.hostname ?? "localhost");
  const port = expectPort("port", options.port ?? 0);
  const native = loadNative();
  try {
    return native.bindLoopback(hostname, port);
  } catch (err) {
    throw toLibraryError(err);
  }
}
