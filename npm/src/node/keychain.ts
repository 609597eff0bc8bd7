/**
 * `keychainStore`: the store document as one secret in the OS keychain (macOS Keychain,
 * Windows Credential Manager, Linux Secret Service), changed under a cross-process lock.
 * Where no keychain is usable it fails with `KEYCHAIN_UNAVAILABLE`, or, when a `fallback`
 * is given, moves to the encrypted file store and says so through `onWarning`.
 */
import { OAuthCallbackError, toLibraryError } from "../errors.js";
import { checkOptions } from "../options.js";
import { loadNative } from "./addon.js";
import { nativeBackend } from "./native-backend.js";
import { nativeFileBackend } from "./file-store.js";
import { createOAuthStore, type DocumentBackend } from "../store/oauth-store.js";
import type { OAuthStore } from "../store/types.js";

/** The fallback's own file: the plain store's default (`~/.mcp/tokens.json`) is oauth-callback's, which cannot read an encrypted file. */
const KEYCHAIN_FALLBACK_PATH = "~/.oauth-callback-rs/tokens.json";

/** Options of `keychainStore`. */
export interface KeychainStoreOptions {
  /** The keychain service name, e.g. your app's name. */
  service: string;
  /** The account under the service, e.g. the user or server. */
  account: string;
  /** Use an encrypted file when no keychain is usable (the key is required; default path `~/.oauth-callback-rs/tokens.json`). */
  fallback?: { path?: string; encryptionKey: Uint8Array | string; keyName?: string };
  /** Told when the fallback is taken (default: `console.warn`). */
  onWarning?: (message: string) => void;
}

function keychainBackend(service: string, account: string): DocumentBackend {
  let entry;
  try {
    entry = new (loadNative().NativeKeychain)(service, account);
  } catch (err) {
    throw toLibraryError(err);
  }
  return nativeBackend(`the OS keychain (service "${service}", account "${account}")`, entry, undefined, true);
}

/** Tokens in the OS keychain. */
export function keychainStore(options: KeychainStoreOptions): OAuthStore {
  if (typeof options !== "object" || options === null || typeof options.service !== "string" || typeof options.account !== "string") {
    throw new OAuthCallbackError("INVALID_PARAMETER", "keychainStore needs { service, account } strings");
  }
  checkOptions("keychainStore", options, ["service", "account", "fallback", "onWarning"]);
  const { fallback } = options;
  if (fallback !== undefined) checkOptions("keychainStore fallback", fallback, ["path", "encryptionKey", "keyName"]);
  if (fallback !== undefined && fallback.encryptionKey === undefined) {
    throw new OAuthCallbackError("INVALID_KEY", "the keychain fallback is an encrypted file: give fallback.encryptionKey");
  }
  const primary = keychainBackend(options.service, options.account);
  if (!fallback) return createOAuthStore(primary);
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  let active: DocumentBackend = primary;
  async function withFallback<T>(op: (b: DocumentBackend) => Promise<T>): Promise<T> {
    try {
      return await op(active);
    } catch (err) {
      if (active !== primary || !(err instanceof OAuthCallbackError) || err.code !== "KEYCHAIN_UNAVAILABLE") throw err;
      const path = fallback?.path ?? KEYCHAIN_FALLBACK_PATH;
      const fileOptions: { encryptionKey: Uint8Array | string; keyName?: string } = { encryptionKey: (fallback as { encryptionKey: Uint8Array | string }).encryptionKey };
      if (fallback?.keyName !== undefined) fileOptions.keyName = fallback.keyName;
      active = nativeFileBackend(path, fileOptions);
      warn(`oauth-callback-rs: ${err.message}; keeping tokens in the encrypted file ${active.where} instead`);
      return op(active);
    }
  }
  return createOAuthStore({
    get where() {
      return active.where;
    },
    get removesWhenEmpty() {
      return active.removesWhenEmpty === true;
    },
    read: () => withFallback((b) => b.read()),
    transaction: (change) => withFallback((b) => b.transaction(change)),
  });
}
