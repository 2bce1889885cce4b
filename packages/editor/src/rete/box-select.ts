/** A point in client (page) or area coordinates. */
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

/** The area's pan and zoom: a graph point `p` is drawn at `p * k + (x, y)` in the canvas. */
export interface Transform {
  x: number;
  y: number;
  k: number;
}

/** The rectangle spanned by two corners, whichever way the drag went. */
export function normalizeRect(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) };
}

/** A rectangle in canvas pixels (relative to the area's container) in area (graph) coordinates. */
export function canvasRectToArea(rect: Rect, t: Transform): Rect {
  return { x: (rect.x - t.x) / t.k, y: (rect.y - t.y) / t.k, width: rect.width / t.k, height: rect.height / t.k };
}

/** Whether two rectangles share any area; touching edges do not count. */
export function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** The ids whose bounds (area coordinates) the selection rectangle (area coordinates) intersects. */
export function nodesInRect(selection: Rect, bounds: Iterable<[string, Rect]>): string[] {
  const hits: string[] = [];
  for (const [id, rect] of bounds) if (intersects(selection, rect)) hits.push(id);
  return hits;
}

/** Whether a pointer-down starts a box selection rather than a pan: Ctrl (⌘) or Shift held. */
export function isBoxGesture(e: { ctrlKey: boolean; shiftKey: boolean; metaKey: boolean }): boolean {
  return e.ctrlKey || e.shiftKey || e.metaKey;
}

export interface BoxSelectionDeps {
  /** The area's current transform. */
  transform(): Transform;
  /** Every node's bounds in area coordinates. */
  bounds(): Iterable<[string, Rect]>;
  /** The selected ids when the gesture starts. */
  selected(): string[];
  /** Replaces the selection. */
  select(ids: string[]): void | Promise<void>;
}

/** Targets on the canvas that keep their own pointer gestures. */
const OWN_GESTURES = '.pg-node, [data-testid="minimap"], [data-testid="context-menu"]';

/**
 * Rubber-band selection on `container` (the area's element): Ctrl/Shift+drag on empty canvas draws a
 * `.pg-box-select` rectangle, and on release every node it intersects joins the selection held at the start. The
 * area's own pan must ignore these gestures (see `isBoxGesture`). Returns the function that removes it.
 */
export function installBoxSelection(container: HTMLElement, deps: BoxSelectionDeps): () => void {
  const box = document.createElement('div');
  box.className = 'pg-box-select';
  box.dataset.testid = 'box-select';
  let start: Point | undefined;
  let end: Point | undefined;
  let kept: string[] = [];

  const local = (e: PointerEvent): Point => {
    const r = container.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const draw = () => {
    const r = normalizeRect(start!, end!);
    Object.assign(box.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.width}px`, height: `${r.height}px` });
  };
  const onMove = (e: PointerEvent) => {
    if (!start) return;
    e.preventDefault();
    end = local(e);
    if (!box.isConnected) container.appendChild(box);
    draw();
  };
  const onUp = (e: PointerEvent) => {
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('pointercancel', onUp);
    if (!start) return;
    end = local(e);
    const rect = canvasRectToArea(normalizeRect(start, end), deps.transform());
    const dragged = box.isConnected;
    box.remove();
    start = undefined;
    if (!dragged) return;
    const hits = nodesInRect(rect, deps.bounds());
    const ids = [...new Set([...kept, ...hits])];
    // Rete's selectable-nodes extension may clear the selection on this same pointer-up (a short drag looks like a
    // click to it); select after its pipe has run.
    setTimeout(() => void deps.select(ids), 0);
  };
  const onDown = (e: PointerEvent) => {
    if (e.button !== 0 || !isBoxGesture(e)) return;
    if ((e.target as Element).closest(OWN_GESTURES)) return;
    start = end = local(e);
    kept = deps.selected();
    // Like a click on the canvas, the gesture ends any widget edit (so Delete then removes nodes, not text).
    (document.activeElement as HTMLElement | null)?.blur?.();
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    window.addEventListener('pointercancel', onUp);
  };
  // Without this the drag also selects text, and a selection that ends in a widget's input focuses that input.
  const onMouseDown = (e: MouseEvent) => {
    if (start) e.preventDefault();
  };
  container.addEventListener('pointerdown', onDown);
  container.addEventListener('mousedown', onMouseDown);
  return () => {
    container.removeEventListener('pointerdown', onDown);
    container.removeEventListener('mousedown', onMouseDown);
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('pointercancel', onUp);
    box.remove();
  };
}
