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
  | "PORT_IN_USE"
  | "BIND_FAILED"
  | "NOT_INITIALIZED"
  | "NATIVE_UNAVAILABLE";

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
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep the ordinary prototype check; the brand only widens the base class.
    if (this !== OAuthCallbackError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
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
      const out = new OAuthCallbackError(e.code as ErrorCode, e.message);
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
