import * as core from '@piagraph/graph-core';
import type { CanvasActions } from '../canvas/gestures.js';
import { composeEdits, moveGroup, setNodeSize, updateGroup } from '../document/edits.js';
import type { EditorApp } from './editor-app.js';
import { contextMenuItems } from './menus.js';

/** The canvas gestures' requests, as edits of the open document or as UI (search, menus). */
export function canvasActions(app: EditorApp): CanvasActions {
  return {
    moveNodes: (positions) => app.edit('Move', (d) => core.moveNodes(d, positions)),
    connect: (request) => app.connect(request),
    relink: (linkId, request) =>
      app.edit('Move link', (d) => composeEdits(d, [(x) => core.disconnect(x, linkId), (x) => core.connect(x, app.registry, request)])),
    disconnect: (linkId) => app.disconnect(linkId),
    wireDropped: (client, graph, wire) => app.ui.update({ search: { client, graph, wire } }),
    doubleClickCanvas: (client, graph) => app.ui.update({ search: { client, graph } }),
    renameNode: (id) => app.canvas.setRenaming(id),
    renameGroup: (id) => app.canvas.setRenamingGroup(id),
    contextMenu: (client, graph, target) => app.ui.update({ menu: { client, items: contextMenuItems(app, target, graph) } }),
    resizeNode: (id, size) => app.edit('Resize', (d) => setNodeSize(d, id, size)),
    moveGroup: (id, delta, nodeIds) => app.edit('Move group', (d) => moveGroup(d, id, delta, nodeIds)),
    resizeGroup: (id, bounds) => app.edit('Resize group', (d) => updateGroup(d, id, { bounds })),
    gesture: (phase) => (phase === 'start' ? app.docs.beginGroup() : app.docs.endGroup()),
  };
}
