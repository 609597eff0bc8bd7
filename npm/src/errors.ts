/** Stable codes of library errors (not OAuth server errors). Match on these, not on messages. */
export type ErrorCode =
  | "ENTROPY_UNAVAILABLE"
  | "INVALID_CODE_VERIFIER"
  | "UNSUPPORTED_CHALLENGE_METHOD"
  | "INVALID_URL"
  | "INSECURE_ENDPOINT"
  | "MISSING_PARAMETER"
  | "DUPLICATE_PARAMETER"
  | "INVALID_PARAMETER"
  | "NOT_LOOPBACK"
  /** The port is taken; the same code as Node's own error, so `err.code === "EADDRINUSE"` works as with `oauth-callback`. */
  | "EADDRINUSE"
  | "BIND_FAILED"
  | "NOT_INITIALIZED"
  | "NATIVE_UNAVAILABLE"
  | "SERVER_CLOSED"
  /** An options object has a key the call does not know (a typo would be ignored otherwise). */
  | "UNKNOWN_OPTION"
  /** The authorization URL's `redirect_uri` does not lead back to the loopback server. */
  | "REDIRECT_URI_MISMATCH"
  /** The caller's `AbortSignal` fired; `cause` is its reason. */
  | "ABORTED"
  | "INVALID_KEY"
  | "STORE_CORRUPT"
  | "STORE_DECRYPT_FAILED"
  | "STORE_VERSION_UNSUPPORTED"
  | "STORE_KEY_REQUIRED"
  | "STORE_NOT_ENCRYPTED"
  | "STORE_PERMISSIONS"
  | "STORE_IS_DIRECTORY"
  /** A FIFO, device, socket or symbolic link where the store or its lock file should be. */
  | "STORE_NOT_A_FILE"
  /** The store file is larger than any token store can be (16 MiB); it was not read. */
  | "STORE_TOO_LARGE"
  | "STORE_IO"
  | "STORE_LOCK_TIMEOUT"
  /** A Redis store's lease ran out before its write (the holder stalled): nothing was written. */
  | "STORE_LOCK_LOST"
  /** A Redis store's server refused the connection, went away or did not answer in time. */
  | "STORE_UNAVAILABLE"
  /** A Redis store's server refused the credentials (WRONGPASS, NOAUTH, NOPERM). */
  | "STORE_AUTH_FAILED"
  | "KEYCHAIN_UNAVAILABLE"
  | "KEYCHAIN_ERROR"
  | "INVALID_RESPONSE"
  | "ISSUER_MISMATCH"
  | "RESPONSE_MISMATCH"
  | "DISCOVERY_FAILED"
  | "HTTP_ERROR"
  /** A request to the authorization server got no complete response within its bound. */
  | "TIMEOUT"
  | "LOGIN_REQUIRED"
  | "DEVICE_CODE_EXPIRED"
  /** An OpenID Connect ID token failed a check: signature, `iss`, `aud`/`azp`, `exp`/`iat`, `nonce` or `sub`. */
  | "ID_TOKEN_INVALID"
  /**
   * The feature is not in this build (ID token validation in the browser's wasm module),
   * or an optional package it needs is not installed (`@redis/client` for `redisStore`).
   */
  | "NOT_AVAILABLE";

/**
 * Whether `cls` is one of this file's classes itself rather than a subclass: they extend
 * `Error` directly. (Not `cls === OAuthError`: a class naming itself in its body makes
 * bundlers rename it, and `OAuthError.name` would print as `_OAuthError`.)
 */
function isBaseClass(cls: unknown): boolean {
  return Object.getPrototypeOf(cls) === Error;
}

/** Marks `instance` with a registry-wide brand so `instanceof` works across copies. */
function brand(instance: object, key: symbol): void {
  Object.defineProperty(instance, key, { value: true });
}

function hasBrand(value: unknown, key: symbol): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[key] === true;
}

const OAUTH_BRAND = Symbol.for("oauth-callback-rs.OAuthError");
const TIMEOUT_BRAND = Symbol.for("oauth-callback-rs.TimeoutError");

/**
 * An OAuth error response from the authorization server (RFC 6749 §4.1.2.1), e.g.
 * `access_denied`. Shaped as `oauth-callback`'s: `message` is the description, or the
 * code when there is none; `error`, `error_description` and `error_uri` are as received
 * (own properties, `undefined` when absent). Errors this library raises carry a `message`
 * stripped of control characters and terminal escape sequences, safe to print; the fields
 * are raw: escape them before printing.
 */
export class OAuthError extends Error {
  /** The OAuth `error` code, e.g. `access_denied`. */
  error: string;
  /** `error_description`, if the server sent one. */
  error_description?: string | undefined;
  /** `error_uri`, if the server sent one (any scheme: check it before linking to it). */
  error_uri?: string | undefined;

  /** `options.message` replaces the default message (the library passes a sanitized one). */
  constructor(error: string, description?: string, uri?: string, options?: { message?: string; cause?: unknown }) {
    super(options?.message ?? (description || error), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OAuthError";
    this.error = error;
    this.error_description = description;
    this.error_uri = uri;
    brand(this, OAUTH_BRAND);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!isBaseClass(this)) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, OAUTH_BRAND);
  }
}

/** The redirect did not arrive within `timeout` milliseconds of the server listening. */
export class TimeoutError extends Error {
  constructor(message = "OAuth callback timed out") {
    super(message);
    this.name = "TimeoutError";
    brand(this, TIMEOUT_BRAND);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!isBaseClass(this)) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, TIMEOUT_BRAND);
  }
}

// A registry-wide symbol, so `instanceof` holds even when the package is loaded twice
// (two entry points, two copies in node_modules, CJS and ESM).
const BRAND = Symbol.for("oauth-callback-rs.OAuthCallbackError");

/**
 * An error raised by this library itself: bad input, a port in use, a missing binary.
 * `code` is stable; `message` is for people and never contains a secret.
 */
export class OAuthCallbackError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OAuthCallbackError";
    this.code = code;
    brand(this, BRAND);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep the ordinary prototype check; the brand only widens the base class.
    if (!isBaseClass(this)) return Function.prototype[Symbol.hasInstance].call(this, value);
    return hasBrand(value, BRAND);
  }
}

const CODED_MESSAGE = /^([A-Z][A-Z_]+): ([\s\S]*)$/;

/** Turns an error from the wasm module or the addon (`"CODE: message"`) into a typed one. */
export function toLibraryError(err: unknown): unknown {
  if (err instanceof OAuthCallbackError) return err;
  if (typeof err === "object" && err !== null) {
    const e = err as { code?: unknown; message?: unknown; free?: () => void };
    // A wasm-bindgen CoreError: a code and a message, and a handle to free.
    if (typeof e.code === "string" && typeof e.message === "string" && typeof e.free === "function") {
      const o = err as { oauthError?: string; oauthDescription?: string; oauthUri?: string };
      const out =
        e.code === "OAUTH_ERROR"
          ? new OAuthError(o.oauthError ?? "server_error", o.oauthDescription ?? undefined, o.oauthUri ?? undefined)
          : new OAuthCallbackError(e.code as ErrorCode, e.message);
      e.free();
      return out;
    }
    if (err instanceof Error) {
      const m = CODED_MESSAGE.exec(err.message);
      if (m) return new OAuthCallbackError(m[1] as ErrorCode, m[2] ?? "", { cause: err });
    }
  }
  return err;
}

/** Throws a typed `INVALID_PARAMETER` error unless `value` is a string. */
export function expectString(name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new OAuthCallbackError("INVALID_PARAMETER", `${name} must be a string, got ${describe(value)}`);
  }
  return value;
}

/** Throws a typed `INVALID_PARAMETER` error unless `value` is an integer port 0-65535. */
export function expectPort(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new OAuthCallbackError("INVALID_PARAMETER", `${name} must be an integer from 0 to 65535, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") return String(value);
  return typeof value;
}
