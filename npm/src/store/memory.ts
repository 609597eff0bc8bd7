import { createOAuthStore, serialize } from "./oauth-store.js";
import type { OAuthStore } from "./types.js";

/** Tokens for this process only, gone on exit. Same behaviour as the persistent stores. */
export function inMemoryStore(): OAuthStore {
  let text: string | null = null;
  const exclusive = serialize();
  return createOAuthStore({
    where: "in-memory store",
    read: async () => text,
    transaction: (change) =>
      exclusive(async () => {
        const { write, result } = await change(text);
        if (write !== undefined) text = write;
        return result;
      }),
  });
}
