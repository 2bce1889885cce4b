import type { GraphDocument } from '@piagraph/graph-core';
import type { SchemaMap } from '../defs/object-info.js';
import { contains, fitTransform, inflate, intersects, openingTransform, screenToGraph, unionRects, type Point, type Rect, type Transform } from './geometry.js';
import { paintMinimap, type MinimapMapping } from './minimap.js';
import { HANDLE_ZOOM, paintNodeBoxes, paintPendingWire, paintWires, prepareCanvas, type WirePaint } from './painter.js';
import { WireSvg } from './wire-svg.js';
import { Scene } from './scene.js';
import type { LinkStyle } from './wire-path.js';

/**
 * Below this zoom nodes are drawn as boxes on the canvas instead of as DOM cards: their text is unreadable there,
 * and the overview of a large graph then costs a canvas draw, not thousands of elements.
 */
export const DETAIL_ZOOM = 0.35;
export const MIN_ZOOM = 0.03;
/**
 * The lowest zoom a graph opens at: widget text is 13 px, so 11/13 keeps it at 11 px or more, legible, instead of
 * fitting a large graph down to 6–8 px.
 */
export const READABLE_ZOOM = 11 / 13;
export const MAX_ZOOM = 4;
/**
 * Cards are mounted once a node comes within `MOUNT_MARGIN_PX` (screen pixels) of the view and unmounted only once
 * it is more than `UNMOUNT_MARGIN_PX` away: a pan back and forth does not mount and unmount the same cards.
 */
const MOUNT_MARGIN_PX = 160;
const UNMOUNT_MARGIN_PX = 700;

/** The canvas's drawing surfaces, created by the React view. */
export interface CanvasElements {
  container: HTMLElement;
  groupLayer: HTMLElement;
  wires: HTMLCanvasElement;
  nodeLayer: HTMLElement;
  overlay: HTMLCanvasElement;
  minimap: HTMLCanvasElement;
  /** The view's frame drawn over the minimap. */
  minimapView?: HTMLElement;
}

/** A wire being dragged: from a socket (or a picked-up link's source) to the pointer. */
export interface PendingWire {
  /** The fixed end in graph coordinates, and which side it is. */
  from: Point;
  fromSide: 'input' | 'output';
  type: string;
  to: Point;
  refused: boolean;
  /** The link being moved (hidden while it is). */
  linkId?: string;
}

/** Display settings the canvas reads. */
export interface CanvasSettings {
  linkStyle: LinkStyle;
  minimap: boolean;
}

type Listener = () => void;

/**
 * The canvas: camera, selection and what is drawn. Nodes in view (with some overscan) are rendered as DOM cards by
 * React (`visibleIds`); wires, link handles, the dragged wire, the minimap and the zoomed-out overview are drawn on
 * canvases, once per animation frame at most. Gestures live in `gestures.ts` and act through this object.
 */
export class CanvasController {
  readonly scene: Scene;
  camera: Transform = { x: 0, y: 0, k: 1 };
  selection: ReadonlySet<string> = new Set();
  pending: PendingWire | undefined;
  /** The last pointer position over the canvas, in canvas pixels. */
  pointer: Point = { x: 0, y: 0 };
  settings: CanvasSettings = { linkStyle: 'spline', minimap: true };
  elements: CanvasElements | undefined;
  viewport = { width: 1, height: 1 };
  /** Wires drawn in the last frame (read by tests and the benchmark). */
  wiresDrawn = 0;
  private visible: readonly string[] = [];
  private lod = false;
  private frameRequested = false;
  private frameWaiters: (() => void)[] = [];
  /** The node whose title is being edited. */
  renaming: string | undefined;
  /** The group whose title is being edited. */
  renamingGroup: string | undefined;
  /** A node holding keyboard focus stays rendered wherever the camera goes, so a pending edit is never lost. */
  focusedNode: string | undefined;
  private readonly nodeElements = new Map<string, HTMLElement>();
  private readonly listeners = new Set<Listener>();
  private readonly resize: ResizeObserver | undefined;
  private minimapAt = 0;
  private minimapDoc: GraphDocument | undefined;
  /** Set when rendered heights change what the minimap shows. */
  private minimapDirty = false;
  /** How the minimap maps graph coordinates, from its last drawing. */
  minimap: MinimapMapping | undefined;
  private readonly wireSvg = new WireSvg();
  /** The region the wire layer was last built for; a view leaving it rebuilds it. */
  private wireRegion: Rect | undefined;
  private wiresDirty = true;
  private wireCanvasUsed = false;
  private overlayUsed = false;

  constructor(doc: GraphDocument, schemas: () => SchemaMap) {
    this.scene = new Scene(doc, schemas);
    this.resize =
      typeof ResizeObserver === 'undefined'
        ? undefined
        : new ResizeObserver((entries) => {
            for (const entry of entries) {
              const el = entry.target as HTMLElement;
              const id = el.dataset.nodeId;
              if (id && el.isConnected) this.scene.measuredHeights.set(id, el.offsetHeight);
            }
            this.minimapDirty = true;
            this.requestFrame();
          });
  }

  /** Takes the drawing surfaces and sizes them with the container. */
  attach(elements: CanvasElements): void {
    this.elements = elements;
    elements.nodeLayer.prepend(this.wireSvg.element);
    const observer = new ResizeObserver(() => {
      this.viewport = { width: elements.container.clientWidth, height: elements.container.clientHeight };
      this.requestFrame();
    });
    observer.observe(elements.container);
    this.viewport = { width: elements.container.clientWidth, height: elements.container.clientHeight };
    this.requestFrame();
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** The ids React renders as cards now. */
  visibleIds = (): readonly string[] => this.visible;

  /** Whether nodes are drawn as canvas boxes (zoomed out past `DETAIL_ZOOM`). */
  isOverview = (): boolean => this.lod;

  setDocument(doc: GraphDocument): void {
    this.scene.setDocument(doc);
    this.wiresDirty = true;
    const kept = [...this.selection].filter((id) => doc.nodes[id]);
    if (kept.length !== this.selection.size) this.setSelection(kept);
    this.requestFrame();
  }

  /** Registers a rendered node card (or its removal): measured for its height, moved directly while dragged. */
  nodeElement(id: string, el: HTMLElement | null): void {
    const old = this.nodeElements.get(id);
    if (old && old !== el) this.resize?.unobserve(old);
    if (el) {
      this.nodeElements.set(id, el);
      this.resize?.observe(el);
    } else {
      this.nodeElements.delete(id);
    }
  }

  elementOf(id: string): HTMLElement | undefined {
    return this.nodeElements.get(id);
  }

  setSelection(ids: Iterable<string>): void {
    this.selection = new Set(ids);
    this.wiresDirty = true;
    this.notify();
    this.requestFrame();
  }

  /** Applies display settings (a new link style redraws every wire). */
  setSettings(settings: CanvasSettings): void {
    this.settings = settings;
    this.wiresDirty = true;
    this.wireSvg.clear();
    this.requestFrame();
  }

  /** Starts or ends editing a node's title in place. */
  setRenaming(id: string | undefined): void {
    this.renaming = id;
    this.notify();
  }

  setRenamingGroup(id: string | undefined): void {
    this.renamingGroup = id;
    this.notify();
  }

  setCamera(t: Transform): void {
    // A pan (same zoom) moves the DOM layers as composited layers, without repainting their nodes; a zoom drops
    // the hint so the cards are painted again at the new scale (a layer kept composited would stay at its old
    // raster scale and blur).
    this.panning = t.k === this.camera.k;
    this.camera = t;
    this.requestFrame();
  }

  private panning = false;

  /** A canvas point (pixels from the canvas's top left) in graph coordinates. */
  toGraph(p: Point): Point {
    return screenToGraph(p, this.camera);
  }

  /** A client (page) point in canvas pixels. */
  toCanvas(client: Point): Point {
    const r = this.elements?.container.getBoundingClientRect();
    return r ? { x: client.x - r.left, y: client.y - r.top } : client;
  }

  /** The graph region in view. */
  viewRect(): Rect {
    const t = this.camera;
    return { x: -t.x / t.k, y: -t.y / t.k, width: this.viewport.width / t.k, height: this.viewport.height / t.k };
  }

  /** Frames `ids` (every node when empty) in the view, at most at `maxZoom`. */
  fit(ids?: Iterable<string>, maxZoom = 1): void {
    const list = ids ? [...ids] : Object.keys(this.scene.doc.nodes);
    const bounds = unionRects(list.map((id) => this.scene.rect(id)).filter((r): r is Rect => Boolean(r)));
    if (!bounds) return;
    this.setCamera(fitTransform(bounds, this.viewport, 40, maxZoom));
  }

  /** Places the camera for a graph without a saved view: whole if it stays readable, else readable from its start. */
  openView(): void {
    const bounds = unionRects([...this.scene.rects()].map(([, r]) => r));
    if (!bounds) return this.setCamera({ x: 40, y: 40, k: 1 });
    this.setCamera(openingTransform(bounds, this.viewport, READABLE_ZOOM));
  }

  /** Resolves after the next frame has been drawn. */
  drawn(): Promise<void> {
    return new Promise((resolve) => {
      this.frameWaiters.push(resolve);
      this.requestFrame();
    });
  }

  /** Wires must be redrawn (nodes moved by a drag, a wire picked up or dropped). */
  invalidateWires(): void {
    this.wiresDirty = true;
    this.requestFrame();
  }

  requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  /** Draws one frame: camera transforms, the set of rendered cards, wires, overlay and minimap. */
  frame(): void {
    this.frameRequested = false;
    const el = this.elements;
    if (!el) return;
    const t = this.camera;
    const translate = `translate(${t.x}px, ${t.y}px)`;
    const scale = `scale(${t.k})`;
    for (const layer of [el.nodeLayer, el.groupLayer]) {
      const pan = layer.parentElement!;
      pan.style.transform = translate;
      if (layer.style.transform !== scale) layer.style.transform = scale;
      // Composited while panning; not while zooming, so the cards are painted again crisp at the new scale.
      const willChange = this.panning ? 'transform' : '';
      if (pan.style.willChange !== willChange) pan.style.willChange = willChange;
    }
    const lod = t.k < DETAIL_ZOOM;
    const mounted = this.updateVisible(lod);

    if (lod) {
      // The overview: every node and wire in view drawn on the canvas, each frame (as litegraph does).
      this.wireSvg.clear();
      this.wireRegion = undefined;
      const ctx = prepareCanvas(el.wires, this.viewport.width, this.viewport.height);
      paintNodeBoxes(ctx, {
        scene: this.scene,
        camera: t,
        viewport: this.viewport,
        selected: this.selection,
        titles: (id) => this.title(id),
        colour: (id) => this.scene.doc.nodes[id]?.ui?.['color'] as string | undefined,
      });
      this.wiresDrawn = paintWires(ctx, this.wirePaint());
      this.wireCanvasUsed = true;
    } else {
      if (this.wireCanvasUsed) {
        prepareCanvas(el.wires, this.viewport.width, this.viewport.height);
        this.wireCanvasUsed = false;
      }
      // Detail: wires live in the cards' layer; rebuilt only when something they show changed.
      const near = inflate(this.viewRect(), MOUNT_MARGIN_PX / t.k);
      if (this.wiresDirty || mounted || !this.wireRegion || !contains(this.wireRegion, near)) {
        this.wireRegion = inflate(this.viewRect(), UNMOUNT_MARGIN_PX / t.k);
        const p = this.wirePaint();
        this.wireSvg.update(this.scene, this.wireRegion, p.style, p.highlight, p.hidden);
        this.wiresDirty = false;
      }
      this.wiresDrawn = this.wireSvg.count;
      el.nodeLayer.classList.toggle('pg-no-handles', t.k < HANDLE_ZOOM);
    }

    if (this.pending || this.overlayUsed) {
      const overlay = prepareCanvas(el.overlay, this.viewport.width, this.viewport.height);
      this.overlayUsed = Boolean(this.pending);
      if (this.pending) {
        const p = this.pending;
        const from = { x: p.from.x * t.k + t.x, y: p.from.y * t.k + t.y };
        const to = { x: p.to.x * t.k + t.x, y: p.to.y * t.k + t.y };
        paintPendingWire(overlay, from, to, p.type, p.fromSide === 'input', p.refused, this.settings.linkStyle, t.k);
      }
    }

    this.drawMinimap(el);
    const waiters = this.frameWaiters;
    this.frameWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** The minimap's nodes are redrawn when the document changes (at most every 100 ms); its view frame every frame. */
  private drawMinimap(el: CanvasElements): void {
    const box = el.minimap.parentElement as HTMLElement | null;
    if (box && box.hidden === this.settings.minimap) box.hidden = !this.settings.minimap;
    if (!this.settings.minimap) return;
    const now = performance.now();
    if (this.minimapDoc !== this.scene.doc || this.minimapDirty) {
      if (now - this.minimapAt > 100) {
        this.minimapAt = now;
        this.minimapDoc = this.scene.doc;
        this.minimapDirty = false;
        this.minimap = paintMinimap(el.minimap, this.scene);
      } else {
        setTimeout(() => this.requestFrame(), 110);
      }
    }
    const frame = el.minimapView;
    if (this.minimap && frame) {
      const v = this.viewRect();
      const m = this.minimap;
      // A transform of a composited frame: moving it every pan frame repaints nothing.
      frame.style.transform = `translate(${(v.x - m.origin.x) * m.scale + m.pad.x}px, ${(v.y - m.origin.y) * m.scale + m.pad.y}px)`;
      const width = `${v.width * m.scale}px`;
      const height = `${v.height * m.scale}px`;
      if (frame.style.width !== width) frame.style.width = width;
      if (frame.style.height !== height) frame.style.height = height;
    }
  }

  /** The topmost node under a canvas point (by geometry: used where no card is rendered, in the overview). */
  nodeAt(p: Point): string | undefined {
    const g = this.toGraph(p);
    let hit: string | undefined;
    for (const [id, r] of this.scene.rects()) {
      if (g.x >= r.x && g.x <= r.x + r.width && g.y >= r.y && g.y <= r.y + r.height) hit = id;
    }
    return hit;
  }

  /** The socket within `radius` canvas pixels of a point, by geometry. */
  socketAt(p: Point, radius = 8): { node: string; side: 'input' | 'output'; key: string } | undefined {
    const g = this.toGraph(p);
    const r = radius / this.camera.k;
    for (const [id, rect] of this.scene.rects()) {
      if (g.x < rect.x - r || g.x > rect.x + rect.width + r || g.y < rect.y - r || g.y > rect.y + rect.height + r) continue;
      const layout = this.scene.layout(id)!;
      for (const [name, y] of Object.entries(layout.inputs)) {
        if (Math.hypot(g.x - rect.x, g.y - (rect.y + y)) <= r) return { node: id, side: 'input', key: name };
      }
      for (let i = 0; i < layout.outputs.length; i++) {
        if (Math.hypot(g.x - (rect.x + rect.width), g.y - (rect.y + layout.outputs[i]!)) <= r) return { node: id, side: 'output', key: String(i) };
      }
    }
    return undefined;
  }

  /** What the wire painter and link hit test need. */
  wirePaint(): WirePaint {
    const hidden = new Set<string>();
    if (this.pending?.linkId) hidden.add(this.pending.linkId);
    return { scene: this.scene, camera: this.camera, viewport: this.viewport, style: this.settings.linkStyle, highlight: this.selection, hidden };
  }

  /** A node's title as shown. */
  title(id: string): string {
    const node = this.scene.doc.nodes[id];
    return node ? (node.title ?? this.displayName(node.classType)) : '';
  }

  /** Set by the app: a class's display name. */
  displayName: (classType: string) => string = (classType) => classType;

  /** Picks the cards to render; true when the set changed. */
  private updateVisible(lod: boolean): boolean {
    let next: string[] = [];
    if (!lod) {
      const near = inflate(this.viewRect(), MOUNT_MARGIN_PX / this.camera.k);
      const far = inflate(this.viewRect(), UNMOUNT_MARGIN_PX / this.camera.k);
      const mounted = new Set(this.lod ? [] : this.visible);
      for (const [id, r] of this.scene.rects()) if (intersects(r, mounted.has(id) ? far : near)) next.push(id);
    }
    if (this.focusedNode && this.scene.doc.nodes[this.focusedNode] && !next.includes(this.focusedNode)) next.push(this.focusedNode);
    for (const id of this.scene.dragOffsets.keys()) if (!next.includes(id) && !lod) next.push(id);
    next = next.sort();
    const same = lod === this.lod && next.length === this.visible.length && next.every((id, i) => id === this.visible[i]);
    if (same) return false;
    this.lod = lod;
    this.visible = next;
    this.elements?.container.classList.toggle('pg-overview', lod);
    this.notify();
    return true;
  }
}
