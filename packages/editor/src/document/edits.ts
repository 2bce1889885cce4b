import { enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import type { EditResult, GraphDocument } from '@piagraph/graph-core';

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
