import { addNode, connect, type DocLink, type DocNode, type EditResult, type GraphDocument, type NodeRegistry } from '@piagraph/graph-core';
import { composeEdits } from './edits.js';

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
 * edit. Links graph-core refuses (a class the server no longer has) are left out. Returns the new ids too.
 */
export function pasteNodes(
  doc: GraphDocument,
  data: ClipboardData,
  offset: { x: number; y: number },
  registry: NodeRegistry,
): { result: EditResult; ids: string[] } {
  const mapping = new Map<string, string>();
  const steps: ((d: GraphDocument) => EditResult)[] = [];
  for (const node of data.nodes) {
    const { id: _old, ...rest } = node;
    steps.push((d) => {
      const r = addNode(d, { ...rest, position: { x: node.position.x + offset.x, y: node.position.y + offset.y } });
      mapping.set(node.id, r.nodeId);
      return r;
    });
  }
  for (const link of data.links) {
    steps.push((d) => {
      const source = mapping.get(link.source.node)!;
      const target = mapping.get(link.target.node)!;
      try {
        return connect(d, registry, { source: { ...link.source, node: source }, target: { ...link.target, node: target } });
      } catch {
        return { doc: d, patches: [], inversePatches: [] };
      }
    });
  }
  const result = composeEdits(doc, steps);
  return { result, ids: [...mapping.values()] };
}
