/**
 * A document backend on an addon object (the file store, the keychain): reads without a
 * lock, changes under the addon's cross-process lock, addon errors made typed.
 */
import { toLibraryError } from "../errors.js";
import { versionedLayout, type DocumentLayout } from "../store/document.js";
import type { DocumentBackend } from "../store/oauth-store.js";

/** What the addon's file store and keychain entry both offer. */
export interface NativeDocument {
  read(): Promise<string | null>;
  lock(): Promise<{ read(): Promise<string | null>; write(document: string): Promise<void>; remove?(): Promise<void>; release(): void }>;
}

/** Awaits an addon promise, turning its `CODE: message` errors into typed ones. */
export async function native<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw toLibraryError(err);
  }
}

/**
 * `layout`: the keychain keeps the versioned document, a file says which it holds.
 * A document whose lock can `remove` (the keychain item) is deleted when no entry is left.
 */
export function nativeBackend(where: string, doc: NativeDocument, layout: DocumentLayout = versionedLayout, removesWhenEmpty = false): DocumentBackend {
  return {
    where,
    layout,
    removesWhenEmpty,
    read: () => native(doc.read()),
    async transaction(change) {
      const lock = await native(doc.lock());
      try {
        const { write, result } = await change(await native(lock.read()));
        if (write === null && lock.remove) await native(lock.remove());
        else if (typeof write === "string") await native(lock.write(write));
        return result;
      } finally {
        lock.release();
      }
    },
  };
}
