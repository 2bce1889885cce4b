/**
 * The wires near the rendered cards, as one SVG inside the cards' layer, in graph coordinates. It moves with the
 * camera as part of that layer, so a pan redraws nothing: the browser composites the layer at its new offset. The
 * paths are rebuilt only when the document, the rendered region, the selection or a drag changes them.
 */
import type { DocLink } from '@piagraph/graph-core';
import { socketColor } from '../defs/socket-types.js';
import { intersects, type Rect } from './geometry.js';
import type { Scene } from './scene.js';
import { wireBounds, wireMidpoint, wireShape, type LinkStyle, type WireShape } from './wire-path.js';

const SVG = 'http://www.w3.org/2000/svg';

/** The SVG path data of a wire shape. */
export function pathData(shape: WireShape): string {
  if (shape.kind === 'bezier') {
    const { p0, c1, c2, p3 } = shape;
    return `M${p0.x},${p0.y} C${c1.x},${c1.y} ${c2.x},${c2.y} ${p3.x},${p3.y}`;
  }
  return shape.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
}

interface Drawn {
  group: SVGGElement;
  path: SVGPathElement;
  handle: SVGCircleElement;
  key: string;
}

/** Keeps an `<svg>` of wires in step with the scene. */
export class WireSvg {
  readonly element: SVGSVGElement;
  private readonly drawn = new Map<string, Drawn>();

  constructor() {
    this.element = document.createElementNS(SVG, 'svg');
    this.element.setAttribute('class', 'pg-wire-svg');
    this.element.setAttribute('data-testid', 'wire-layer');
  }

  /** How many wires are drawn. */
  get count(): number {
    return this.drawn.size;
  }

  /**
   * Draws the links that reach into `region` (graph coordinates), highlighting those of `highlight`'s nodes and
   * leaving out `hidden` ones; links already drawn the same way are left alone.
   */
  update(scene: Scene, region: Rect, style: LinkStyle, highlight: ReadonlySet<string>, hidden: ReadonlySet<string>): void {
    const keep = new Set<string>();
    for (const link of Object.values(scene.doc.links)) {
      if (hidden.has(link.id)) continue;
      const shape = this.shape(scene, link, style);
      if (!shape || !intersects(wireBounds(shape), region)) continue;
      keep.add(link.id);
      const colour = socketColor(scene.linkType(link));
      const lit = highlight.has(link.source.node) || highlight.has(link.target.node);
      const d = pathData(shape);
      const key = `${d}|${colour}|${lit}`;
      const old = this.drawn.get(link.id);
      if (old?.key === key) continue;
      const drawn = old ?? this.create(link.id);
      drawn.key = key;
      drawn.path.setAttribute('d', d);
      drawn.path.style.stroke = colour;
      drawn.group.classList.toggle('pg-lit', lit);
      const mid = wireMidpoint(shape);
      drawn.handle.setAttribute('cx', String(mid.x));
      drawn.handle.setAttribute('cy', String(mid.y));
      drawn.handle.style.fill = colour;
    }
    for (const [id, d] of this.drawn) {
      if (keep.has(id)) continue;
      d.group.remove();
      this.drawn.delete(id);
    }
  }

  private shape(scene: Scene, link: DocLink, style: LinkStyle): WireShape | undefined {
    const a = scene.socket(link.source.node, 'output', link.source.output);
    const b = scene.socket(link.target.node, 'input', link.target.input);
    return a && b ? wireShape(a, b, style) : undefined;
  }

  private create(id: string): Drawn {
    const group = document.createElementNS(SVG, 'g');
    group.setAttribute('class', 'pg-wire');
    group.setAttribute('data-link-id', id);
    const path = document.createElementNS(SVG, 'path');
    const handle = document.createElementNS(SVG, 'circle');
    handle.setAttribute('r', '5');
    handle.setAttribute('class', 'pg-wire-handle');
    group.append(path, handle);
    this.element.append(group);
    const drawn = { group, path, handle, key: '' };
    this.drawn.set(id, drawn);
    return drawn;
  }

  clear(): void {
    for (const d of this.drawn.values()) d.group.remove();
    this.drawn.clear();
  }
}
