/**
 * Opens the system browser (RFC 8252 §4.1: native apps use the user's browser). Launchers
 * report success even when nothing opened, so "no display" is decided before launching,
 * and the caller is told either way.
 */
import { nodeFs } from "./host.js";

/** What happened when the browser was asked to open. */
export type BrowserLaunch =
  | { readonly opened: true; readonly command: string }
  | { readonly opened: false; readonly reason: string };

function isWsl(): boolean {
  if (process.platform !== "linux") return false;
  try {
    return /microsoft/i.test(nodeFs().readFileSync("/proc/version", "utf8"));
  } catch {
    return false;
  }
}

/** Where `browserCommand` looks: the real process unless a test says otherwise. */
export interface BrowserCommandContext {
  platform?: string;
  env?: Readonly<Record<string, string | undefined>>;
  wsl?: boolean;
}

/**
 * The program and arguments `openBrowser` runs for `url`, or why it runs none. The URL is
 * always one argument of its own, never text for a shell: on Windows and WSL it goes to
 * `rundll32 url.dll,FileProtocolHandler`, which expands nothing (`cmd.exe /c start` would
 * expand `%VAR%` and split on `&`, `|`, `^`, a URL from a hostile server included).
 */
export function browserCommand(url: string, context: BrowserCommandContext = {}): { cmd: string; args: string[] } | { reason: string } {
  const env = context.env ?? process.env;
  const platform = context.platform ?? process.platform;
  if (env.BROWSER && env.BROWSER.trim() !== "" && env.BROWSER !== "none") {
    // BROWSER may list several commands separated by ':'; the first is used. A %s in it
    // is replaced by the URL (a function replacer: `$&` in a URL stays as it is),
    // otherwise the URL is the last argument.
    const first = env.BROWSER.split(":")[0]?.trim() ?? "";
    const parts = first.split(/\s+/).filter(Boolean);
    const [cmd, ...rest] = parts;
    if (cmd) {
      const args = rest.some((a) => a.includes("%s")) ? rest.map((a) => a.replace("%s", () => url)) : [...rest, url];
      return { cmd, args };
    }
  }
  if (env.BROWSER === "none") return { reason: "BROWSER is set to none" };
  switch (platform) {
    case "darwin":
      return { cmd: "open", args: [url] };
    case "win32":
      return { cmd: "rundll32", args: ["url.dll,FileProtocolHandler", url] };
    default:
      if (context.wsl ?? isWsl()) return { cmd: "rundll32.exe", args: ["url.dll,FileProtocolHandler", url] };
      if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { reason: "no display (DISPLAY and WAYLAND_DISPLAY are unset)" };
      return { cmd: "xdg-open", args: [url] };
  }
}

/**
 * The built-in launcher: starts the system browser at `url` (`BROWSER` honoured); never
 * throws. The URL is an argument, never shell text. Pass it as `getAuthCode`'s `launch`
 * for managed mode with this launcher: the URL is then printed to stderr and reported in
 * the `browser` event when nothing could be opened.
 */
export async function openBrowser(url: string, watch: { onFailure?: (reason: string) => void } = {}): Promise<BrowserLaunch> {
  const c = browserCommand(url);
  if ("reason" in c) return { opened: false, reason: c.reason };
  // Loaded here, not at import: most imports of the package never launch anything.
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(c.cmd, c.args, { detached: true, stdio: "ignore", windowsHide: true });
    } catch (err) {
      resolve({ opened: false, reason: startFailure(c.cmd, err) });
      return;
    }
    child.once("error", (err) => resolve({ opened: false, reason: startFailure(c.cmd, err) }));
    child.once("spawn", () => {
      child.unref();
      // Started is not opened: a launcher that exits non-zero failed (BROWSER=/bin/false,
      // xdg-open without a handler). The caller hears of it when it happens.
      child.once("exit", (code, signal) => {
        if (code !== 0) watch.onFailure?.(`${c.cmd} exited with ${code === null ? `signal ${signal}` : `code ${code}`}`);
      });
      resolve({ opened: true, command: c.cmd });
    });
  });
}

/** Why a launcher did not start, in words a user can act on. */
function startFailure(cmd: string, err: unknown): string {
  const e = err as { name?: string; message?: string };
  // Deno without --allow-run refuses to start any program.
  if (e?.name === "NotCapable" || e?.name === "PermissionDenied" || /--allow-run/.test(String(e?.message))) {
    return `${cmd} could not start: Deno needs --allow-run to open a browser`;
  }
  return `${cmd} could not start: ${e?.message ?? String(err)}`;
}
