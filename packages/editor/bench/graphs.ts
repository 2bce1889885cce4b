import { readFileSync } from 'node:fs';
import type { DocLink, DocNode, GraphDocument } from '@piagraph/graph-core';

const COPIES_PER_ROW = 6;
const EXAMPLE = new URL('../../../examples/pia-image-to-video.json', import.meta.url);

/**
 * Copies of the PIA example graph (9 nodes, 12 links each) on a grid until there are `count` nodes; the last
 * copy is cut short and keeps only the links between the nodes it has. The camera is saved at the origin, zoom 1,
 * so that the editor opens it there rather than fitting the whole graph (the litegraph page starts there too).
 */
export function generateGraph(count: number): GraphDocument {
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as GraphDocument;
  const exampleNodes = Object.values(example.nodes);
  const nodes: Record<string, DocNode> = {};
  const links: Record<string, DocLink> = {};
  for (let copy = 0; Object.keys(nodes).length < count; copy++) {
    const id = (old: string) => String(copy * 100 + Number(old));
    const dx = (copy % COPIES_PER_ROW) * 2000;
    const dy = Math.floor(copy / COPIES_PER_ROW) * 1000;
    for (const node of exampleNodes.slice(0, count - Object.keys(nodes).length)) {
      nodes[id(node.id)] = { ...node, id: id(node.id), position: { x: node.position.x + dx, y: node.position.y + dy } };
    }
    for (const link of Object.values(example.links)) {
      const [source, target] = [id(link.source.node), id(link.target.node)];
      if (!nodes[source] || !nodes[target]) continue;
      const linkId = id(link.id);
      links[linkId] = { ...link, id: linkId, source: { ...link.source, node: source }, target: { ...link.target, node: target } };
    }
  }
  return { format: 'piagraph', version: 1, metadata: { title: `${count} nodes` }, nodes, links, view: { x: 0, y: 0, zoom: 1 } };
}
