import { OAuthCallbackError } from "../errors.js";
import type { TokenStore, Tokens } from "./types.js";

/** The `@leanmcp/auth` storage shape: one key, `get()`, `set(tokens)`, `clear()`. */
export interface BoundTokenStore {
  get(): Promise<Tokens | null>;
  set(tokens: Tokens): Promise<void>;
  clear(): Promise<void>;
}

/** Binds any `TokenStore` to one key, for code written against `@leanmcp/auth`. */
export function bindTokenStore(store: TokenStore, key: string): BoundTokenStore {
  if (typeof key !== "string" || key === "") throw new OAuthCallbackError("INVALID_PARAMETER", "a store key must be a non-empty string");
  return {
    get: () => store.get(key),
    set: (tokens) => store.set(key, tokens),
    clear: () => store.delete(key),
  };
}
