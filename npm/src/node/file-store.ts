/**
 * `fileStore` for Node and Bun: the addon does the file work (0700 directory, 0600 file,
 * atomic replace, cross-process lock, core's encryption envelope); the document's layout
 * is chosen here (document.ts): `oauth-callback`'s layout in a plain file, the versioned
 * document inside an encrypted one.
 */
import { toLibraryError } from "../errors.js";
import { peerLayout, versionedLayout } from "../store/document.js";
import { nativeBackend } from "./native-backend.js";
import { loadNative } from "./addon.js";
import { DEFAULT_STORE_PATH, splitKey, type FileStoreOptions } from "../store/file-options.js";
import { createOAuthStore, type DocumentBackend } from "../store/oauth-store.js";
import type { OAuthStore } from "../store/types.js";

/** Tokens in a file, optionally encrypted, safe across processes and crashes. */
export function fileStore(path: string = DEFAULT_STORE_PATH, options: FileStoreOptions = {}): OAuthStore {
  return createOAuthStore(nativeFileBackend(path, options));
}

/** The file backend on the addon, also the keychain store's fallback. */
export function nativeFileBackend(path: string, options: FileStoreOptions): DocumentBackend {
  const { raw, passphrase } = splitKey(options);
  let file;
  try {
    const nativeOptions: Parameters<typeof loadNativeStore>[1] = {};
    if (raw) nativeOptions.encryptionKey = globalThis.Buffer.from(raw);
    if (passphrase !== undefined) nativeOptions.passphrase = passphrase;
    if (options.keyName !== undefined) nativeOptions.keyName = options.keyName;
    if (options.allowInsecurePermissions !== undefined) nativeOptions.allowInsecurePermissions = options.allowInsecurePermissions;
    if (options.lockTimeoutMs !== undefined) nativeOptions.lockTimeoutMs = options.lockTimeoutMs;
    file = loadNativeStore(path, nativeOptions);
  } catch (err) {
    throw toLibraryError(err);
  }
  // The peer cannot read an encrypted file anyway, so its contents stay versioned.
  const encrypted = raw !== undefined || passphrase !== undefined;
  return nativeBackend(file.path, file, encrypted ? versionedLayout : peerLayout);
}

function loadNativeStore(path: string, options: import("../../native/binding.js").FileStoreOptions) {
  return new (loadNative().NativeFileStore)(path, options);
}
