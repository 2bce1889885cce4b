import { applyPatches, type Patch } from 'immer';
import type { GraphDocument } from '@piagraph/graph-core';
import { emptyDocument, type EditResult } from './edits.js';

interface HistoryEntry {
  label: string;
  patches: Patch[];
  inversePatches: Patch[];
}

/** Why the document changed, so listeners can tell user edits from loads and history moves. */
export type ChangeCause = 'edit' | 'undo' | 'redo' | 'load';

type Listener = (doc: GraphDocument, cause: ChangeCause) => void;

/**
 * The one place the open graph document lives. Every change is an edit result (patches both ways) pushed on the
 * undo stack, or a load that starts a fresh history. The Rete view and every React component read from here.
 */
export class DocumentStore {
  private current: GraphDocument;
  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(
    initial: GraphDocument = emptyDocument(),
    private readonly historyLimit = 200,
  ) {
    this.current = initial;
  }

  /** The current document (immutable; a new object after every change). */
  get doc(): GraphDocument {
    return this.current;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
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
    this.undoStack.push({ label, patches: result.patches, inversePatches: result.inversePatches });
    if (this.undoStack.length > this.historyLimit) this.undoStack.shift();
    this.redoStack = [];
    this.set(result.doc, 'edit');
  }

  /** Replaces the document (open, import, restore) and clears the history. */
  load(doc: GraphDocument): void {
    this.undoStack = [];
    this.redoStack = [];
    this.set(doc, 'load');
  }

  /** Takes back the last edit; returns its label, or undefined when there is nothing to undo. */
  undo(): string | undefined {
    const entry = this.undoStack.pop();
    if (!entry) return undefined;
    this.redoStack.push(entry);
    this.set(applyPatches(this.current, entry.inversePatches), 'undo');
    return entry.label;
  }

  /** Re-applies the last undone edit; returns its label, or undefined when there is nothing to redo. */
  redo(): string | undefined {
    const entry = this.redoStack.pop();
    if (!entry) return undefined;
    this.undoStack.push(entry);
    this.set(applyPatches(this.current, entry.patches), 'redo');
    return entry.label;
  }

  private set(doc: GraphDocument, cause: ChangeCause): void {
    this.current = doc;
    for (const listener of this.listeners) listener(doc, cause);
  }
}
