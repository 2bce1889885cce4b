/**
 * The minimap: every node as a dot-sized box and the view as a frame, scaled to fit a small canvas; a press or drag
 * on it centres the view there. Pure drawing and geometry; the controller wires it up.
 */
import { unionRects, type Point, type Rect } from './geometry.js';
import { prepareCanvas } from './painter.js';
import type { Scene } from './scene.js';

export const MINIMAP_SIZE = { width: 200, height: 130 };

/** How graph coordinates map onto the minimap: `mini = (graph - origin) * scale + pad`. */
export interface MinimapMapping {
  origin: Point;
  scale: number;
  pad: Point;
}

/** The mapping that fits `world` (the nodes and the view) into the minimap, centred. */
export function minimapMapping(world: Rect, size = MINIMAP_SIZE, margin = 6): MinimapMapping {
  const scale = Math.min((size.width - 2 * margin) / Math.max(1, world.width), (size.height - 2 * margin) / Math.max(1, world.height));
  return {
    origin: { x: world.x, y: world.y },
    scale,
    pad: { x: (size.width - world.width * scale) / 2, y: (size.height - world.height * scale) / 2 },
  };
}

/** The graph point under a minimap point. */
export function minimapToGraph(m: MinimapMapping, p: Point): Point {
  return { x: (p.x - m.pad.x) / m.scale + m.origin.x, y: (p.y - m.pad.y) / m.scale + m.origin.y };
}

/** The region the minimap shows: every node, with a margin (a fixed region while the view pans). */
export function minimapWorld(scene: Scene): Rect {
  const u = unionRects([...scene.rects()].map(([, r]) => r)) ?? { x: 0, y: 0, width: 1000, height: 600 };
  const m = Math.max(u.width, u.height) * 0.1 + 100;
  return { x: u.x - m, y: u.y - m, width: u.width + 2 * m, height: u.height + 2 * m };
}

/** Draws the minimap's nodes; returns the mapping used (for the view frame and the pointer handler). */
export function paintMinimap(canvas: HTMLCanvasElement, scene: Scene): MinimapMapping {
  const ctx = prepareCanvas(canvas, MINIMAP_SIZE.width, MINIMAP_SIZE.height);
  const m = minimapMapping(minimapWorld(scene));
  const map = (r: Rect) => [(r.x - m.origin.x) * m.scale + m.pad.x, (r.y - m.origin.y) * m.scale + m.pad.y, Math.max(1, r.width * m.scale), Math.max(1, r.height * m.scale)] as const;
  ctx.fillStyle = 'rgba(40, 40, 40, 0.85)';
  ctx.fillRect(0, 0, MINIMAP_SIZE.width, MINIMAP_SIZE.height);
  ctx.fillStyle = '#7a7a7a';
  let count = 0;
  for (const [, r] of scene.rects()) {
    ctx.fillRect(...map(r));
    count++;
  }
  if (canvas.dataset.nodes !== String(count)) canvas.dataset.nodes = String(count);
  return m;
}
