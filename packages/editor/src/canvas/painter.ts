/**
 * Draws what the canvas draws with 2D contexts rather than the DOM: every wire (only those in view), link handles,
 * the wire being dragged, and — when zoomed out past the detail zoom — the nodes themselves as boxes, which is what
 * keeps a 2,000-node overview as cheap as litegraph's.
 */
import type { DocLink } from '@piagraph/graph-core';
import { socketColor } from '../defs/socket-types.js';
import { graphToScreen, intersects, type Point, type Rect, type Transform } from './geometry.js';
import { NOTE, REROUTE, TITLE_HEIGHT } from './node-layout.js';
import type { Scene } from './scene.js';
import { traceWire, wireBounds, wireMidpoint, wireShape, type LinkStyle, type WireShape } from './wire-path.js';

/** Below this zoom link handles are not drawn (too small to hit). */
export const HANDLE_ZOOM = 0.6;
const HANDLE_RADIUS = 5;

/** A canvas sized to its element at the device pixel ratio, with a context drawing in CSS pixels. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

/** A wire's shape in screen coordinates, or undefined when an end is missing. */
export function linkShape(scene: Scene, link: DocLink, camera: Transform, style: LinkStyle): WireShape | undefined {
  const a = scene.socket(link.source.node, 'output', link.source.output);
  const b = scene.socket(link.target.node, 'input', link.target.input);
  if (!a || !b) return undefined;
  return wireShape(graphToScreen(a, camera), graphToScreen(b, camera), style, camera.k);
}

export interface WirePaint {
  scene: Scene;
  camera: Transform;
  viewport: { width: number; height: number };
  style: LinkStyle;
  /** Links touching these nodes are drawn highlighted. */
  highlight: ReadonlySet<string>;
  /** Links hidden while their end is being dragged elsewhere. */
  hidden: ReadonlySet<string>;
}

/** Draws the wires in view; returns how many were drawn (the benchmark and tests read it). */
export function paintWires(ctx: CanvasRenderingContext2D, p: WirePaint): number {
  const view: Rect = { x: -20, y: -20, width: p.viewport.width + 40, height: p.viewport.height + 40 };
  const width = Math.max(1.2, Math.min(4, 3 * p.camera.k));
  const handles = p.camera.k >= HANDLE_ZOOM;
  let drawn = 0;
  ctx.lineCap = 'round';
  for (const link of Object.values(p.scene.doc.links)) {
    if (p.hidden.has(link.id)) continue;
    const shape = linkShape(p.scene, link, p.camera, p.style);
    if (!shape || !intersects(wireBounds(shape), view)) continue;
    const lit = p.highlight.has(link.source.node) || p.highlight.has(link.target.node);
    const colour = socketColor(p.scene.linkType(link));
    ctx.beginPath();
    traceWire(ctx, shape);
    if (lit) {
      ctx.strokeStyle = 'rgba(255,255,255,0.55)';
      ctx.lineWidth = width + 3;
      ctx.stroke();
    }
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.stroke();
    if (handles) {
      const mid = wireMidpoint(shape);
      ctx.beginPath();
      ctx.arc(mid.x, mid.y, HANDLE_RADIUS, 0, Math.PI * 2);
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#1d1d1d';
      ctx.stroke();
    }
    drawn++;
  }
  return drawn;
}

/** The link whose handle lies under a canvas point, if handles are shown. */
export function linkHandleAt(p: WirePaint, at: Point): DocLink | undefined {
  if (p.camera.k < HANDLE_ZOOM) return undefined;
  for (const link of Object.values(p.scene.doc.links)) {
    const shape = linkShape(p.scene, link, p.camera, p.style);
    if (!shape) continue;
    const mid = wireMidpoint(shape);
    if (Math.hypot(mid.x - at.x, mid.y - at.y) <= HANDLE_RADIUS + 3) return link;
  }
  return undefined;
}

/** The wire being dragged, from a socket to the pointer, in its type's colour (dashed when over a refused target). */
export function paintPendingWire(ctx: CanvasRenderingContext2D, from: Point, to: Point, type: string, reversed: boolean, refused: boolean, style: LinkStyle, k: number): void {
  const shape = reversed ? wireShape(to, from, style, k) : wireShape(from, to, style, k);
  ctx.beginPath();
  traceWire(ctx, shape);
  ctx.lineCap = 'round';
  ctx.setLineDash(refused ? [6, 6] : []);
  ctx.strokeStyle = refused ? '#ff4d4d' : socketColor(type);
  ctx.lineWidth = Math.max(1.5, Math.min(4, 3 * k));
  ctx.stroke();
  ctx.setLineDash([]);
}

export interface NodeBoxPaint {
  scene: Scene;
  camera: Transform;
  viewport: { width: number; height: number };
  selected: ReadonlySet<string>;
  titles: (id: string) => string;
  colour: (id: string) => string | undefined;
}

/** Draws every node in view as a box with its title bar (the overview below the detail zoom). */
export function paintNodeBoxes(ctx: CanvasRenderingContext2D, p: NodeBoxPaint): number {
  const { camera: t } = p;
  const view: Rect = { x: 0, y: 0, width: p.viewport.width, height: p.viewport.height };
  const titleH = TITLE_HEIGHT * t.k;
  const text = titleH >= 9;
  ctx.font = `600 ${Math.round(titleH * 0.5)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  let drawn = 0;
  for (const [id, r] of p.scene.rects()) {
    const s = { x: r.x * t.k + t.x, y: r.y * t.k + t.y, width: r.width * t.k, height: r.height * t.k };
    if (!intersects(s, view)) continue;
    const classType = p.scene.doc.nodes[id]!.classType;
    ctx.fillStyle = classType === NOTE ? '#4a4530' : '#353535';
    ctx.fillRect(s.x, s.y, s.width, s.height);
    if (classType !== REROUTE) {
      ctx.fillStyle = p.colour(id) ?? '#2a2a2a';
      ctx.fillRect(s.x, s.y, s.width, Math.min(titleH, s.height));
      if (text) {
        ctx.fillStyle = '#ddd';
        ctx.fillText(p.titles(id), s.x + 8 * t.k, s.y + titleH / 2, Math.max(0, s.width - 12 * t.k));
      }
    }
    if (t.k >= 0.15) {
      const layout = p.scene.layout(id)!;
      const radius = Math.max(1.5, 5 * t.k);
      const dot = (x: number, y: number, type: string) => {
        ctx.beginPath();
        ctx.arc(x, y, radius, 0, Math.PI * 2);
        ctx.fillStyle = socketColor(type);
        ctx.fill();
      };
      for (const [name, y] of Object.entries(layout.inputs)) dot(s.x, s.y + y * t.k, layout.inputTypes[name] ?? '*');
      layout.outputs.forEach((y, i) => dot(s.x + s.width, s.y + y * t.k, layout.outputTypes[i] ?? '*'));
    }
    if (p.selected.has(id)) {
      ctx.strokeStyle = '#e3c000';
      ctx.lineWidth = 2;
      ctx.strokeRect(s.x, s.y, s.width, s.height);
    }
    drawn++;
  }
  return drawn;
}
