import type { DocLink } from '@piagraph/graph-core';
import type { Point } from '../canvas/geometry.js';
import { DEFAULT_GROUP_COLOUR, groupAround, nodesInGroup, NODE_COLOURS } from '../canvas/groups.js';
import { NOTE, REROUTE } from '../canvas/node-layout.js';
import { linkShape } from '../canvas/painter.js';
import { wireMidpoint } from '../canvas/wire-path.js';
import { categoryTree, type CategoryTree, type NodeSchema } from '../defs/object-info.js';
import { addGroup, composeEdits, removeGroup, setNodesUi, updateGroup } from '../document/edits.js';
import type { EditorApp } from './editor-app.js';
import type { MenuItem } from './ui-store.js';

export type MenuTarget = { kind: 'node'; id: string } | { kind: 'group'; id: string } | { kind: 'link'; link: DocLink } | { kind: 'canvas' };

function categoryItems(tree: CategoryTree, add: (schema: NodeSchema) => void): MenuItem[] {
  const items: MenuItem[] = tree.children.map((child) => ({ label: child.name, key: `category:${child.path}`, items: categoryItems(child, add) }));
  for (const schema of tree.nodes) items.push({ label: schema.displayName, key: `node:${schema.classType}`, action: () => add(schema) });
  return items;
}

function colourItems(apply: (name: string | undefined) => void): MenuItem[] {
  return [
    { label: 'No colour', key: 'colour:none', action: () => apply(undefined) },
    ...Object.keys(NODE_COLOURS).map((name) => ({ label: name.replace('_', ' '), key: `colour:${name}`, action: () => apply(name) })),
  ];
}

/** The context menu for a node (acting on the whole selection), a group, a link handle or the empty canvas. */
export function contextMenuItems(app: EditorApp, target: MenuTarget, at: Point): MenuItem[] {
  switch (target.kind) {
    case 'node':
      return nodeItems(app, target.id);
    case 'group':
      return groupItems(app, target.id);
    case 'link':
      return linkItems(app, target.link);
    case 'canvas':
      return canvasItems(app, at);
  }
}

function nodeItems(app: EditorApp, id: string): MenuItem[] {
  const doc = app.docs.doc;
  const ids = app.canvas.selection.has(id) ? [...app.canvas.selection] : [id];
  const node = doc.nodes[id]!;
  const collapsed = node.ui?.['collapsed'] === true;
  const pinned = node.ui?.['pinned'] === true;
  return [
    { label: 'Rename', key: 'rename', action: () => app.canvas.setRenaming(id) },
    { label: collapsed ? 'Expand' : 'Collapse', key: 'collapse', action: () => app.setCollapsed(ids, !collapsed) },
    { label: pinned ? 'Unpin' : 'Pin', key: 'pin', action: () => app.setPinned(ids, !pinned) },
    {
      label: 'Colour',
      key: 'colour',
      items: colourItems((name) =>
        app.edit('Colour', (d) =>
          composeEdits(d, [
            (x) => setNodesUi(x, ids, 'color', name ? NODE_COLOURS[name]!.color : undefined),
            (x) => setNodesUi(x, ids, 'bgcolor', name ? NODE_COLOURS[name]!.bgcolor : undefined),
          ]),
        ),
      ),
    },
    { label: 'Bypass', key: 'bypass', action: () => app.toggleMode(ids, 'bypassed') },
    { label: 'Mute', key: 'mute', action: () => app.toggleMode(ids, 'muted') },
    { label: 'Duplicate', key: 'duplicate', action: () => app.duplicate(ids) },
    { label: ids.length > 1 ? `Group ${ids.length} nodes` : 'Add group around', key: 'group', action: () => app.groupNodes(ids) },
    { label: 'Delete', key: 'delete', action: () => app.removeNodes(ids) },
  ];
}

function groupItems(app: EditorApp, id: string): MenuItem[] {
  const group = app.docs.doc.groups?.[id];
  if (!group) return [];
  return [
    { label: 'Rename', key: 'rename', action: () => app.canvas.setRenamingGroup(id) },
    {
      label: 'Colour',
      key: 'colour',
      items: colourItems((name) => app.edit('Group colour', (d) => updateGroup(d, id, { color: name ? NODE_COLOURS[name]!.groupcolor : undefined }))),
    },
    {
      label: 'Fit to its nodes',
      key: 'fit',
      action: () => {
        const inside = nodesInGroup(group.bounds, app.canvas.scene.rects());
        const bounds = groupAround(inside.map((n) => app.canvas.scene.rect(n)!));
        if (bounds) app.edit('Fit group', (d) => updateGroup(d, id, { bounds }));
      },
    },
    { label: 'Select its nodes', key: 'select', action: () => app.handle.select(nodesInGroup(group.bounds, app.canvas.scene.rects())) },
    { label: 'Remove group', key: 'remove', action: () => app.edit('Remove group', (d) => removeGroup(d, id)) },
  ];
}

function linkItems(app: EditorApp, link: DocLink): MenuItem[] {
  return [
    {
      label: 'Add reroute',
      key: 'reroute',
      action: () => {
        const shape = linkShape(app.canvas.scene, link, { x: 0, y: 0, k: 1 }, app.canvas.settings.linkStyle);
        const mid = shape ? wireMidpoint(shape) : { x: 0, y: 0 };
        app.insertReroute(link.id, { x: mid.x - 38, y: mid.y - 13 });
      },
    },
    { label: 'Delete link', key: 'delete', action: () => app.disconnect(link.id) },
  ];
}

function canvasItems(app: EditorApp, at: Point): MenuItem[] {
  const tree = categoryTree(app.schemas.values());
  const selected = [...app.canvas.selection];
  return [
    { label: 'Add node', key: 'add', items: categoryItems(tree, (s) => app.addNode(s, at)) },
    { label: 'Add note', key: 'note', action: () => app.addFrontendNode(NOTE, at) },
    { label: 'Add reroute', key: 'reroute', action: () => app.addFrontendNode(REROUTE, at) },
    {
      label: selected.length ? `Add group around ${selected.length} selected` : 'Add group',
      key: 'group',
      action: () =>
        selected.length
          ? app.groupNodes(selected)
          : app.edit('Add group', (d) => addGroup(d, { title: 'Group', bounds: { x: at.x, y: at.y, width: 400, height: 300 }, color: DEFAULT_GROUP_COLOUR })),
    },
    { label: 'Arrange', key: 'arrange', action: () => void app.arrange() },
    { label: 'Fit view', key: 'fit', action: () => void app.handle.zoomToFit() },
  ];
}
