import type { GraphDocument } from '@piagraph/graph-core';
import { conflictRevision, type LibraryGraph } from '../api/http.js';
import type { EditorApp } from '../app/editor-app.js';
import { documentFromJson } from '../document/import.js';
import type { Tab } from './workspace.js';

/** What the library dialog shows after an action: nothing (done, or the user said no), or an error sentence. */
export type LibraryOutcome = { ok: true } | { ok: false; message?: string };

/**
 * The server's graph library from the editor: opening a graph (or one of its older revisions) in a tab, saving the
 * shown tab to the graph it is tied to, and saving it under a name. Saves carry the revision the tab is based on,
 * so a newer revision saved elsewhere is never overwritten without the user saying so; refusals read as sentences.
 */
export class LibraryActions {
  constructor(private readonly app: EditorApp) {}

  /** Saves the shown tab to its library graph as a new revision; a tab tied to none asks for a name (the dialog). */
  async save(): Promise<void> {
    const tab = this.app.tabs.active;
    const link = this.app.tabs.libraryOf(tab);
    if (!link) {
      this.app.ui.update({ library: { saving: true } });
      return;
    }
    const outcome = await this.saveTab(tab, link.name, link.revision, (current) =>
      current === 0
        ? `"${link.name}" is no longer in the library. Save this graph there again under that name?`
        : `"${link.name}" was saved elsewhere after revision ${link.revision}, which this tab is based on; the library is at revision ${current} now. Replace it with this graph? Revision ${current} stays in its history.`,
    );
    if (!outcome.ok && outcome.message) this.app.notify(outcome.message, 'error');
  }

  /**
   * Saves the shown tab under `name`: a new library graph, or, after asking, a new revision of an existing one.
   * A refusal comes back as a sentence for the dialog.
   */
  async saveAs(name: string): Promise<LibraryOutcome> {
    const trimmed = name.trim();
    if (!trimmed) return { ok: false, message: 'Give the graph a name to save it under.' };
    const tab = this.app.tabs.active;
    const link = this.app.tabs.libraryOf(tab);
    // Under the name the tab is tied to, "save as" is a save based on the tab's revision.
    const base = link?.name === trimmed ? link.revision : undefined;
    // A refusal is shown by the dialog that asked for the name.
    return this.saveTab(tab, trimmed, base, (current) =>
      `A graph named "${trimmed}" is already in the library (revision ${current}). Replace it with this graph? Its earlier revisions stay in its history.`,
    );
  }

  /**
   * Saves a tab's graph as `name`, based on `base` (undefined: a name believed new). A refusal naming the
   * library's current revision (a newer save, an existing name) asks `question(current)` and, on yes, saves again
   * based on that revision.
   */
  private async saveTab(tab: Tab, name: string, base: number | undefined, question: (current: number) => string): Promise<LibraryOutcome> {
    const app = this.app;
    const loads = tab.session.loadCount;
    const doc = tab.session.doc;
    const body: GraphDocument = { ...doc, view: tab === app.tabs.active ? app.handle.camera() : (tab.camera ?? doc.view ?? { x: 0, y: 0, zoom: 1 }) };
    let saved: LibraryGraph;
    try {
      saved = await app.api.saveLibraryGraph(name, body, base);
    } catch (e) {
      const current = conflictRevision(e);
      if (current === undefined || (current === 0 && base === undefined)) return { ok: false, message: `Cannot save "${name}" to the library: ${(e as Error).message}` };
      if (!(await app.ask(question(current), current === 0 ? 'Save' : 'Replace'))) return { ok: false };
      try {
        saved = await app.api.saveLibraryGraph(name, body, current);
      } catch (again) {
        return { ok: false, message: `Cannot save "${name}" to the library: ${(again as Error).message}` };
      }
    }
    if (!app.tabs.holds(tab, loads)) {
      app.notify(`Saved "${name}" to the library (revision ${saved.revision}); its tab holds another graph now`, 'info');
      return { ok: true };
    }
    app.tabs.link(tab, { name: saved.name, revision: saved.revision, opened: saved.revision });
    // Edits made while the request was on its way are not in the saved revision: the tab stays unsaved then.
    if (tab.session.doc === doc) app.tabs.markSaved(tab);
    app.notify(`Saved "${saved.name}" to the library (revision ${saved.revision})`, 'info');
    return { ok: true };
  }

  /**
   * Opens a library graph in a tab: its current revision, or `revision` (an older one, opened to look at or to
   * restore: saving it makes it the newest revision). A tab already showing that revision is shown instead. A
   * failure comes back as a sentence for the dialog.
   */
  async open(name: string, revision?: number): Promise<LibraryOutcome> {
    const app = this.app;
    const what = revision === undefined ? `"${name}"` : `revision ${revision} of "${name}"`;
    try {
      const graph = await app.api.libraryGraph(name, revision);
      const current = revision === undefined ? graph.revision : ((await app.api.libraryRevisions(name)).at(-1)?.revision ?? graph.revision);
      const open = app.tabs.list.tabs.find((t) => t.library?.name === name && t.library.opened === graph.revision && t.library.revision === current);
      if (open) {
        await app.tabs.switchTo(open.id);
        return { ok: true };
      }
      const { doc, laidOut } = documentFromJson(graph.document, app.registry);
      await app.openDocument(doc, laidOut, revision === undefined ? `"${name}"` : `"${name}", revision ${graph.revision}`, {
        name,
        revision: current,
        opened: graph.revision,
      });
      return { ok: true };
    } catch (e) {
      // Shown by the library dialog the graph was picked in.
      return { ok: false, message: `Cannot open ${what}: ${(e as Error).message}` };
    }
  }
}
