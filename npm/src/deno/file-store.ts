/**
 * `fileStore` for Deno, on Deno's file API with the same on-disk format as the addon
 * (core's envelope through wasm; `oauth-callback`'s layout in plain files): 0700
 * directory, 0600 file checked on read, atomic replace, and a cross-process lock on
 * `<file>.lock` (`FsFile.lock`, released by the OS when the holder dies). Needs
 * `--allow-read`, `--allow-write` and `--allow-env=HOME`.
 */
import { OAuthCallbackError } from "../errors.js";
import { isEncryptedStore, storeCipher } from "../protocol.js";
import { DEFAULT_STORE_PATH, lockTimeoutOf, splitKey, type FileStoreOptions } from "../store/file-options.js";
import { after } from "../timer.js";
import { peerLayout, versionedLayout } from "../store/document.js";
import { createOAuthStore } from "../store/oauth-store.js";
import type { OAuthStore } from "../store/types.js";

interface FsFile {
  lock(exclusive?: boolean): Promise<void>;
  close(): void;
}
declare const Deno: {
  env: { get(name: string): string | undefined };
  pid: number;
  build: { os: string };
  stat(path: string): Promise<DenoFileInfo>;
  lstat(path: string): Promise<DenoFileInfo>;
  uid(): number | null;
  readTextFile(path: string): Promise<string>;
  writeTextFile(path: string, data: string, options: { createNew?: boolean; mode?: number }): Promise<void>;
  open(path: string, options: { read?: boolean; write?: boolean; create?: boolean; mode?: number; createNew?: boolean }): Promise<FsFile & { sync(): Promise<void>; write(p: Uint8Array): Promise<number> }>;
  mkdir(path: string, options: { recursive: boolean; mode: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  errors: { NotFound: new () => Error; PermissionDenied: new () => Error; IsADirectory: new () => Error };
};

interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  mode: number | null;
  uid: number | null;
}

/** Largest token store file read (as the addon's store): far above any real store. */
const MAX_STORE_BYTES = 16 * 1024 * 1024;

/**
 * This process's user id for the owner checks, or `null` when Deno may not tell
 * (`Deno.uid()` needs `--allow-sys=uid`; without it only the modes are checked).
 */
function currentUid(): number | null {
  if (Deno.build.os === "windows") return null;
  try {
    return Deno.uid();
  } catch {
    return null;
  }
}

/** What a non-regular file is, for messages. */
function kindOf(info: DenoFileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isSymlink) return "a symbolic link";
  return "a FIFO, device or socket";
}

function expandHome(path: string): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) throw new OAuthCallbackError("STORE_IO", "cannot expand ~: HOME is not set");
  return home + path.slice(1);
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

function ioError(path: string, what: string, err: unknown): OAuthCallbackError {
  const code = err instanceof Deno.errors.PermissionDenied ? "STORE_PERMISSIONS" : err instanceof Deno.errors.IsADirectory ? "STORE_IS_DIRECTORY" : "STORE_IO";
  return new OAuthCallbackError(code, `cannot ${what} ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Tokens in a file, optionally encrypted, safe across processes and crashes. */
export function fileStore(path: string = DEFAULT_STORE_PATH, options: FileStoreOptions = {}): OAuthStore {
  if (typeof path !== "string" || path === "") throw new OAuthCallbackError("INVALID_PARAMETER", "the store path must be a non-empty path");
  const file = expandHome(path);
  const dir = dirname(file);
  const lockPath = `${file}.lock`;
  const { raw, passphrase } = splitKey(options);
  const cipher = raw || passphrase !== undefined ? storeCipher(raw, passphrase, options.keyName ?? "default") : undefined;
  const lockTimeout = lockTimeoutOf(options);

  async function ensureDir(): Promise<void> {
    try {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw ioError(dir, "create the directory", err);
    }
  }

  /** The directory must not let other users plant or replace files (group or others writable). */
  async function checkDir(): Promise<void> {
    if (Deno.build.os === "windows" || options.allowInsecurePermissions) return;
    let info: DenoFileInfo;
    try {
      info = await Deno.stat(dir);
    } catch {
      return;
    }
    const mode = (info.mode ?? 0) & 0o777;
    const me = currentUid();
    if (mode & 0o022 || (me !== null && info.uid !== me && info.uid !== 0)) {
      throw new OAuthCallbackError("STORE_PERMISSIONS", `the directory ${dir} can be written by other users (mode ${mode.toString(8)}); use a private directory (chmod 700), or pass allowInsecurePermissions`);
    }
  }

  async function read(): Promise<string | null> {
    let info: DenoFileInfo;
    try {
      info = await Deno.stat(file);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw ioError(file, "read", err);
    }
    await checkDir();
    if (info.isDirectory) throw new OAuthCallbackError("STORE_IS_DIRECTORY", `${file} is a directory, not a token store file`);
    // Checked before opening: a FIFO would hang the read, a device never end it.
    if (!info.isFile) throw new OAuthCallbackError("STORE_NOT_A_FILE", `${file} is not a regular file (${kindOf(info)}); remove it or choose another path`);
    const mode = (info.mode ?? 0) & 0o777;
    if (Deno.build.os !== "windows" && mode & 0o077 && !options.allowInsecurePermissions) {
      throw new OAuthCallbackError("STORE_PERMISSIONS", `${file} is accessible to other users (mode ${mode.toString(8)}); run \`chmod 600\` on it, or pass allowInsecurePermissions`);
    }
    const me = currentUid();
    if (me !== null && info.uid !== null && info.uid !== me && !options.allowInsecurePermissions) {
      throw new OAuthCallbackError("STORE_PERMISSIONS", `${file} belongs to another user (uid ${info.uid}); refusing to trust it, or pass allowInsecurePermissions`);
    }
    if (info.size > MAX_STORE_BYTES) {
      throw new OAuthCallbackError("STORE_TOO_LARGE", `${file} is ${info.size} bytes, more than a token store can be (${MAX_STORE_BYTES}); it was left as it is`);
    }
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (err) {
      throw ioError(file, "read", err);
    }
    if (isEncryptedStore(text)) {
      if (!cipher) throw new OAuthCallbackError("STORE_KEY_REQUIRED", `${file} is encrypted; pass its encryptionKey`);
      try {
        return cipher.open(text);
      } catch (err) {
        if (err instanceof OAuthCallbackError) throw new OAuthCallbackError(err.code, `${file}: ${err.message}`);
        throw err;
      }
    }
    if (cipher) throw new OAuthCallbackError("STORE_NOT_ENCRYPTED", `${file} is not encrypted but an encryption key was given; refusing to trust it`);
    return text;
  }

  async function write(document: string): Promise<void> {
    await ensureDir();
    await checkDir();
    try {
      const info = await Deno.stat(file);
      if (info.isDirectory) throw new OAuthCallbackError("STORE_IS_DIRECTORY", `${file} is a directory, not a token store file`);
      if (!info.isFile) throw new OAuthCallbackError("STORE_NOT_A_FILE", `${file} is not a regular file (${kindOf(info)}); remove it or choose another path`);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err instanceof OAuthCallbackError ? err : ioError(file, "write", err);
    }
    if (document.length > MAX_STORE_BYTES) {
      throw new OAuthCallbackError("STORE_TOO_LARGE", `the document for ${file} would be ${document.length} bytes, more than a token store can be (${MAX_STORE_BYTES})`);
    }
    const content = cipher ? cipher.seal(document) : document;
    // Unpredictable, so another local user cannot plant the name ahead of a write; the pid
    // lets a later write tell an abandoned temporary file from a live one.
    const nonce = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    const tmp = `${dir}/.${file.slice(dir.length + 1)}.${Deno.pid}.${nonce}.tmp`;
    try {
      const f = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
      try {
        const bytes = new TextEncoder().encode(content);
        let off = 0;
        while (off < bytes.length) off += await f.write(bytes.subarray(off));
        await f.sync();
      } finally {
        f.close();
      }
      await Deno.rename(tmp, file);
      if (Deno.build.os !== "windows") {
        const d = await Deno.open(dir, { read: true });
        try {
          await d.sync();
        } finally {
          d.close();
        }
      }
    } catch (err) {
      await Deno.remove(tmp).catch(() => undefined);
      throw ioError(file, "write", err);
    }
  }

  async function lock(): Promise<FsFile> {
    await ensureDir();
    await checkDir();
    // Deno.open has no O_NOFOLLOW: refuse a symbolic link (a dangling one would make the
    // open create its target) or anything but a regular file before opening.
    try {
      const info = await Deno.lstat(lockPath);
      if (!info.isFile) throw new OAuthCallbackError("STORE_NOT_A_FILE", `${lockPath} is not a regular file (${kindOf(info)}); remove it`);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err instanceof OAuthCallbackError ? err : ioError(lockPath, "open the lock", err);
    }
    let f: FsFile;
    try {
      f = await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
    } catch (err) {
      throw ioError(lockPath, "open the lock", err);
    }
    let cancelTimer: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      cancelTimer = after(lockTimeout, () => reject(new OAuthCallbackError("STORE_LOCK_TIMEOUT", `another process holds ${lockPath} for more than ${lockTimeout} ms`)));
    });
    try {
      await Promise.race([f.lock(true), timeout]);
      return f;
    } catch (err) {
      f.close();
      throw err;
    } finally {
      cancelTimer?.();
    }
  }

  return createOAuthStore({
    where: file,
    // The peer cannot read an encrypted file anyway, so its contents stay versioned.
    layout: cipher ? versionedLayout : peerLayout,
    read,
    async transaction(change) {
      const held = await lock();
      try {
        const { write: text, result } = await change(await read());
        if (typeof text === "string") await write(text);
        return result;
      } finally {
        held.close();
      }
    },
  });
}
