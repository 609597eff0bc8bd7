import { OAuthCallbackError } from "../errors.js";
import { checkOptions } from "../options.js";

/** Options of `fileStore`. */
export interface FileStoreOptions {
  /**
   * Encrypts the file with AES-256-GCM: 32 raw key bytes, or a passphrase string (at
   * least 8 characters), stretched with Argon2id (m=19 MiB, t=2, p=1) and a random salt
   * kept in the file's header. Without it the file is plain JSON (still 0600) in
   * `oauth-callback`'s layout, which that library reads and writes too.
   */
  encryptionKey?: Uint8Array | string;
  /** A name for the key, authenticated in the file (default `"default"`). */
  keyName?: string;
  /** Read a file that other users can access (refused by default). */
  allowInsecurePermissions?: boolean;
  /** How long to wait for another process's lock, in milliseconds (default 10000). */
  lockTimeoutMs?: number;
}

/**
 * Where `fileStore()` keeps tokens when no path is given: `oauth-callback`'s default, so
 * a program switching between the two libraries keeps its tokens. (Earlier versions
 * used `~/.oauth-callback-rs/tokens.json`; pass that path to keep using such a file.)
 */
export const DEFAULT_STORE_PATH = "~/.mcp/tokens.json";

/** `lockTimeoutMs`, or its default. */
export function lockTimeoutOf(options: FileStoreOptions): number {
  return options.lockTimeoutMs ?? 10_000;
}

/**
 * The key as raw bytes or passphrase. Every option is checked here, where every file
 * store starts, in every runtime: `encryptionkey` must never mean "in clear", and a value
 * of the wrong type is a typed error, not the addon's conversion error or silence.
 */
export function splitKey(options: FileStoreOptions): { raw?: Uint8Array; passphrase?: string } {
  checkOptions("fileStore", options, ["encryptionKey", "keyName", "allowInsecurePermissions", "lockTimeoutMs"]);
  const { keyName, allowInsecurePermissions, lockTimeoutMs } = options;
  if (keyName !== undefined && typeof keyName !== "string") {
    throw new OAuthCallbackError("INVALID_PARAMETER", `keyName must be a string, got ${typeof keyName}`);
  }
  if (allowInsecurePermissions !== undefined && typeof allowInsecurePermissions !== "boolean") {
    throw new OAuthCallbackError("INVALID_PARAMETER", `allowInsecurePermissions must be a boolean, got ${typeof allowInsecurePermissions}`);
  }
  if (lockTimeoutMs !== undefined && (typeof lockTimeoutMs !== "number" || !(lockTimeoutMs >= 0) || !Number.isFinite(lockTimeoutMs))) {
    throw new OAuthCallbackError("INVALID_PARAMETER", "lockTimeoutMs must be a non-negative number of milliseconds");
  }
  const k = options.encryptionKey;
  if (k === undefined) return {};
  if (typeof k === "string") return { passphrase: k };
  if (k instanceof Uint8Array) return { raw: k };
  throw new OAuthCallbackError("INVALID_KEY", "encryptionKey must be 32 bytes (a Uint8Array) or a passphrase string");
}
