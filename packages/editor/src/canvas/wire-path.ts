/**
 * The shape of a wire from an output socket to an input socket, in any coordinate system (graph or screen): the
 * path's points for drawing, its bounding box for culling, and its midpoint for the link's handle. Pure.
 */
import type { Point, Rect } from './geometry.js';

/** How wires are drawn (a setting): curves, straight lines with short stubs, or right angles. */
export type LinkStyle = 'spline' | 'linear' | 'straight';

export const LINK_STYLES: readonly LinkStyle[] = ['spline', 'linear', 'straight'];

/** Length of the horizontal stubs at both ends of `linear` and `straight` wires. */
const STUB = 20;

/** A wire as drawing commands: a cubic Bézier (`spline`) or a polyline. */
export type WireShape = { kind: 'bezier'; p0: Point; c1: Point; c2: Point; p3: Point } | { kind: 'polyline'; points: Point[] };

/** The wire from `from` (an output, leaving rightwards) to `to` (an input, entered from the left). */
export function wireShape(from: Point, to: Point, style: LinkStyle, scale = 1): WireShape {
  if (style === 'spline') {
    // Handles grow with the distance so long wires stay smooth, like litegraph's splines.
    const d = Math.max(30 * scale, Math.hypot(to.x - from.x, to.y - from.y) * 0.35);
    return { kind: 'bezier', p0: from, c1: { x: from.x + d, y: from.y }, c2: { x: to.x - d, y: to.y }, p3: to };
  }
  const stub = STUB * scale;
  const a = { x: from.x + stub, y: from.y };
  const b = { x: to.x - stub, y: to.y };
  if (style === 'linear') return { kind: 'polyline', points: [from, a, b, to] };
  const midX = (a.x + b.x) / 2;
  if (b.x >= a.x) return { kind: 'polyline', points: [from, { x: midX, y: from.y }, { x: midX, y: to.y }, to] };
  // Going backwards: out, down (or up) halfway, back across, and in.
  const midY = (from.y + to.y) / 2;
  return { kind: 'polyline', points: [from, a, { x: a.x, y: midY }, { x: b.x, y: midY }, b, to] };
}

/** The point at parameter `t` (0…1) of a cubic Bézier. */
export function bezierPoint(p0: Point, c1: Point, c2: Point, p3: Point, t: number): Point {
  const u = 1 - t;
  const a = u * u * u;
  const b = 3 * u * u * t;
  const c = 3 * u * t * t;
  const d = t * t * t;
  return { x: a * p0.x + b * c1.x + c * c2.x + d * p3.x, y: a * p0.y + b * c1.y + c * c2.y + d * p3.y };
}

/** The middle of a wire (where its handle is drawn). */
export function wireMidpoint(shape: WireShape): Point {
  if (shape.kind === 'bezier') return bezierPoint(shape.p0, shape.c1, shape.c2, shape.p3, 0.5);
  const pts = shape.points;
  let total = 0;
  for (let i = 1; i < pts.length; i++) total += Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y);
  let left = total / 2;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len >= left && len > 0) return { x: a.x + ((b.x - a.x) * left) / len, y: a.y + ((b.y - a.y) * left) / len };
    left -= len;
  }
  return pts[pts.length - 1]!;
}

/** A box holding the whole wire (a Bézier lies inside the hull of its control points). */
export function wireBounds(shape: WireShape): Rect {
  const pts = shape.kind === 'bezier' ? [shape.p0, shape.c1, shape.c2, shape.p3] : shape.points;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of pts) {
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Traces the wire on a 2D context (a path the caller strokes). */
export function traceWire(ctx: CanvasRenderingContext2D, shape: WireShape): void {
  if (shape.kind === 'bezier') {
    ctx.moveTo(shape.p0.x, shape.p0.y);
    ctx.bezierCurveTo(shape.c1.x, shape.c1.y, shape.c2.x, shape.c2.y, shape.p3.x, shape.p3.y);
    return;
  }
  const [first, ...rest] = shape.points;
  ctx.moveTo(first!.x, first!.y);
  for (const p of rest) ctx.lineTo(p.x, p.y);
}
