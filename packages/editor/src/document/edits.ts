import { enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import type { DocGroup, EditResult, GraphDocument } from '@piagraph/graph-core';

/**
 * Edits the editor needs beyond graph-core's operations (`addNode`, `connect`, … which it uses directly): editor
 * extras on a node, grouping several edits into one undo step, and an empty document.
 */

enablePatches();

/** Sets an editor-only extra on a node (`ui.controlAfterGenerate`, …); execution never reads these. */
export function setNodeUi(doc: GraphDocument, nodeId: string, key: string, value: unknown): EditResult {
  const [next, patches, inversePatches] = produceWithPatches(doc, (d: Draft<GraphDocument>) => {
    const node = d.nodes[nodeId];
    if (node) node.ui = { ...(node.ui ?? {}), [key]: value };
  });
  return { doc: next, patches, inversePatches };
}

/**
 * Runs several edits as one: the document after the last, patches in order, inverse patches in reverse order,
 * so that one undo takes back the whole group.
 */
export function composeEdits(doc: GraphDocument, steps: readonly ((doc: GraphDocument) => EditResult)[]): EditResult {
  let current = doc;
  const patches: Patch[] = [];
  const inverse: Patch[][] = [];
  for (const step of steps) {
    const r = step(current);
    current = r.doc;
    patches.push(...r.patches);
    inverse.unshift(r.inversePatches);
  }
  return { doc: current, patches, inversePatches: inverse.flat() };
}

/** An empty document. */
export function emptyDocument(title = 'Untitled'): GraphDocument {
  return { format: 'piagraph', version: 1, metadata: { title }, nodes: {}, links: {} };
}

/** Sets (or, with `undefined`, removes) a node's drawn size. */
export function setNodeSize(doc: GraphDocument, nodeId: string, size: { width: number; height: number } | undefined): EditResult {
  const [next, patches, inversePatches] = produceWithPatches(doc, (d: Draft<GraphDocument>) => {
    const node = d.nodes[nodeId];
    if (!node) return;
    if (size) node.size = { width: size.width, height: size.height };
    else delete node.size;
  });
  return { doc: next, patches, inversePatches };
}

/** Sets an editor extra on several nodes at once (colour, collapsed, pinned); `undefined` removes it. */
export function setNodesUi(doc: GraphDocument, nodeIds: readonly string[], key: string, value: unknown): EditResult {
  const [next, patches, inversePatches] = produceWithPatches(doc, (d: Draft<GraphDocument>) => {
    for (const id of nodeIds) {
      const node = d.nodes[id];
      if (!node) continue;
      const ui = { ...(node.ui ?? {}) };
      if (value === undefined) delete ui[key];
      else ui[key] = value;
      if (Object.keys(ui).length) node.ui = ui;
      else delete node.ui;
    }
  });
  return { doc: next, patches, inversePatches };
}

/** The smallest unused positive integer id among `records`' keys. */
function nextId(records: Record<string, unknown> | undefined): string {
  let max = 0;
  for (const id of Object.keys(records ?? {})) {
    const n = Number(id);
    if (Number.isInteger(n) && n > max) max = n;
  }
  return String(max + 1);
}

/** Adds a group; returns its id too. */
export function addGroup(doc: GraphDocument, group: Omit<DocGroup, 'id'>): EditResult & { groupId: string } {
  const groupId = nextId(doc.groups);
  const [next, patches, inversePatches] = produceWithPatches(doc, (d: Draft<GraphDocument>) => {
    d.groups ??= {};
    d.groups[groupId] = { ...group, id: groupId, bounds: { ...group.bounds } };
  });
  return { doc: next, patches, inversePatches, groupId };
}

/** Changes a group's title, colour or bounds (a `color` of `undefined` removes it). */
export function updateGroup(doc: GraphDocument, groupId: string, change: Partial<Omit<DocGroup, 'id'>>): EditResult {
  const [next, patches, inversePatches] = produceWithPatches(doc, (d: Draft<GraphDocument>) => {
    const group = d.groups?.[groupId];
    if (!group) return;
    if (change.title !== undefined) group.title = change.title;
    if (change.bounds) group.bounds = { ...change.bounds };
    if ('color' in change) {
      if (change.color === undefined) delete group.color;
      else group.color = change.color;
    }
  });
  return { doc: next, patches, inversePatches };
}

/** Removes a group (its nodes stay). */
export function removeGroup(doc: GraphDocument, groupId: string): EditResult {
  const [next, patches, inversePatches] = produceWithPatches(doc, (d: Draft<GraphDocument>) => {
    if (!d.groups?.[groupId]) return;
    delete d.groups[groupId];
    if (Object.keys(d.groups).length === 0) delete d.groups;
  });
  return { doc: next, patches, inversePatches };
}

/** Moves a group and the nodes it holds by `delta`, as one edit. */
export function moveGroup(doc: GraphDocument, groupId: string, delta: { x: number; y: number }, nodeIds: readonly string[]): EditResult {
  const [next, patches, inversePatches] = produceWithPatches(doc, (d: Draft<GraphDocument>) => {
    const group = d.groups?.[groupId];
    if (!group) return;
    group.bounds.x += delta.x;
    group.bounds.y += delta.y;
    for (const id of nodeIds) {
      const node = d.nodes[id];
      if (node) node.position = { x: node.position.x + delta.x, y: node.position.y + delta.y };
    }
  });
  return { doc: next, patches, inversePatches };
}
