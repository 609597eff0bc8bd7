/**
 * `fileStore` for Deno, on Deno's file API with the same on-disk format as the addon
 * (core's envelope through wasm; `oauth-callback`'s layout in plain files): 0700
 * directory, 0600 file checked on read, atomic replace, and a cross-process lock on
 * `<file>.lock` (`FsFile.lock`, released by the OS when the holder dies). Needs
 * `--allow-read`, `--allow-write` and `--allow-env=HOME`.
 */
import { OAuthCallbackError } from "../errors.js";
import { isEncryptedStore, storeCipher } from "../protocol.js";
import { DEFAULT_STORE_PATH, splitKey, type FileStoreOptions } from "../store/file-options.js";
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
  stat(path: string): Promise<{ isDirectory: boolean; mode: number | null }>;
  readTextFile(path: string): Promise<string>;
  writeTextFile(path: string, data: string, options: { createNew?: boolean; mode?: number }): Promise<void>;
  open(path: string, options: { read?: boolean; write?: boolean; create?: boolean; mode?: number; createNew?: boolean }): Promise<FsFile & { sync(): Promise<void>; write(p: Uint8Array): Promise<number> }>;
  mkdir(path: string, options: { recursive: boolean; mode: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  errors: { NotFound: new () => Error; PermissionDenied: new () => Error; IsADirectory: new () => Error };
};

let tmpCounter = 0;

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
  const lockTimeout = options.lockTimeoutMs ?? 10_000;

  async function ensureDir(): Promise<void> {
    try {
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw ioError(dir, "create the directory", err);
    }
  }

  async function read(): Promise<string | null> {
    let info;
    try {
      info = await Deno.stat(file);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw ioError(file, "read", err);
    }
    if (info.isDirectory) throw new OAuthCallbackError("STORE_IS_DIRECTORY", `${file} is a directory, not a token store file`);
    const mode = (info.mode ?? 0) & 0o777;
    if (Deno.build.os !== "windows" && mode & 0o077 && !options.allowInsecurePermissions) {
      throw new OAuthCallbackError("STORE_PERMISSIONS", `${file} is accessible to other users (mode ${mode.toString(8)}); run \`chmod 600\` on it, or pass allowInsecurePermissions`);
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
    const content = cipher ? cipher.seal(document) : document;
    const tmp = `${dir}/.${file.slice(dir.length + 1)}.${Deno.pid}.${tmpCounter++}.tmp`;
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
    let f: FsFile;
    try {
      f = await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
    } catch (err) {
      throw ioError(lockPath, "open the lock", err);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new OAuthCallbackError("STORE_LOCK_TIMEOUT", `another process holds ${lockPath} for more than ${lockTimeout} ms`)), lockTimeout);
    });
    try {
      await Promise.race([f.lock(true), timeout]);
      return f;
    } catch (err) {
      f.close();
      throw err;
    } finally {
      clearTimeout(timer);
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
