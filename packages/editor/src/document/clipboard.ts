import type { DocLink, DocNode, GraphDocument } from '@piagraph/graph-core';
import { addNode, composeEdits, connect, nextId, type EditResult } from './edits.js';

/** Copied nodes and the links among them, as put on the clipboard. */
export interface ClipboardData {
  format: 'piagraph-clipboard';
  nodes: DocNode[];
  links: DocLink[];
}

/** The selected nodes and the links that join two of them. */
export function copyNodes(doc: GraphDocument, ids: Iterable<string>): ClipboardData {
  const set = new Set(ids);
  const nodes = [...set].map((id) => doc.nodes[id]).filter((n): n is DocNode => Boolean(n));
  const links = Object.values(doc.links).filter((l) => set.has(l.source.node) && set.has(l.target.node));
  return { format: 'piagraph-clipboard', nodes, links };
}

/** Whether parsed JSON is clipboard data. */
export function isClipboardData(json: unknown): json is ClipboardData {
  return Boolean(json && typeof json === 'object' && (json as ClipboardData).format === 'piagraph-clipboard');
}

/**
 * Adds copies of clipboard nodes with fresh ids, shifted by `offset`, and re-creates their internal links, as one
 * edit. Returns the edit and the new ids (to select them).
 */
export function pasteNodes(
  doc: GraphDocument,
  data: ClipboardData,
  offset: { x: number; y: number },
): { result: EditResult; ids: string[] } {
  const nodeIds = Object.keys(doc.nodes);
  const linkIds = Object.keys(doc.links);
  const mapping = new Map<string, string>();
  const steps: ((d: GraphDocument) => EditResult)[] = [];
  for (const node of data.nodes) {
    const id = nextId(nodeIds);
    nodeIds.push(id);
    mapping.set(node.id, id);
    const copy: DocNode = {
      ...structuredClone(node),
      id,
      position: { x: node.position.x + offset.x, y: node.position.y + offset.y },
    };
    steps.push((d) => addNode(d, copy));
  }
  for (const link of data.links) {
    const source = mapping.get(link.source.node);
    const target = mapping.get(link.target.node);
    if (!source || !target) continue;
    const id = nextId(linkIds);
    linkIds.push(id);
    const copy: DocLink = { id, type: link.type, source: { ...link.source, node: source }, target: { ...link.target, node: target } };
    steps.push((d) => connect(d, copy));
  }
  return { result: composeEdits(doc, steps), ids: [...mapping.values()] };
}
