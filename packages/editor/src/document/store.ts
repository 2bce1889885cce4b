import { produceWithPatches } from 'immer';
import { History, type EditResult, type GraphDocument } from '@piagraph/graph-core';
import { emptyDocument } from './edits.js';

/** Why the document changed, so listeners can tell user edits from loads and history moves. */
export type ChangeCause = 'edit' | 'undo' | 'redo' | 'load' | 'saved';

type Listener = (doc: GraphDocument, cause: ChangeCause) => void;

/**
 * The one place the open graph document lives. Every change is an edit result of graph-core's operations,
 * recorded in graph-core's patch `History`, or a load that starts a fresh history. The Rete view and every React
 * component read from here.
 *
 * Each state the document passes through gets a number, moved back and forth with undo and redo, so that "unsaved
 * changes" means "not the state last saved or opened", whatever path led there.
 */
export class DocumentStore {
  private current: GraphDocument;
  private readonly history: History;
  private loads = 0;
  private states = 0;
  private state = 0;
  private savedState = 0;
  private readonly undoStates: number[] = [];
  private readonly redoStates: number[] = [];
  private readonly listeners = new Set<Listener>();
  /** Edits made during an open group (one gesture), recorded as one undo step when it closes. */
  private group: { label: string; patches: EditResult['patches']; inverse: EditResult['inversePatches'][] } | undefined;

  constructor(
    initial: GraphDocument = emptyDocument(),
    private readonly historyLimit = 200,
  ) {
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

  /** Whether the document differs from the state last opened or saved (`markSaved`). */
  get dirty(): boolean {
    return this.state !== this.savedState;
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
    if (this.group) {
      // Shown at once, recorded when the gesture ends.
      this.group.label ||= label;
      this.group.patches.push(...result.patches);
      this.group.inverse.unshift(result.inversePatches);
      this.set(result.doc, 'edit');
      return;
    }
    this.record(label, result.patches, result.inversePatches);
    this.set(result.doc, 'edit');
  }

  /**
   * Starts collecting edits into one undo step: one user gesture (a wire dropped on an occupied input, which takes
   * the old link away and makes the new one) is one step however many edits carry it out. Closes a group left open.
   */
  beginGroup(label = ''): void {
    this.endGroup();
    this.group = { label, patches: [], inverse: [] };
  }

  /** Records the edits made since `beginGroup` as one undo step (none when there were none). */
  endGroup(): void {
    const group = this.group;
    this.group = undefined;
    if (!group || group.patches.length === 0) return;
    this.record(group.label, group.patches, group.inverse.flat());
    // Listeners already saw the document; only undo/redo availability and the dirty mark changed.
    for (const listener of this.listeners) listener(this.current, 'edit');
  }

  private record(label: string, patches: EditResult['patches'], inversePatches: EditResult['inversePatches']): void {
    this.history.record({ label, patches, inversePatches });
    this.undoStates.push(this.state);
    if (this.undoStates.length > this.historyLimit) this.undoStates.shift();
    this.redoStates.length = 0;
    this.state = ++this.states;
  }

  /** Replaces the whole document as one undoable edit (New): unlike `load`, undo brings the previous one back. */
  replace(label: string, doc: GraphDocument): void {
    this.commit(label, (current) => {
      const [next, patches, inversePatches] = produceWithPatches(current, () => doc);
      return { doc: next, patches, inversePatches };
    });
  }

  /**
   * Replaces the document (open, import, restore) and clears the history. `dirty` marks a document restored with
   * changes that were never saved (an autosave of edited work).
   */
  load(doc: GraphDocument, dirty = false): void {
    this.group = undefined;
    this.history.clear();
    this.undoStates.length = 0;
    this.redoStates.length = 0;
    this.loads++;
    this.state = ++this.states;
    this.savedState = dirty ? -1 : this.state;
    this.set(doc, 'load');
  }

  /** Records that the current document was saved. */
  markSaved(): void {
    this.savedState = this.state;
    for (const listener of this.listeners) listener(this.current, 'saved');
  }

  /** Takes back the last edit; false when there was nothing to undo. */
  undo(): boolean {
    this.endGroup();
    const doc = this.history.undo(this.current);
    if (!doc) return false;
    this.redoStates.push(this.state);
    this.state = this.undoStates.pop() ?? ++this.states;
    this.set(doc, 'undo');
    return true;
  }

  /** Re-applies the last undone edit; false when there was nothing to redo. */
  redo(): boolean {
    this.endGroup();
    const doc = this.history.redo(this.current);
    if (!doc) return false;
    this.undoStates.push(this.state);
    this.state = this.redoStates.pop() ?? ++this.states;
    this.set(doc, 'redo');
    return true;
  }

  private set(doc: GraphDocument, cause: ChangeCause): void {
    this.current = doc;
    for (const listener of this.listeners) listener(doc, cause);
  }
}
