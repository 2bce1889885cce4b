import { useSyncExternalStore } from 'react';
import type { EditResult, GraphDocument } from '@piagraph/graph-core';
import type { ServerMessage } from '../api/messages.js';
import { DocumentSession } from '../document/store.js';
import { emptyDocument } from '../document/edits.js';
import { revokeAll, revokeDropped } from '../store/run-store.js';
import { initialRunState, reduceRun, type LocalAction, type RunState } from '../store/run-state.js';
import type { EditorApp } from '../app/editor-app.js';
import { neighbourOf, reduceTabs, singleTab, tabLabel, type LibraryLink, type TabAction, type TabsState } from './tab-list.js';
import { readTabs, removeStaleTabDocuments, tabAutosaver, writeTabIndex, type Camera, type RestoredTabs } from './tab-storage.js';

/**
 * One open tab's own things. While the tab is shown, its session is the document store's and its run state lives
 * in the run store; in the background the tab keeps both here, and server events still reach its run state.
 */
export interface Tab {
  readonly id: string;
  readonly session: DocumentSession;
  /** The tab's run state while it is in the background (the run store holds it while the tab is shown). */
  runState: RunState;
  /** Where the camera was when the tab was last shown; undefined for a tab never shown (its graph's view is used). */
  camera?: Camera;
  selection: string[];
}

export function newTabId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A tab's label and state as the tab strip shows them. */
export interface TabView {
  id: string;
  label: string;
  dirty: boolean;
  active: boolean;
  library?: LibraryLink;
}

/**
 * The editor's open tabs: creating, showing and closing them, keeping each tab's graph, undo history, camera,
 * selection and run results apart, and keeping them all in the browser so a reload brings them back.
 */
export class Workspace {
  private state: TabsState;
  private readonly tabs = new Map<string, Tab>();
  private readonly listeners = new Set<() => void>();
  private views: TabView[] = [];
  private readonly autosave: ReturnType<typeof tabAutosaver>;
  /** Whether the tabs are written to storage yet (not before the stored ones have been read back). */
  private persisting = false;

  constructor(
    private readonly app: EditorApp,
    private readonly storage: Storage = localStorage,
  ) {
    // Until `restore`, the document store's own session is the one tab.
    const first: Tab = { id: newTabId(), session: app.docs.active, runState: initialRunState, selection: [] };
    this.tabs.set(first.id, first);
    this.state = singleTab(first.id);
    this.autosave = tabAutosaver(storage);
    app.docs.subscribe((doc, cause) => {
      if (cause !== 'switch' && this.persisting) this.autosave.save(this.state.active, doc, app.docs.dirty);
      this.changed();
    });
    const unload = () => this.persistNow();
    addEventListener('beforeunload', unload);
    addEventListener('pagehide', unload);
    this.changed();
  }

  get list(): TabsState {
    return this.state;
  }

  get active(): Tab {
    return this.tabs.get(this.state.active)!;
  }

  tab(id: string): Tab | undefined {
    return this.tabs.get(id);
  }

  /** The library graph a tab is tied to. */
  libraryOf(tab: Tab): LibraryLink | undefined {
    return this.state.tabs.find((t) => t.id === tab.id)?.library;
  }

  /** The tab strip's view of the tabs (a new array only when something it shows changed). */
  snapshot = (): readonly TabView[] => this.views;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Brings back the tabs of the last session (each graph with its unsaved-changes mark, camera, library link and
   * queued prompt ids) and shows the one shown then, or, when none are stored, opens `firstStart()` (the example).
   */
  async restore(firstStart: () => Promise<GraphDocument | undefined>): Promise<void> {
    const stored: RestoredTabs | undefined = readTabs(this.storage, newTabId);
    const placeholder = this.active;
    const fallback = stored ? undefined : await firstStart();
    this.tabs.clear();
    if (stored) {
      for (const t of stored.tabs) {
        const runState: RunState = t.owned ? { ...initialRunState, owned: t.owned } : initialRunState;
        this.tabs.set(t.id, { id: t.id, session: new DocumentSession(t.doc, 200, t.dirty), runState, ...(t.camera ? { camera: t.camera } : {}), selection: [] });
      }
      this.state = { active: stored.active, tabs: stored.tabs.map((t) => (t.library ? { id: t.id, library: t.library } : { id: t.id })) };
    } else {
      this.tabs.set(placeholder.id, { ...placeholder, session: new DocumentSession(fallback ?? emptyDocument()) });
      this.state = singleTab(placeholder.id);
    }
    const shown = this.active;
    this.app.leaveView();
    this.app.runs.swap(shown.runState);
    this.app.docs.swap(shown.session);
    this.placeCamera(shown);
    this.persisting = true;
    removeStaleTabDocuments(this.storage, new Set(this.tabs.keys()));
    for (const tab of this.tabs.values()) this.autosave.save(tab.id, tab.session.doc, tab.session.dirty);
    this.persistIndex();
    this.changed();
    await this.app.canvas.drawn();
  }

  /** The camera a tab had when it was last shown, else its graph's saved view, else an opening view of the graph. */
  private placeCamera(tab: Tab): void {
    if (tab.camera) this.app.handle.setCamera(tab.camera);
    else if (tab.session.doc.view) this.app.handle.setCamera(tab.session.doc.view);
    else this.app.canvas.openView();
  }

  /** Opens a new tab (an empty graph unless `session` holds one) after the shown one, and shows it. */
  async open(session = new DocumentSession(), library?: LibraryLink): Promise<Tab> {
    // The queue length is the server's, the same for every tab; the rest starts empty.
    const runState: RunState = { ...initialRunState, queueRemaining: this.app.runs.state.queueRemaining };
    const tab: Tab = { id: newTabId(), session, runState, selection: [] };
    this.tabs.set(tab.id, tab);
    // Stored at once: a tab left as it opened still comes back after a reload.
    if (this.persisting) this.autosave.save(tab.id, session.doc, session.dirty);
    await this.show(tab, { type: 'open', id: tab.id, ...(library ? { library } : {}) });
    return tab;
  }

  /** Shows another tab; the shown one keeps its camera, selection and run state for when it comes back. */
  async switchTo(id: string): Promise<void> {
    const tab = this.tabs.get(id);
    if (!tab || id === this.state.active) return;
    await this.show(tab, { type: 'activate', id });
  }

  /** Shows the tab `steps` to the right (negative: to the left), wrapping around. */
  async cycle(steps: number): Promise<void> {
    const ids = this.state.tabs.map((t) => t.id);
    const at = ids.indexOf(this.state.active);
    await this.switchTo(ids[(((at + steps) % ids.length) + ids.length) % ids.length]!);
  }

  /**
   * Closes a tab, after asking when its graph has unsaved changes (false when the user kept it). Closing the shown
   * tab shows its neighbour; closing the last tab leaves an empty one.
   */
  async close(id: string): Promise<boolean> {
    const tab = this.tabs.get(id);
    if (!tab) return false;
    if (tab.session.dirty) {
      const label = this.views.find((v) => v.id === id)?.label ?? 'This graph';
      if (!(await this.app.ask(`"${label}" has unsaved changes. Close it and lose them?`, 'Close without saving'))) return false;
    }
    if (id === this.state.active) {
      const next = neighbourOf(this.state, id);
      if (next) await this.switchTo(next);
      else await this.open();
    }
    revokeAll(tab.runState, this.app.runs.revoke);
    this.tabs.delete(id);
    this.autosave.forget(id);
    this.apply({ type: 'close', id, replacement: this.state.active });
    return true;
  }

  /** Ties a tab to a library graph (opened from or saved to it). */
  link(tab: Tab, library: LibraryLink | undefined): void {
    this.apply({ type: 'link', id: tab.id, library });
  }

  /** Records that a tab's graph was saved as it is now. */
  markSaved(tab: Tab): void {
    if (tab.id === this.state.active) this.app.docs.markSaved();
    else {
      tab.session.markSaved();
      this.autosave.save(tab.id, tab.session.doc, false);
      this.changed();
    }
  }

  /** Moves a tab in the strip. */
  move(id: string, to: number): void {
    this.apply({ type: 'move', id, to });
  }

  /** Whether the shown tab is an untouched empty graph, which an opened graph may take over instead of a new tab. */
  activeIsBlank(): boolean {
    const docs = this.app.docs;
    const doc = docs.doc;
    return !docs.dirty && !docs.canUndo && !docs.canRedo && Object.keys(doc.nodes).length === 0 && Object.keys(doc.groups ?? {}).length === 0 && !this.libraryOf(this.active);
  }

  /** Whether a tab is still open and holds the document it held when `loads` was read (no other graph opened into it). */
  holds(tab: Tab, loads: number): boolean {
    return this.tabs.get(tab.id) === tab && tab.session.loadCount === loads;
  }

  /**
   * Applies an edit to a tab's graph whether it is shown or not (a finished upload, the seed advance of a queued
   * prompt): the shown tab's through the document store, a background tab's in its own session, saved as well.
   */
  commitIn(tab: Tab, label: string, make: (doc: GraphDocument) => EditResult): void {
    if (tab.id === this.state.active) {
      this.app.edit(label, make);
      return;
    }
    try {
      if (tab.session.commit(label, make)) {
        this.autosave.save(tab.id, tab.session.doc, tab.session.dirty);
        this.changed();
      }
    } catch (e) {
      this.app.notify((e as Error).message, 'error');
    }
  }

  /** Reports a run event to one tab, shown or not. */
  dispatchIn(tab: Tab, action: ServerMessage | LocalAction): void {
    if (tab.id === this.state.active) this.app.runs.dispatch(action);
    else this.reduceBackground(tab, action);
    if (action.type === 'submitted' || action.type === 'rejected') this.persistIndex();
  }

  /** Reports a server event to every tab: each keeps what concerns the prompts it queued and ignores the rest. */
  broadcast(action: ServerMessage | LocalAction): void {
    for (const tab of this.tabs.values()) {
      if (tab.id === this.state.active) this.app.runs.dispatch(action);
      else this.reduceBackground(tab, action);
    }
  }

  private reduceBackground(tab: Tab, action: ServerMessage | LocalAction): void {
    const next = reduceRun(tab.runState, action);
    if (next === tab.runState) return;
    revokeDropped(tab.runState, next, this.app.runs.revoke);
    tab.runState = next;
  }

  /** Takes the shown tab's view away into its record, shows `tab` with its own, and applies `action`. */
  private async show(tab: Tab, action: TabAction): Promise<void> {
    const app = this.app;
    const leaving = this.active;
    app.leaveView();
    leaving.camera = app.handle.camera();
    leaving.selection = app.handle.selectedIds();
    this.state = reduceTabs(this.state, action);
    leaving.runState = app.runs.swap(tab.runState);
    app.docs.swap(tab.session);
    app.handle.select(tab.selection.filter((id) => tab.session.doc.nodes[id]));
    this.placeCamera(tab);
    this.persistIndex();
    this.changed();
    await app.canvas.drawn();
  }

  private apply(action: TabAction): void {
    this.state = reduceTabs(this.state, action);
    this.persistIndex();
    this.changed();
  }

  /** Writes the index now: order, shown tab, library links, cameras and each tab's queued prompt ids. */
  private persistIndex(): void {
    if (!this.persisting) return;
    const active = this.state.active;
    writeTabIndex(this.storage, {
      active,
      tabs: this.state.tabs.map((info) => {
        const tab = this.tabs.get(info.id);
        const camera = info.id === active ? this.app.handle.camera() : tab?.camera;
        const owned = info.id === active ? this.app.runs.state.owned : tab?.runState.owned;
        return { ...info, ...(camera ? { camera } : {}), ...(owned?.length ? { owned: [...owned] } : {}) };
      }),
    });
  }

  /** Everything pending goes to storage (the page is going away). */
  persistNow(): void {
    if (!this.persisting) return;
    this.autosave.flush();
    this.persistIndex();
  }

  private changed(): void {
    const views = this.state.tabs.map((info): TabView => {
      const tab = this.tabs.get(info.id)!;
      const active = info.id === this.state.active;
      const session = active ? this.app.docs.active : tab.session;
      return { id: info.id, label: tabLabel(info, session.doc.metadata.title), dirty: session.dirty, active, ...(info.library ? { library: info.library } : {}) };
    });
    const same =
      views.length === this.views.length &&
      views.every((v, i) => {
        const w = this.views[i]!;
        return v.id === w.id && v.label === w.label && v.dirty === w.dirty && v.active === w.active && v.library === w.library;
      });
    if (same) return;
    this.views = views;
    for (const listener of this.listeners) listener();
  }
}

/** Subscribes a component to the tab strip's view of the tabs. */
export function useTabs(workspace: Workspace): readonly TabView[] {
  return useSyncExternalStore(workspace.subscribe, workspace.snapshot);
}
