import type { DocLink, DocNode, GraphDocument } from '@piagraph/graph-core';
import type { SchemaMap } from '../defs/object-info.js';
import type { Point, Rect } from './geometry.js';
import { layoutNode, REROUTE, type NodeLayout } from './node-layout.js';

interface CachedLayout {
  node: DocNode;
  /** The links record the layout was checked against, and the node's linked inputs then. */
  links: GraphDocument['links'];
  linked: string;
  schemas: SchemaMap;
  layout: NodeLayout;
}

/**
 * The geometry of the open document: each node's layout (recomputed only when its record, its linked inputs or
 * the schemas change), rectangles and socket positions in graph coordinates, with the nodes being dragged shown
 * at their dragged positions before the document has them.
 */
export class Scene {
  private current: GraphDocument;
  private readonly layouts = new Map<string, CachedLayout>();
  private linkedByNode = new Map<string, string[]>();
  /** Each node's linked input names as one sorted key, for the layout cache. */
  private linkedKeys = new Map<string, string>();
  private linksOfNode = new Map<string, DocLink[]>();
  /** Offsets of nodes being dragged (graph units), applied over their document positions. */
  readonly dragOffsets = new Map<string, Point>();
  /** Heights of rendered nodes as drawn (run results make them taller than their layout). */
  readonly measuredHeights = new Map<string, number>();

  constructor(
    doc: GraphDocument,
    private readonly schemas: () => SchemaMap,
  ) {
    this.current = doc;
    this.index();
  }

  get doc(): GraphDocument {
    return this.current;
  }

  setDocument(doc: GraphDocument): void {
    if (doc === this.current) return;
    const linksChanged = doc.links !== this.current.links;
    this.current = doc;
    if (linksChanged) this.index();
    for (const id of this.layouts.keys()) if (!doc.nodes[id]) this.layouts.delete(id);
    for (const id of this.measuredHeights.keys()) if (!doc.nodes[id]) this.measuredHeights.delete(id);
  }

  private index(): void {
    this.linkedKeys = new Map();
    this.linkedByNode = new Map();
    this.linksOfNode = new Map();
    for (const link of Object.values(this.current.links)) {
      const list = this.linkedByNode.get(link.target.node);
      if (list) list.push(link.target.input);
      else this.linkedByNode.set(link.target.node, [link.target.input]);
      for (const id of [link.source.node, link.target.node]) {
        const own = this.linksOfNode.get(id);
        if (own) own.push(link);
        else this.linksOfNode.set(id, [link]);
      }
    }
    for (const [id, names] of this.linkedByNode) this.linkedKeys.set(id, names.slice().sort().join('\u0000'));
  }

  /** The links that start or end at a node. */
  linksOf(id: string): readonly DocLink[] {
    return this.linksOfNode.get(id) ?? [];
  }

  /** The names of a node's inputs that links feed. */
  linkedInputs(id: string): readonly string[] {
    return this.linkedByNode.get(id) ?? [];
  }

  /** A node's layout; cheap when nothing it depends on changed (it is read for every node on every frame). */
  layout(id: string): NodeLayout | undefined {
    const node = this.current.nodes[id];
    if (!node) return undefined;
    const schemas = this.schemas();
    const links = this.current.links;
    const cached = this.layouts.get(id);
    if (cached && cached.node === node && cached.schemas === schemas) {
      if (cached.links === links) return cached.layout;
      const linked = this.linkedKeys.get(id) ?? '';
      if (cached.linked === linked) {
        cached.links = links;
        return cached.layout;
      }
    }
    const layout = layoutNode(node, schemas.get(node.classType), new Set(this.linkedByNode.get(id) ?? []), this.linksOf(id));
    this.layouts.set(id, { node, links, linked: this.linkedKeys.get(id) ?? '', schemas, layout });
    return layout;
  }

  /** A node's top-left corner as drawn (its document position plus any drag offset). */
  position(id: string): Point | undefined {
    const node = this.current.nodes[id];
    if (!node) return undefined;
    const d = this.dragOffsets.get(id);
    return d ? { x: node.position.x + d.x, y: node.position.y + d.y } : node.position;
  }

  /** A node's rectangle as drawn, taller than its layout when its rendered results are. */
  rect(id: string): Rect | undefined {
    const at = this.position(id);
    const layout = this.layout(id);
    if (!at || !layout) return undefined;
    const measured = layout.collapsed ? 0 : (this.measuredHeights.get(id) ?? 0);
    return { x: at.x, y: at.y, width: layout.width, height: Math.max(layout.height, measured) };
  }

  /** Every node's rectangle. */
  *rects(): Iterable<[string, Rect]> {
    for (const id of Object.keys(this.current.nodes)) {
      const r = this.rect(id);
      if (r) yield [id, r];
    }
  }

  /** A socket's centre in graph coordinates: inputs on the node's left edge, outputs on its right. */
  socket(id: string, side: 'input' | 'output', key: string | number): Point | undefined {
    const at = this.position(id);
    const layout = this.layout(id);
    if (!at || !layout) return undefined;
    if (side === 'input') {
      const y = layout.inputs[String(key)];
      return y === undefined ? undefined : { x: at.x, y: at.y + y };
    }
    const y = layout.outputs[Number(key)];
    return y === undefined ? undefined : { x: at.x + layout.width, y: at.y + y };
  }

  /** The type a link carries, looking through reroutes (whose own output is untyped) to the real source. */
  linkType(link: DocLink): string {
    return this.outputType(link.source.node, link.source.output) ?? link.type;
  }

  /** The type an output carries; a reroute's is the type of what feeds it. */
  outputType(nodeId: string, output: number): string | undefined {
    const seen = new Set<string>();
    let id = nodeId;
    let index = output;
    while (!seen.has(id)) {
      seen.add(id);
      const node = this.current.nodes[id];
      if (!node) return undefined;
      if (node.classType !== REROUTE) return this.layout(id)?.outputTypes[index];
      const feed = this.linksOf(id).find((l) => l.target.node === id);
      if (!feed) return undefined;
      id = feed.source.node;
      index = feed.source.output;
    }
    return undefined;
  }
}
