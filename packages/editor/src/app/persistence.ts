import type { GraphDocument } from '@piagraph/graph-core';
import { parseGraphDocument } from '@piagraph/graph-core';

/** localStorage key of the autosaved document. */
export const AUTOSAVE_KEY = 'piagraph.autosave.v1';
/** Set beside it while the autosaved document has changes that were never saved to a file. */
export const AUTOSAVE_DIRTY_KEY = 'piagraph.autosave.v1.dirty';

/** Whether the autosaved document had unsaved changes. */
export function autosaveIsDirty(storage: Storage = localStorage): boolean {
  try {
    return storage.getItem(AUTOSAVE_DIRTY_KEY) === '1';
  } catch {
    return false;
  }
}

/** The autosaved document, if one is stored and readable. */
export function readAutosave(storage: Storage = localStorage): GraphDocument | undefined {
  try {
    const text = storage.getItem(AUTOSAVE_KEY);
    if (!text) return undefined;
    return parseGraphDocument(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Returns a function that saves the document shortly after the last call, so a burst of edits (a drag, typing)
 * writes once. A full or unavailable storage is ignored: autosave is a convenience, never a reason to fail an edit.
 */
export function autosaver(storage: Storage = localStorage, delayMs = 250): (doc: GraphDocument, dirty: boolean) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: GraphDocument | undefined;
  let pendingDirty = false;
  const flush = () => {
    timer = undefined;
    if (!pending) return;
    try {
      storage.setItem(AUTOSAVE_KEY, JSON.stringify(pending));
      if (pendingDirty) storage.setItem(AUTOSAVE_DIRTY_KEY, '1');
      else storage.removeItem(AUTOSAVE_DIRTY_KEY);
    } catch {
      // Quota exceeded or storage disabled.
    }
    pending = undefined;
  };
  addEventListener('beforeunload', flush);
  return (doc, dirty) => {
    pending = doc;
    pendingDirty = dirty;
    if (timer === undefined) timer = setTimeout(flush, delayMs);
  };
}
