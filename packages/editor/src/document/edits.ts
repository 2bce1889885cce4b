import { enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import type { DocLink, DocNode, GraphDocument, LiteralValue, NodeMode } from '@piagraph/graph-core';

/**
 * Edit operations on the graph document, each returning the new document and immer patches both ways.
 *
 * graph-core's edit operations (`addNode`, `connect`, … with the same `{ doc, patches, inversePatches }` result)
 * have not landed yet; these keep the same names and shape so that switching to them is an import change.
 */

enablePatches();

/** The result of one edit: the next document and the patches that lead to it and back. */
export interface EditResult {
  doc: GraphDocument;
  patches: Patch[];
  inversePatches: Patch[];
}

function edit(doc: GraphDocument, recipe: (draft: Draft<GraphDocument>) => void): EditResult {
  const [next, patches, inversePatches] = produceWithPatches(doc, recipe);
  return { doc: next, patches, inversePatches };
}

/** Adds a node (its id must be free). */
export function addNode(doc: GraphDocument, node: DocNode): EditResult {
  return edit(doc, (d) => {
    d.nodes[node.id] = node as Draft<DocNode>;
  });
}

/** Removes a node and every link into or out of it. */
export function removeNode(doc: GraphDocument, nodeId: string): EditResult {
  return edit(doc, (d) => {
    delete d.nodes[nodeId];
    for (const [id, link] of Object.entries(d.links)) {
      if (link.source.node === nodeId || link.target.node === nodeId) delete d.links[id];
    }
  });
}

/** Links an output to an input, replacing the input's previous link (an input takes one link). */
export function connect(doc: GraphDocument, link: DocLink): EditResult {
  return edit(doc, (d) => {
    for (const [id, l] of Object.entries(d.links)) {
      if (l.target.node === link.target.node && l.target.input === link.target.input) delete d.links[id];
    }
    d.links[link.id] = link as Draft<DocLink>;
  });
}

/** Removes one link. */
export function disconnect(doc: GraphDocument, linkId: string): EditResult {
  return edit(doc, (d) => {
    delete d.links[linkId];
  });
}

/** Sets one widget value. */
export function setValue(doc: GraphDocument, nodeId: string, input: string, value: LiteralValue): EditResult {
  return edit(doc, (d) => {
    const node = d.nodes[nodeId];
    if (node) node.values[input] = value as Draft<LiteralValue>;
  });
}

/** Moves nodes to absolute positions. */
export function moveNodes(doc: GraphDocument, positions: Record<string, { x: number; y: number }>): EditResult {
  return edit(doc, (d) => {
    for (const [id, p] of Object.entries(positions)) {
      const node = d.nodes[id];
      if (node) node.position = { x: p.x, y: p.y };
    }
  });
}

/** Renames a node; an empty title falls back to the class's display name. */
export function setTitle(doc: GraphDocument, nodeId: string, title: string): EditResult {
  return edit(doc, (d) => {
    const node = d.nodes[nodeId];
    if (!node) return;
    if (title) node.title = title;
    else delete node.title;
  });
}

/** Sets whether a node runs, is muted, or is bypassed. */
export function setMode(doc: GraphDocument, nodeId: string, mode: NodeMode): EditResult {
  return edit(doc, (d) => {
    const node = d.nodes[nodeId];
    if (!node) return;
    if (mode === 'active') delete node.mode;
    else node.mode = mode;
  });
}

/** Sets an editor-only extra on a node (`ui.seedControl`, …). */
export function setNodeUi(doc: GraphDocument, nodeId: string, key: string, value: unknown): EditResult {
  return edit(doc, (d) => {
    const node = d.nodes[nodeId];
    if (!node) return;
    node.ui = { ...(node.ui ?? {}), [key]: value };
  });
}

/** Replaces the editor camera stored in the document. */
export function setView(doc: GraphDocument, view: { x: number; y: number; zoom: number }): EditResult {
  return edit(doc, (d) => {
    d.view = view;
  });
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

/** The smallest numeric id above every numeric id in `ids` (ComfyUI tools expect numeric node ids). */
export function nextId(ids: Iterable<string>): string {
  let max = 0;
  for (const id of ids) {
    const n = Number(id);
    if (Number.isInteger(n) && n > max) max = n;
  }
  return String(max + 1);
}
