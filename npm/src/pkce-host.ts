/**
 * PKCE (RFC 7636 §4.1-4.2) on the host's own CSPRNG and SHA-256: `node:crypto`, which
 * Node, Bun and Deno all provide. A first PKCE pair then compiles no wasm, and every pair
 * runs at OpenSSL's speed instead of crossing into wasm twice.
 *
 * The core stays the authority on what is a verifier. This path takes only what it can
 * decide without judgement: the default length (32 random octets, RFC 7636 §4.1's
 * recommendation) and verifiers made only of §4.1's `unreserved` characters, 43 to 128 of
 * them. Anything else goes to the core, which accepts or refuses it with its typed error.
 * `tests/facade/pkce-host-cases.mjs` checks both paths give the same answers.
 */
import { optionalBuiltin } from "./host.js";
import type { HostRandomness } from "./protocol.js";

/** The parts of `node:crypto` this file uses. */
interface HostCrypto {
  randomFillSync(buffer: Uint8Array): unknown;
  /** One-shot hashing: Node ≥ 20.12, Deno; absent in older runtimes. */
  hash?: (algorithm: string, data: string, encoding: "base64url") => string;
  createHash(algorithm: string): { update(data: string): { digest(encoding: "base64url"): string } };
}

interface HostBuffer {
  from(array: ArrayBufferLike, offset: number, length: number): { toString(encoding: "base64url"): string };
}

/** What the host offers, looked up once: `null` when it has no `node:crypto`. */
interface Host {
  crypto: HostCrypto;
  buffer: HostBuffer;
}

let host: Host | null | undefined;

function lookUpHost(): Host | null {
  const crypto = optionalBuiltin("node:crypto") as HostCrypto | undefined;
  const buffer = (optionalBuiltin("node:buffer") as { Buffer?: HostBuffer } | undefined)?.Buffer;
  if (!crypto || typeof crypto.randomFillSync !== "function" || typeof crypto.createHash !== "function" || !buffer) return null;
  return { crypto, buffer };
}

/** `node:crypto` and `Buffer`, or `null` where the host has neither (browsers). */
function hostOrNull(): Host | null {
  if (host === undefined) host = lookUpHost();
  return host;
}

// Random octets are drawn 2 KiB at a time: one CSPRNG call serves 64 tokens. Each
// token's octets are zeroed as soon as they are encoded, so the pool never holds a
// secret that was handed out.
const POOL_BYTES = 2048;
const TOKEN_OCTETS = 32;
let pool: Uint8Array | undefined;
let used = POOL_BYTES;

/** RFC 7636 §4.1: 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function s256(h: Host, verifier: string): string {
  const { crypto } = h;
  return crypto.hash ? crypto.hash("sha256", verifier, "base64url") : crypto.createHash("sha256").update(verifier).digest("base64url");
}

function randomToken(h: Host): string | undefined {
  if (used + TOKEN_OCTETS > POOL_BYTES || !pool) {
    pool ??= new Uint8Array(POOL_BYTES);
    try {
      h.crypto.randomFillSync(pool);
    } catch {
      // The host's CSPRNG failed: the core draws instead, or reports ENTROPY_UNAVAILABLE.
      used = POOL_BYTES;
      return undefined;
    }
    used = 0;
  }
  const token = h.buffer.from(pool.buffer, pool.byteOffset + used, TOKEN_OCTETS).toString("base64url");
  pool.fill(0, used, used + TOKEN_OCTETS);
  used += TOKEN_OCTETS;
  return token;
}

/**
 * 32 fresh random octets, base64url (43 characters): a `state` (RFC 6749 §10.12) or a
 * `nonce` (OpenID Connect Core §3.1.2.1), or `undefined` when the host has no `node:crypto`.
 */
export function hostRandomToken(): string | undefined {
  const h = hostOrNull();
  return h ? randomToken(h) : undefined;
}

/**
 * RFC 7636 §4.1-4.2: a 43-character verifier from 32 fresh random octets and its S256
 * challenge, or `undefined` when the host has no `node:crypto`.
 */
export function hostPkcePair(): [verifier: string, challenge: string] | undefined {
  const h = hostOrNull();
  if (!h) return undefined;
  const verifier = randomToken(h);
  return verifier === undefined ? undefined : [verifier, s256(h, verifier)];
}

/**
 * RFC 7636 §4.2: the S256 challenge of `verifier`, or `undefined` when the host has no
 * `node:crypto` or the verifier is not plainly valid (the core then decides).
 */
export function hostChallenge(verifier: string): string | undefined {
  const h = hostOrNull();
  if (!h || !VERIFIER.test(verifier)) return undefined;
  return s256(h, verifier);
}

/** What the Node, Bun and Deno entries register with `useHostRandomness`. */
export const hostRandomness: HostRandomness = { pkcePair: hostPkcePair, challenge: hostChallenge, token: hostRandomToken };
