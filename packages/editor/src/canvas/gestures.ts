/**
 * Pointer gestures on the canvas, from one set of listeners on its container: pan (drag empty canvas, or the middle
 * button), box selection (Ctrl/Shift+drag), node selection and dragging (the whole selection, one edit on release),
 * wires (drag from an output or an input; a press on a linked input picks its link up), group dragging, node
 * resizing, the minimap, wheel zoom, double-click and the context menu. Document changes go through `actions`.
 */
import { areTypesCompatible, type ConnectionRequest, type DocLink } from '@piagraph/graph-core';
import type { CanvasController } from './controller.js';
import { MAX_ZOOM, MIN_ZOOM } from './controller.js';
import { isBoxGesture, nodesInRect, normalizeRect, screenRectToGraph, zoomAround, type Point, type Rect } from './geometry.js';
import { nodesInGroup } from './groups.js';
import { minimapMapping, minimapToGraph, minimapWorld, MINIMAP_SIZE } from './minimap.js';
import { linkHandleAt } from './painter.js';

/** What the user asked for, to be turned into document edits (or UI) by the app. */
export interface CanvasActions {
  moveNodes(positions: Record<string, Point>): void;
  /** Connects, or refuses with a notice; false when refused. */
  connect(request: ConnectionRequest): boolean;
  /** Moves an existing link's input end elsewhere (one edit). */
  relink(linkId: string, request: ConnectionRequest): void;
  disconnect(linkId: string): void;
  /** A wire dropped on empty canvas: search for a node to put there and connect it. */
  wireDropped(client: Point, graph: Point, from: { node: string; side: 'input' | 'output'; key: string; type: string }): void;
  doubleClickCanvas(client: Point, graph: Point): void;
  renameNode(id: string): void;
  renameGroup(id: string): void;
  contextMenu(client: Point, graph: Point, target: { kind: 'node'; id: string } | { kind: 'group'; id: string } | { kind: 'link'; link: DocLink } | { kind: 'canvas' }): void;
  resizeNode(id: string, size: { width: number; height: number }): void;
  moveGroup(id: string, delta: Point, nodeIds: string[]): void;
  resizeGroup(id: string, bounds: Rect): void;
  /** A gesture starts and ends: edits in between are one undo step. */
  gesture(phase: 'start' | 'end'): void;
}

/** Drags shorter than this (pixels) are clicks. */
const CLICK_SLOP = 3;
/** Wheel zoom speed: the zoom factor per pixel of wheel delta (a setting multiplies it). */
export const WHEEL_ZOOM_BASE = 0.0015;

/** Elements inside a node that keep the pointer for themselves (widgets, players, title editor). */
const NATIVE = '.pg-control, .pg-outputs, .pg-title-input, .pg-note-text, input, textarea, select, button, a, video';

interface Drag {
  move(e: PointerEvent): void;
  up(e: PointerEvent, moved: boolean): void;
}

function socketOf(el: Element | null): { node: string; side: 'input' | 'output'; key: string } | undefined {
  const socket = el?.closest<HTMLElement>('.pg-socket');
  const node = socket?.closest<HTMLElement>('[data-node-id]');
  if (!socket || !node || !socket.dataset.side || socket.dataset.key === undefined) return undefined;
  return { node: node.dataset.nodeId!, side: socket.dataset.side as 'input' | 'output', key: socket.dataset.key };
}

function nodeOf(el: Element | null): string | undefined {
  return el?.closest<HTMLElement>('.pg-node')?.dataset.nodeId;
}

/** Installs the gestures; returns the function that removes them. */
export function installGestures(ctrl: CanvasController, actions: CanvasActions, zoomSpeed: () => number = () => 1): () => void {
  const container = ctrl.elements!.container;
  let drag: Drag | undefined;
  let start: Point = { x: 0, y: 0 };
  let moved = false;

  const local = (e: { clientX: number; clientY: number }) => ctrl.toCanvas({ x: e.clientX, y: e.clientY });

  const begin = (e: PointerEvent, d: Drag) => {
    drag = d;
    start = { x: e.clientX, y: e.clientY };
    moved = false;
    actions.gesture('start');
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    window.addEventListener('pointercancel', onUp);
  };
  const onMove = (e: PointerEvent) => {
    if (!drag) return;
    if (!moved && Math.hypot(e.clientX - start.x, e.clientY - start.y) < CLICK_SLOP) return;
    moved = true;
    drag.move(e);
  };
  const onUp = (e: PointerEvent) => {
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('pointercancel', onUp);
    const d = drag;
    drag = undefined;
    d?.up(e, moved);
    actions.gesture('end');
  };

  const pan = (e: PointerEvent): Drag => {
    const from = { ...ctrl.camera };
    return {
      move(ev) {
        ctrl.setCamera({ ...from, x: from.x + ev.clientX - e.clientX, y: from.y + ev.clientY - e.clientY });
      },
      up(ev, didMove) {
        if (didMove) return;
        const link = linkHandleAt(ctrl.wirePaint(), local(ev));
        if (link) actions.contextMenu({ x: ev.clientX, y: ev.clientY }, ctrl.toGraph(local(ev)), { kind: 'link', link });
        else ctrl.setSelection([]);
      },
    };
  };

  const boxSelect = (e: PointerEvent): Drag => {
    const kept = [...ctrl.selection];
    const a = local(e);
    const box = document.createElement('div');
    box.className = 'pg-box-select';
    box.dataset.testid = 'box-select';
    return {
      move(ev) {
        const r = normalizeRect(a, local(ev));
        if (!box.isConnected) container.appendChild(box);
        Object.assign(box.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.width}px`, height: `${r.height}px` });
      },
      up(ev, didMove) {
        box.remove();
        if (!didMove) return;
        const rect = screenRectToGraph(normalizeRect(a, local(ev)), ctrl.camera);
        ctrl.setSelection(new Set([...kept, ...nodesInRect(rect, ctrl.scene.rects())]));
      },
    };
  };

  const nodeDrag = (e: PointerEvent, id: string): Drag => {
    const additive = e.ctrlKey || e.metaKey || e.shiftKey;
    const wasSelected = ctrl.selection.has(id);
    if (additive) {
      const next = new Set(ctrl.selection);
      if (wasSelected && (e.ctrlKey || e.metaKey)) next.delete(id);
      else next.add(id);
      ctrl.setSelection(next);
    } else if (!wasSelected) {
      ctrl.setSelection([id]);
    }
    const doc = ctrl.scene.doc;
    const moving = [...ctrl.selection].filter((n) => doc.nodes[n] && doc.nodes[n]!.ui?.['pinned'] !== true);
    const k = ctrl.camera.k;
    return {
      move(ev) {
        const d = { x: (ev.clientX - e.clientX) / k, y: (ev.clientY - e.clientY) / k };
        for (const n of moving) {
          ctrl.scene.dragOffsets.set(n, d);
          const el = ctrl.elementOf(n);
          const at = ctrl.scene.position(n)!;
          if (el) Object.assign(el.style, { left: `${at.x}px`, top: `${at.y}px` });
        }
        ctrl.invalidateWires();
      },
      up(_ev, didMove) {
        if (!didMove) {
          // A plain click on a node of a larger selection narrows the selection to it.
          if (!additive && wasSelected) ctrl.setSelection([id]);
          return;
        }
        const positions: Record<string, Point> = {};
        for (const n of moving) positions[n] = ctrl.scene.position(n)!;
        actions.moveNodes(positions);
        ctrl.scene.dragOffsets.clear();
        ctrl.invalidateWires();
      },
    };
  };

  const wire = (e: PointerEvent, socket: { node: string; side: 'input' | 'output'; key: string }): Drag => {
    const scene = ctrl.scene;
    let linkId: string | undefined;
    let fixed = socket;
    if (socket.side === 'input') {
      const link = Object.values(scene.doc.links).find((l) => l.target.node === socket.node && l.target.input === socket.key);
      if (link) {
        linkId = link.id;
        fixed = { node: link.source.node, side: 'output', key: String(link.source.output) };
      }
    }
    const type =
      fixed.side === 'output' ? (scene.outputType(fixed.node, Number(fixed.key)) ?? '*') : (scene.layout(fixed.node)?.inputTypes[fixed.key] ?? '*');
    const from = scene.socket(fixed.node, fixed.side, fixed.key)!;
    /** Whether `other` (a socket under the pointer) can take the wire. */
    const accepts = (other: { node: string; side: 'input' | 'output'; key: string }): boolean => {
      if (other.side === fixed.side || other.node === fixed.node) return false;
      const otherType = other.side === 'output' ? (scene.outputType(other.node, Number(other.key)) ?? '*') : (scene.layout(other.node)?.inputTypes[other.key] ?? '*');
      return fixed.side === 'output' ? areTypesCompatible(type, otherType) : areTypesCompatible(otherType, type);
    };
    /** The first socket of `node` on the opposite side that takes the wire (a drop on a node's body). */
    const firstAccepting = (node: string): { node: string; side: 'input' | 'output'; key: string } | undefined => {
      const layout = scene.layout(node);
      if (!layout) return undefined;
      if (fixed.side === 'output') {
        const linked = new Set(scene.linkedInputs(node));
        const names = Object.keys(layout.inputs);
        const candidates = [...names.filter((n) => !linked.has(n)), ...names.filter((n) => linked.has(n))];
        const name = candidates.find((n) => accepts({ node, side: 'input', key: n }));
        return name === undefined ? undefined : { node, side: 'input', key: name };
      }
      const index = layout.outputs.findIndex((_y, i) => accepts({ node, side: 'output', key: String(i) }));
      return index < 0 ? undefined : { node, side: 'output', key: String(index) };
    };
    const marked: Element[] = [];
    for (const el of container.querySelectorAll('.pg-socket')) {
      const s = socketOf(el);
      if (s && accepts(s)) {
        el.classList.add('pg-compatible');
        marked.push(el);
      }
    }
    container.classList.add('pg-wiring');
    let hovered: Element | undefined;
    const setHover = (el: Element | undefined, ok: boolean) => {
      hovered?.classList.remove('pg-drop-ok', 'pg-drop-refused');
      hovered = el;
      el?.classList.add(ok ? 'pg-drop-ok' : 'pg-drop-refused');
    };
    const target = (ev: PointerEvent): { el?: Element; socket?: typeof fixed; refused: boolean } | undefined => {
      if (ctrl.isOverview()) {
        const s = ctrl.socketAt(local(ev));
        if (s) return { socket: accepts(s) ? s : undefined, refused: !accepts(s) };
        const node = ctrl.nodeAt(local(ev));
        if (node && node !== fixed.node) {
          const s2 = firstAccepting(node);
          return { socket: s2, refused: !s2 };
        }
        return undefined;
      }
      const el = document.elementFromPoint(ev.clientX, ev.clientY);
      const s = socketOf(el);
      if (s) return { el: el!.closest('.pg-socket')!, socket: accepts(s) ? s : undefined, refused: !accepts(s) };
      const node = nodeOf(el);
      if (node && node !== fixed.node) {
        const s2 = firstAccepting(node);
        return { el: el!.closest('.pg-node')!, socket: s2, refused: !s2 };
      }
      return undefined;
    };
    ctrl.pending = { from, fromSide: fixed.side, type, to: from, refused: false, ...(linkId ? { linkId } : {}) };
    // The picked-up link disappears from the wire layer while it is carried.
    if (linkId) ctrl.invalidateWires();
    return {
      move(ev) {
        const over = target(ev);
        setHover(over?.el, !over?.refused);
        ctrl.pending = { ...ctrl.pending!, to: ctrl.toGraph(local(ev)), refused: Boolean(over?.refused) };
        ctrl.requestFrame();
      },
      up(ev, didMove) {
        const over = didMove ? target(ev) : undefined;
        setHover(undefined, true);
        for (const el of marked) el.classList.remove('pg-compatible');
        container.classList.remove('pg-wiring');
        ctrl.pending = undefined;
        ctrl.invalidateWires();
        if (!didMove) return;
        if (over?.socket) {
          const [out, inp] = fixed.side === 'output' ? [fixed, over.socket] : [over.socket, fixed];
          const request: ConnectionRequest = { source: { node: out.node, output: Number(out.key) }, target: { node: inp.node, input: inp.key } };
          if (linkId) {
            const link = scene.doc.links[linkId]!;
            if (link.target.node === inp.node && link.target.input === inp.key) return;
            actions.relink(linkId, request);
          } else {
            actions.connect(request);
          }
          return;
        }
        if (over?.refused) return;
        if (linkId) {
          actions.disconnect(linkId);
          return;
        }
        actions.wireDropped({ x: ev.clientX, y: ev.clientY }, ctrl.toGraph(local(ev)), { ...fixed, type });
      },
    };
  };

  const resize = (e: PointerEvent, id: string): Drag => {
    const layout = ctrl.scene.layout(id)!;
    const el = ctrl.elementOf(id);
    const base = { width: layout.width, height: Math.max(layout.height, el?.offsetHeight ?? 0) };
    const k = ctrl.camera.k;
    let size = base;
    return {
      move(ev) {
        size = { width: Math.max(140, base.width + (ev.clientX - e.clientX) / k), height: Math.max(60, base.height + (ev.clientY - e.clientY) / k) };
        if (el) {
          el.style.width = `${size.width}px`;
          el.style.minHeight = `${size.height}px`;
        }
        ctrl.requestFrame();
      },
      up(_ev, didMove) {
        if (didMove) actions.resizeNode(id, { width: Math.round(size.width), height: Math.round(size.height) });
      },
    };
  };

  const groupDrag = (e: PointerEvent, id: string, resizing: boolean): Drag => {
    const group = ctrl.scene.doc.groups?.[id];
    if (!group) return { move() {}, up() {} };
    const inside = resizing ? [] : nodesInGroup(group.bounds, ctrl.scene.rects());
    const el = ctrl.elements!.groupLayer.querySelector<HTMLElement>(`[data-group-id="${CSS.escape(id)}"]`);
    const k = ctrl.camera.k;
    let delta = { x: 0, y: 0 };
    return {
      move(ev) {
        delta = { x: (ev.clientX - e.clientX) / k, y: (ev.clientY - e.clientY) / k };
        if (resizing) {
          if (el) Object.assign(el.style, { width: `${Math.max(120, group.bounds.width + delta.x)}px`, height: `${Math.max(60, group.bounds.height + delta.y)}px` });
          return;
        }
        if (el) Object.assign(el.style, { left: `${group.bounds.x + delta.x}px`, top: `${group.bounds.y + delta.y}px` });
        for (const n of inside) {
          ctrl.scene.dragOffsets.set(n, delta);
          const nodeEl = ctrl.elementOf(n);
          const at = ctrl.scene.position(n)!;
          if (nodeEl) Object.assign(nodeEl.style, { left: `${at.x}px`, top: `${at.y}px` });
        }
        ctrl.invalidateWires();
      },
      up(_ev, didMove) {
        if (!didMove) return;
        if (resizing) {
          actions.resizeGroup(id, { ...group.bounds, width: Math.max(120, group.bounds.width + delta.x), height: Math.max(60, group.bounds.height + delta.y) });
        } else {
          actions.moveGroup(id, delta, inside);
          ctrl.scene.dragOffsets.clear();
        }
        ctrl.invalidateWires();
      },
    };
  };

  const minimapDrag = (e: PointerEvent): Drag => {
    const canvas = ctrl.elements!.minimap;
    const mapping = ctrl.minimap ?? minimapMapping(minimapWorld(ctrl.scene), MINIMAP_SIZE);
    const centreAt = (ev: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      const g = minimapToGraph(mapping, { x: ev.clientX - r.left, y: ev.clientY - r.top });
      const t = ctrl.camera;
      ctrl.setCamera({ k: t.k, x: ctrl.viewport.width / 2 - g.x * t.k, y: ctrl.viewport.height / 2 - g.y * t.k });
    };
    centreAt(e);
    return { move: centreAt, up() {} };
  };

  const onDown = (e: PointerEvent) => {
    const el = e.target as Element;
    ctrl.pointer = local(e);
    if (e.button === 2) return;
    if (el.closest('[data-testid="context-menu"]')) return;
    if (e.button === 1) {
      e.preventDefault();
      begin(e, pan(e));
      return;
    }
    if (e.button !== 0) return;
    if (el.closest('.pg-minimap')) {
      begin(e, minimapDrag(e));
      return;
    }
    const overview = ctrl.isOverview();
    const socket = overview ? ctrl.socketAt(local(e)) : socketOf(el);
    if (socket) {
      e.preventDefault();
      blurActive();
      begin(e, wire(e, socket));
      return;
    }
    const nodeId = overview ? ctrl.nodeAt(local(e)) : nodeOf(el);
    if (nodeId && el.closest('.pg-resize-handle')) {
      e.preventDefault();
      begin(e, resize(e, nodeId));
      return;
    }
    if (nodeId) {
      if (!overview && el.closest(NATIVE)) return;
      // No native text selection or image drag starts inside a node (see also the canvas's user-select).
      e.preventDefault();
      blurActive();
      begin(e, nodeDrag(e, nodeId));
      return;
    }
    const group = el.closest<HTMLElement>('[data-group-id]');
    if (group && (el.closest('.pg-group-title') || el.closest('.pg-group-resize'))) {
      if (el.closest('.pg-group-title-input')) return;
      e.preventDefault();
      blurActive();
      begin(e, groupDrag(e, group.dataset.groupId!, Boolean(el.closest('.pg-group-resize'))));
      return;
    }
    e.preventDefault();
    blurActive();
    begin(e, isBoxGesture(e) ? boxSelect(e) : pan(e));
  };

  const onPointerMove = (e: PointerEvent) => {
    ctrl.pointer = local(e);
  };

  const onWheel = (e: WheelEvent) => {
    const el = e.target as Element;
    if (el.closest('textarea, .pg-scroll, [data-testid="context-menu"]')) return;
    e.preventDefault();
    // Pixel, line and page deltas alike; a trackpad pinch arrives as a Ctrl+wheel with small deltas.
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
    const factor = Math.exp(-delta * WHEEL_ZOOM_BASE * zoomSpeed() * (e.ctrlKey ? 4 : 1));
    ctrl.setCamera(zoomAround(ctrl.camera, local(e), factor, MIN_ZOOM, MAX_ZOOM));
  };

  const onDoubleClick = (e: MouseEvent) => {
    const el = e.target as Element;
    if (el.closest('[data-testid="context-menu"], .pg-minimap')) return;
    const overviewNode = ctrl.isOverview() ? ctrl.nodeAt(local(e)) : undefined;
    if (overviewNode) {
      // In the overview a double-click zooms in to the node, where its widgets can be read and edited.
      ctrl.fit([overviewNode], 1);
      return;
    }
    const nodeId = nodeOf(el);
    if (nodeId) {
      if (el.closest('.pg-node-title') && !el.closest('.pg-title-input')) actions.renameNode(nodeId);
      return;
    }
    const group = el.closest<HTMLElement>('[data-group-id]');
    if (group && el.closest('.pg-group-title')) {
      actions.renameGroup(group.dataset.groupId!);
      return;
    }
    actions.doubleClickCanvas({ x: e.clientX, y: e.clientY }, ctrl.toGraph(local(e)));
  };

  const onContextMenu = (e: MouseEvent) => {
    const el = e.target as Element;
    if (el.closest('input, textarea') || el.closest('[data-testid="context-menu"]')) return;
    e.preventDefault();
    const at = local(e);
    ctrl.pointer = at;
    const client = { x: e.clientX, y: e.clientY };
    const nodeId = ctrl.isOverview() ? ctrl.nodeAt(at) : nodeOf(el);
    if (nodeId) {
      if (!ctrl.selection.has(nodeId)) ctrl.setSelection([nodeId]);
      actions.contextMenu(client, ctrl.toGraph(at), { kind: 'node', id: nodeId });
      return;
    }
    const group = el.closest<HTMLElement>('[data-group-id]');
    if (group) {
      actions.contextMenu(client, ctrl.toGraph(at), { kind: 'group', id: group.dataset.groupId! });
      return;
    }
    const link = linkHandleAt(ctrl.wirePaint(), at);
    actions.contextMenu(client, ctrl.toGraph(at), link ? { kind: 'link', link } : { kind: 'canvas' });
  };

  // Images and text in nodes never start a native drag-and-drop (which would also stop a pan).
  const onDragStart = (e: DragEvent) => e.preventDefault();
  // Nor a native text selection: the mouse press that follows a handled pointer press is cancelled too.
  const onMouseDown = (e: MouseEvent) => {
    if (!(e.target as Element).closest(NATIVE) && e.button !== 2) e.preventDefault();
  };
  const onFocusIn = (e: FocusEvent) => {
    ctrl.focusedNode = nodeOf(e.target as Element);
  };
  const onFocusOut = () => {
    ctrl.focusedNode = undefined;
  };

  container.addEventListener('pointerdown', onDown);
  container.addEventListener('pointermove', onPointerMove);
  container.addEventListener('wheel', onWheel, { passive: false });
  container.addEventListener('dblclick', onDoubleClick);
  container.addEventListener('contextmenu', onContextMenu);
  container.addEventListener('dragstart', onDragStart);
  container.addEventListener('mousedown', onMouseDown);
  container.addEventListener('focusin', onFocusIn);
  container.addEventListener('focusout', onFocusOut);
  return () => {
    container.removeEventListener('pointerdown', onDown);
    container.removeEventListener('pointermove', onPointerMove);
    container.removeEventListener('wheel', onWheel);
    container.removeEventListener('dblclick', onDoubleClick);
    container.removeEventListener('contextmenu', onContextMenu);
    container.removeEventListener('dragstart', onDragStart);
    container.removeEventListener('mousedown', onMouseDown);
    container.removeEventListener('focusin', onFocusIn);
    container.removeEventListener('focusout', onFocusOut);
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
  };
}

/** Like a click on the canvas, any press outside a widget ends a widget edit (so Delete then removes nodes, not text). */
function blurActive(): void {
  const active = document.activeElement as HTMLElement | null;
  if (active && active !== document.body) active.blur();
}
