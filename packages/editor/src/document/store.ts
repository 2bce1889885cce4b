import { produceWithPatches } from 'immer';
import { History, type EditResult, type GraphDocument } from '@piagraph/graph-core';
import { emptyDocument } from './edits.js';

/**
 * Why the document changed, so listeners can tell user edits from loads and history moves. `switch` is another
 * session (another tab) taking the store's place.
 */
export type ChangeCause = 'edit' | 'undo' | 'redo' | 'load' | 'saved' | 'switch';

type Listener = (doc: GraphDocument, cause: ChangeCause) => void;

/**
 * One open graph with its own undo history and "unsaved changes" bookkeeping: what a tab holds. Every change is an
 * edit result of graph-core's operations, recorded in graph-core's patch `History`, or a load that starts a fresh
 * history. A session works on its own, so a tab in the background can still take an edit (a finished upload, a seed
 * advance of a prompt it queued); `DocumentStore` shows one session at a time and tells the UI about its changes.
 *
 * Each state the document passes through gets a number, moved back and forth with undo and redo, so that "unsaved
 * changes" means "not the state last saved or opened", whatever path led there.
 */
export class DocumentSession {
  private current: GraphDocument;
  private readonly history: History;
  private loads = 0;
  private states = 0;
  private state = 0;
  private savedState = 0;
  private readonly undoStates: number[] = [];
  private readonly redoStates: number[] = [];
  /** Edits made during an open group (one gesture), recorded as one undo step when it closes. */
  private group: { label: string; patches: EditResult['patches']; inverse: EditResult['inversePatches'][] } | undefined;

  constructor(
    initial: GraphDocument = emptyDocument(),
    private readonly historyLimit = 200,
    dirty = false,
  ) {
    this.current = initial;
    this.history = new History(historyLimit);
    if (dirty) this.savedState = -1;
  }

  get doc(): GraphDocument {
    return this.current;
  }

  /** How many times a document was loaded into this session (an edit begun before a load belongs to the old one). */
  get loadCount(): number {
    return this.loads;
  }

  get dirty(): boolean {
    return this.state !== this.savedState;
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    return this.history.canRedo;
  }

  /** Applies an edit; false when it changed nothing (and was dropped). */
  commit(label: string, make: (doc: GraphDocument) => EditResult): boolean {
    const result = make(this.current);
    if (result.patches.length === 0) return false;
    if (this.group) {
      // Shown at once, recorded when the gesture ends.
      this.group.label ||= label;
      this.group.patches.push(...result.patches);
      this.group.inverse.unshift(result.inversePatches);
    } else {
      this.record(label, result.patches, result.inversePatches);
    }
    this.current = result.doc;
    return true;
  }

  /** Opens a group; true when closing a group left open recorded an undo step. */
  beginGroup(label: string): boolean {
    const recorded = this.endGroup();
    this.group = { label, patches: [], inverse: [] };
    return recorded;
  }

  /** Closes the open group; true when it held edits (now one undo step). */
  endGroup(): boolean {
    const group = this.group;
    this.group = undefined;
    if (!group || group.patches.length === 0) return false;
    this.record(group.label, group.patches, group.inverse.flat());
    return true;
  }

  private record(label: string, patches: EditResult['patches'], inversePatches: EditResult['inversePatches']): void {
    this.history.record({ label, patches, inversePatches });
    this.undoStates.push(this.state);
    if (this.undoStates.length > this.historyLimit) this.undoStates.shift();
    this.redoStates.length = 0;
    this.state = ++this.states;
  }

  load(doc: GraphDocument, dirty: boolean): void {
    this.group = undefined;
    this.history.clear();
    this.undoStates.length = 0;
    this.redoStates.length = 0;
    this.loads++;
    this.state = ++this.states;
    this.savedState = dirty ? -1 : this.state;
    this.current = doc;
  }

  markSaved(): void {
    this.savedState = this.state;
  }

  undo(): boolean {
    this.endGroup();
    const doc = this.history.undo(this.current);
    if (!doc) return false;
    this.redoStates.push(this.state);
    this.state = this.undoStates.pop() ?? ++this.states;
    this.current = doc;
    return true;
  }

  redo(): boolean {
    this.endGroup();
    const doc = this.history.redo(this.current);
    if (!doc) return false;
    this.undoStates.push(this.state);
    this.state = this.redoStates.pop() ?? ++this.states;
    this.current = doc;
    return true;
  }
}

/**
 * The one place the UI reads the open graph from: it shows one `DocumentSession` (the active tab's) and tells its
 * listeners about every change, including another session taking its place (`swap`). The canvas and every React
 * component read from here.
 */
export class DocumentStore {
  private session: DocumentSession;
  private shown = 0;
  private readonly listeners = new Set<Listener>();

  constructor(initial: GraphDocument | DocumentSession = emptyDocument(), historyLimit = 200) {
    this.session = initial instanceof DocumentSession ? initial : new DocumentSession(initial, historyLimit);
  }

  /** The current document (immutable; a new object after every change). */
  get doc(): GraphDocument {
    return this.session.doc;
  }

  /** The session shown now. */
  get active(): DocumentSession {
    return this.session;
  }

  /**
   * Counts the documents shown so far (every `load` and every `swap`). A widget edit started under one generation
   * belongs to that document: the app drops it when another document has been shown since, and widgets remount
   * per generation so no text typed into one graph survives into the next.
   */
  get generation(): number {
    return this.shown;
  }

  /** Whether the document differs from the state last opened or saved (`markSaved`). */
  get dirty(): boolean {
    return this.session.dirty;
  }

  get canUndo(): boolean {
    return this.session.canUndo;
  }

  get canRedo(): boolean {
    return this.session.canRedo;
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies an edit computed from the current document and records it for undo. Empty edits are dropped. */
  commit(label: string, make: (doc: GraphDocument) => EditResult): void {
    if (this.session.commit(label, make)) this.emit('edit');
  }

  /**
   * Starts collecting edits into one undo step: one user gesture (a wire dropped on an occupied input, which takes
   * the old link away and makes the new one) is one step however many edits carry it out. Closes a group left open.
   */
  beginGroup(label = ''): void {
    if (this.session.beginGroup(label)) this.emit('edit');
  }

  /** Records the edits made since `beginGroup` as one undo step (none when there were none). */
  endGroup(): void {
    // Listeners already saw the document; only undo/redo availability and the dirty mark changed.
    if (this.session.endGroup()) this.emit('edit');
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
    this.session.load(doc, dirty);
    this.shown++;
    this.emit('load');
  }

  /** Records that the current document was saved. */
  markSaved(): void {
    this.session.markSaved();
    this.emit('saved');
  }

  /**
   * Shows another session (another tab) in place of the current one, which is returned untouched apart from a
   * gesture group left open, which is closed first so its edits stay one undo step of their own graph.
   */
  swap(next: DocumentSession): DocumentSession {
    const previous = this.session;
    previous.endGroup();
    this.session = next;
    this.shown++;
    this.emit('switch');
    return previous;
  }

  /** Takes back the last edit; false when there was nothing to undo. */
  undo(): boolean {
    const done = this.session.undo();
    if (done) this.emit('undo');
    return done;
  }

  /** Re-applies the last undone edit; false when there was nothing to redo. */
  redo(): boolean {
    const done = this.session.redo();
    if (done) this.emit('redo');
    return done;
  }

  private emit(cause: ChangeCause): void {
    for (const listener of this.listeners) listener(this.session.doc, cause);
  }
}
