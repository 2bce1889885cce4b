import { applyPatches, type Patch } from 'immer';
import type { GraphDocument } from '../types/document.js';

/** One undoable step. */
export interface HistoryEntry {
  patches: Patch[];
  inversePatches: Patch[];
  label?: string;
}

/** Undo and redo stacks of patch pairs (tldraw-style: diffs are the one mechanism behind undo). */
export class History {
  readonly #undo: HistoryEntry[] = [];
  readonly #redo: HistoryEntry[] = [];

  /** Keeps at most `limit` undo steps, dropping the oldest. */
  constructor(readonly limit = 200) {}

  /** Records an edit; a new edit clears the redo stack. Edits without patches are ignored. */
  record(entry: HistoryEntry): void {
    if (entry.patches.length === 0) return;
    this.#undo.push({ patches: entry.patches, inversePatches: entry.inversePatches, ...(entry.label ? { label: entry.label } : {}) });
    if (this.#undo.length > this.limit) this.#undo.shift();
    this.#redo.length = 0;
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  get canRedo(): boolean {
    return this.#redo.length > 0;
  }

  /** The document before the last recorded edit, or `undefined` when there is nothing to undo. */
  undo(doc: GraphDocument): GraphDocument | undefined {
    const entry = this.#undo.pop();
    if (!entry) return undefined;
    this.#redo.push(entry);
    return applyPatches(doc, entry.inversePatches);
  }

  /** The document after re-applying the last undone edit, or `undefined` when there is nothing to redo. */
  redo(doc: GraphDocument): GraphDocument | undefined {
    const entry = this.#redo.pop();
    if (!entry) return undefined;
    this.#undo.push(entry);
    return applyPatches(doc, entry.patches);
  }

  clear(): void {
    this.#undo.length = 0;
    this.#redo.length = 0;
  }
}
