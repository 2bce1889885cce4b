/**
 * Auto-arrange with ELK's layered algorithm: sources on the left, links flowing right, each link attached to the
 * socket it uses (fixed port positions from the node layout), so wires cross as little as ELK can manage. ELK is
 * most of the bundle's weight: this module is loaded on the first arrange, not with the page.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { Point } from './geometry.js';
import type { Scene } from './scene.js';

interface ElkPort {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  layoutOptions: Record<string, string>;
}

/** New positions for every node of the scene's document (not yet in the document). */
export async function arrangeNodes(scene: Scene): Promise<Record<string, Point>> {
  const doc = scene.doc;
  const children = Object.keys(doc.nodes).map((id) => {
    const rect = scene.rect(id)!;
    const layout = scene.layout(id)!;
    const ports: ElkPort[] = [];
    for (const [name, y] of Object.entries(layout.inputs)) {
      ports.push({ id: `${id}\u0000i\u0000${name}`, x: 0, y, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'WEST' } });
    }
    layout.outputs.forEach((y, i) => {
      ports.push({ id: `${id}\u0000o\u0000${i}`, x: rect.width, y, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'EAST' } });
    });
    return { id, width: rect.width, height: rect.height, ports, layoutOptions: { 'elk.portConstraints': 'FIXED_POS' } };
  });
  const edges = Object.values(doc.links).map((l) => ({
    id: l.id,
    sources: [`${l.source.node}\u0000o\u0000${l.source.output}`],
    targets: [`${l.target.node}\u0000i\u0000${l.target.input}`],
  }));
  const elk = new ELK();
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
      'elk.edgeRouting': 'POLYLINE',
    },
    children,
    edges,
  });
  const positions: Record<string, Point> = {};
  for (const child of graph.children ?? []) positions[child.id] = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) };
  return positions;
}
