/**
 * The clients' options checked at run time: an unknown key is `UNKNOWN_OPTION` (with the
 * closest known one), a store's option given to `OAuthClient` says where it belongs, and
 * an alias given together with its name is `INVALID_PARAMETER`.
 */
import { OAuthCallbackError } from "../errors.js";
import { checkOptions } from "../options.js";

/** Options of a store given to the client itself: say where they belong. */
const STORE_OPTIONS: Readonly<Record<string, string>> = {
  encryptionKey: "fileStore(path, { encryptionKey })",
  keyName: "fileStore(path, { keyName })",
  lockTimeoutMs: "fileStore(path, { lockTimeoutMs })",
  allowInsecurePermissions: "fileStore(path, { allowInsecurePermissions })",
  service: "keychainStore({ service, account })",
  account: "keychainStore({ service, account })",
};

/**
 * {@link resolveOptions} for `OAuthClient`, whose stores (`fileStore`, `keychainStore`)
 * take options of their own: one of those given to the client says where it belongs.
 */
export function resolveClientOptions<T extends object>(where: string, options: T, known: readonly string[], aliases: readonly (readonly [string, string])[]): T {
  for (const key of Object.keys(options)) {
    const home = STORE_OPTIONS[key];
    if (home !== undefined && !known.includes(key)) {
      throw new OAuthCallbackError("UNKNOWN_OPTION", `${where}: unknown option \`${key}\`; it is an option of the store: \`store: ${home}\``);
    }
  }
  return resolveOptions(where, options, known, aliases);
}

/**
 * Checks `options` (unknown keys, an alias given with its name) and resolves the aliases.
 * `BrowserOAuthClient`'s: the browser has no file or keychain store to point to.
 */
export function resolveOptions<T extends object>(where: string, options: T, known: readonly string[], aliases: readonly (readonly [string, string])[]): T {
  checkOptions(where, options, known);
  const out = { ...options } as Record<string, unknown>;
  for (const [name, alias] of aliases) {
    if (out[alias] === undefined) {
      delete out[alias];
      continue;
    }
    if (out[name] !== undefined) {
      throw new OAuthCallbackError("INVALID_PARAMETER", `${where}: give \`${name}\` or its alias \`${alias}\`, not both`);
    }
    out[name] = out[alias];
    delete out[alias];
  }
  return out as T;
}

