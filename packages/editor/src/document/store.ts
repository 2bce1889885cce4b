import { History, type EditResult, type GraphDocument } from '@piagraph/graph-core';
import { emptyDocument } from './edits.js';

/** Why the document changed, so listeners can tell user edits from loads and history moves. */
export type ChangeCause = 'edit' | 'undo' | 'redo' | 'load';

type Listener = (doc: GraphDocument, cause: ChangeCause) => void;

/**
 * The one place the open graph document lives. Every change is an edit result of graph-core's operations,
 * recorded in graph-core's patch `History`, or a load that starts a fresh history. The Rete view and every React
 * component read from here.
 */
export class DocumentStore {
  private current: GraphDocument;
  private readonly history: History;
  private loads = 0;
  private readonly listeners = new Set<Listener>();

  constructor(initial: GraphDocument = emptyDocument(), historyLimit = 200) {
    this.current = initial;
    this.history = new History(historyLimit);
  }

  /** The current document (immutable; a new object after every change). */
  get doc(): GraphDocument {
    return this.current;
  }

  /**
   * Counts the documents opened so far (every `load`). A widget edit started under one generation belongs to that
   * document: the app drops it when another document has been opened since, and widgets remount per generation
   * so no text typed into one graph survives into the next.
   */
  get generation(): number {
    return this.loads;
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    return this.history.canRedo;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies an edit computed from the current document and records it for undo. Empty edits are dropped. */
  commit(label: string, make: (doc: GraphDocument) => EditResult): void {
    const result = make(this.current);
    if (result.patches.length === 0) return;
    this.history.record({ label, patches: result.patches, inversePatches: result.inversePatches });
    this.set(result.doc, 'edit');
  }

  /** Replaces the document (open, import, restore) and clears the history. */
  load(doc: GraphDocument): void {
    this.history.clear();
    this.loads++;
    this.set(doc, 'load');
  }

  /** Takes back the last edit; false when there was nothing to undo. */
  undo(): boolean {
    const doc = this.history.undo(this.current);
    if (doc) this.set(doc, 'undo');
    return Boolean(doc);
  }

  /** Re-applies the last undone edit; false when there was nothing to redo. */
  redo(): boolean {
    const doc = this.history.redo(this.current);
    if (doc) this.set(doc, 'redo');
    return Boolean(doc);
  }

  private set(doc: GraphDocument, cause: ChangeCause): void {
    this.current = doc;
    for (const listener of this.listeners) listener(doc, cause);
  }
}
