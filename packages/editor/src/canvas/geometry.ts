/** Points, rectangles and the camera transform shared by the canvas modules. Pure. */

/** A point in screen (canvas-relative) or graph coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned rectangle with non-negative width and height. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The camera: a graph point `p` is drawn at `p * k + (x, y)` in the canvas. */
export interface Transform {
  x: number;
  y: number;
  k: number;
}

/** The rectangle spanned by two corners, whichever way the drag went. */
export function normalizeRect(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

/** A rectangle in canvas pixels in graph coordinates. */
export function screenRectToGraph(rect: Rect, t: Transform): Rect {
  return { x: (rect.x - t.x) / t.k, y: (rect.y - t.y) / t.k, width: rect.width / t.k, height: rect.height / t.k };
}

/** A canvas point in graph coordinates. */
export function screenToGraph(p: Point, t: Transform): Point {
  return { x: (p.x - t.x) / t.k, y: (p.y - t.y) / t.k };
}

/** A graph point in canvas pixels. */
export function graphToScreen(p: Point, t: Transform): Point {
  return { x: p.x * t.k + t.x, y: p.y * t.k + t.y };
}

/** Whether two rectangles share any area; touching edges do not count. */
export function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Whether `inner` lies wholly inside `outer` (edges included). */
export function contains(outer: Rect, inner: Rect): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

/** Whether a point lies inside a rectangle (edges included). */
export function containsPoint(r: Rect, p: Point): boolean {
  return p.x >= r.x && p.y >= r.y && p.x <= r.x + r.width && p.y <= r.y + r.height;
}

/** The smallest rectangle holding all of `rects`; undefined for none. */
export function unionRects(rects: Iterable<Rect>): Rect | undefined {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const r of rects) {
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.width);
    y1 = Math.max(y1, r.y + r.height);
  }
  return x0 === Infinity ? undefined : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** `r` grown by `margin` on every side. */
export function inflate(r: Rect, margin: number): Rect {
  return { x: r.x - margin, y: r.y - margin, width: r.width + 2 * margin, height: r.height + 2 * margin };
}

/** The ids whose bounds the selection rectangle intersects (both in graph coordinates). */
export function nodesInRect(selection: Rect, bounds: Iterable<[string, Rect]>): string[] {
  const hits: string[] = [];
  for (const [id, rect] of bounds) if (intersects(selection, rect)) hits.push(id);
  return hits;
}

/** Whether a pointer-down on empty canvas starts a box selection rather than a pan: Ctrl (⌘) or Shift held. */
export function isBoxGesture(e: { ctrlKey: boolean; shiftKey: boolean; metaKey: boolean }): boolean {
  return e.ctrlKey || e.shiftKey || e.metaKey;
}

/**
 * The camera that shows `bounds` (graph coordinates) centred in a `viewport` (pixels) with `padding` pixels to spare,
 * at a zoom no larger than `maxZoom`.
 */
export function fitTransform(bounds: Rect, viewport: { width: number; height: number }, padding = 40, maxZoom = 1): Transform {
  const w = Math.max(1, viewport.width - 2 * padding);
  const h = Math.max(1, viewport.height - 2 * padding);
  const k = Math.min(maxZoom, w / Math.max(1, bounds.width), h / Math.max(1, bounds.height));
  return {
    k,
    x: viewport.width / 2 - (bounds.x + bounds.width / 2) * k,
    y: viewport.height / 2 - (bounds.y + bounds.height / 2) * k,
  };
}

/** The camera after zooming by `factor` around the canvas point `at` (which stays over the same graph point). */
export function zoomAround(t: Transform, at: Point, factor: number, min: number, max: number): Transform {
  const k = Math.min(max, Math.max(min, t.k * factor));
  const g = screenToGraph(at, t);
  return { k, x: at.x - g.x * k, y: at.y - g.y * k };
}

/**
 * The camera a graph opens at when it has no saved view: framed whole when that keeps text at `minZoom` or more,
 * else at `minZoom` showing its start (left edge, sources first), vertically centred when it fits.
 */
export function openingTransform(bounds: Rect, viewport: { width: number; height: number }, minZoom: number, padding = 40): Transform {
  const fit = fitTransform(bounds, viewport, padding, 1);
  if (fit.k >= minZoom) return fit;
  const k = minZoom;
  const fitsHeight = bounds.height * k <= viewport.height - 2 * padding;
  return {
    k,
    x: padding - bounds.x * k,
    y: fitsHeight ? viewport.height / 2 - (bounds.y + bounds.height / 2) * k : padding - bounds.y * k,
  };
}
