import { createRoot } from 'react-dom/client';
import { NodeEditor } from 'rete';
import { AreaExtensions, AreaPlugin, Drag } from 'rete-area-plugin';
import type { AutoArrangePlugin } from 'rete-auto-arrange-plugin';
import { ClassicFlow, ConnectionPlugin, getSourceTarget } from 'rete-connection-plugin';
import { ContextMenuPlugin, type ContextMenuExtra } from 'rete-context-menu-plugin';
import { MinimapPlugin, type MinimapExtra } from 'rete-minimap-plugin';
import { Presets as ReactPresets, ReactPlugin, type ReactArea2D } from 'rete-react-plugin';
import { makeConnectionComponent } from '../components/ConnectionView.js';
import { makeNodeComponent } from '../components/NodeView.js';
import type { NodeServices } from '../components/node-services.js';
import { SocketView } from '../components/SocketView.js';
import type { SchemaMap } from '../defs/object-info.js';
import { areTypesCompatible } from '@piagraph/graph-core';
import { contextMenuItems, type MenuActions } from './context-menu.js';
import { installBoxSelection, isBoxGesture, type Rect } from './box-select.js';
import { GroupDrag } from './group-drag.js';
import type { EditorNode, Schemes } from './schemes.js';
import { throttleMinimap } from './minimap-throttle.js';
import { BatchedSocketPosition } from './socket-positions.js';
import { DocumentSync, type UserIntents } from './sync.js';

/**
 * Below this zoom, nodes draw their widgets as plain boxes (the text is unreadable there and costly to paint). Under
 * Fit's zoom for the first-start example in a common window (about 0.48 at 1400×860), so a first Fit shows widgets.
 */
export const DETAIL_ZOOM = 0.35;

export type AreaExtra = ReactArea2D<Schemes> | ContextMenuExtra | MinimapExtra;

export interface EditorDeps {
  services: NodeServices;
  schemas: () => SchemaMap;
  intents: UserIntents;
  menu: MenuActions;
  /** The user dragged nodes and let go: commit their new positions. */
  onNodesMoved(positions: Record<string, { x: number; y: number }>): void;
  /** Double-click on empty canvas, in client and graph coordinates. */
  onCanvasDoubleClick(client: { x: number; y: number }, graph: { x: number; y: number }): void;
  /** The selection changed. */
  onSelectionChanged?(): void;
  /** A pointer gesture on the canvas starts and ends: the edits it makes in between are one undo step. */
  gesture?: { start(): void; end(): void };
}

/** The running editor: Rete, its area, the document view, and the canvas operations the app needs. */
export interface EditorHandle {
  editor: NodeEditor<Schemes>;
  area: AreaPlugin<Schemes, AreaExtra>;
  sync: DocumentSync;
  selectedIds(): string[];
  select(ids: string[]): Promise<void>;
  /** The graph point under the mouse pointer. */
  pointer(): { x: number; y: number };
  /** The graph point at the centre of the canvas. */
  center(): { x: number; y: number };
  /** Graph coordinates of a client (page) point. */
  toGraph(client: { x: number; y: number }): { x: number; y: number };
  zoomToFit(): Promise<void>;
  camera(): { x: number; y: number; zoom: number };
  setCamera(view: { x: number; y: number; zoom: number }): Promise<void>;
  /** Lays the graph out with ELK and returns the new positions (not yet in the document). */
  arrange(): Promise<Record<string, { x: number; y: number }>>;
  destroy(): void;
}

/**
 * Builds the Rete editor inside `container`: area, connection drawing with the type rule, React rendering with
 * piagraph's node, socket and wire components, context menu, minimap and selection.
 */
export function createEditor(container: HTMLElement, deps: EditorDeps): EditorHandle {
  const editor = new NodeEditor<Schemes>();
  const area = new AreaPlugin<Schemes, AreaExtra>(container);
  const connection = new ConnectionPlugin<Schemes, AreaExtra>();
  const render = new ReactPlugin<Schemes, AreaExtra>({ createRoot });
  const contextMenu = new ContextMenuPlugin<Schemes>({
    items: (context) =>
      contextMenuItems(context === 'root' ? 'root' : (context as EditorNode), deps.schemas(), deps.menu, area, () =>
        editor.getNodes().filter((n) => n.selected).map((n) => n.id),
      ),
  });
  const minimap = new MinimapPlugin<Schemes>();
  const selector = AreaExtensions.selector();
  const ctrl = AreaExtensions.accumulateOnCtrl();
  const groupDrag = new GroupDrag(() => ctrl.active());
  // Before the selectable-nodes pipe, which reads `accumulates` when a node is picked.
  area.addPipe((ctx) => {
    if (ctx.type === 'nodepicked') groupDrag.press(ctx.data.id, editor.getNode(ctx.data.id)?.selected ?? false);
    if (ctx.type === 'nodetranslated') groupDrag.translated(ctx.data.id);
    return ctx;
  });
  const selectable = AreaExtensions.selectableNodes(area, selector, {
    accumulating: { active: () => groupDrag.accumulates() },
  });
  AreaExtensions.simpleNodesOrder(area);

  const NodeView = makeNodeComponent(deps.services);
  const ConnectionView = makeConnectionComponent((id) => deps.services.docs.doc.links[id]?.type);
  render.addPreset(
    ReactPresets.classic.setup({
      socketPositionWatcher: new BatchedSocketPosition<Schemes, AreaExtra>() as never,
      customize: {
        node: () => NodeView as never,
        socket: () => SocketView as never,
        connection: () => ConnectionView as never,
      },
    }),
  );
  render.addPreset(ReactPresets.contextMenu.setup({ delay: 200 }));
  render.addPreset(ReactPresets.minimap.setup({ size: 180 }));

  // Set when a drop onto a socket was refused during the current gesture (see the pointerup pipe below).
  let refusedDrop = false;
  connection.addPreset(
    () =>
      new ClassicFlow({
        // Refuse the drop while dragging, with the same rule the document guard applies.
        canMakeConnection(from, to) {
          const [source, target] = getSourceTarget(from, to) ?? [];
          const out = source && editor.getNode(source.nodeId)?.outputs[source.key]?.socket;
          const inp = target && editor.getNode(target.nodeId)?.inputs[target.key]?.socket;
          const ok = Boolean(out && inp && source.nodeId !== target.nodeId && areTypesCompatible(out.type, inp.type));
          if (!ok) refusedDrop = true;
          return ok;
        },
      }),
  );

  editor.use(area);
  let sync: DocumentSync | undefined;
  throttleMinimap(minimap, () => sync?.busy ?? false);
  area.use(connection);
  area.use(render);
  area.use(contextMenu);
  area.use(minimap);
  // ELK is most of the bundle's weight: load it on the first arrange, not with the page.
  let arrange: AutoArrangePlugin<Schemes, AreaExtra> | undefined;

  const layout = {
    translate: async (id: string, x: number, y: number) => {
      await area.translate(id, { x, y });
    },
    position: (id: string) => area.nodeViews.get(id)?.position,
  };
  sync = new DocumentSync(editor, layout, deps.schemas, deps.intents);

  area.addPipe((ctx) => {
    // Double-click opens the node search (as in ComfyUI) instead of zooming.
    if (ctx.type === 'zoom' && ctx.data.source === 'dblclick') return undefined;
    if (ctx.type === 'nodedragged') {
      const moved = sync.movedNodes(deps.services.docs.doc);
      if (Object.keys(moved).length) deps.onNodesMoved(moved);
      // Left picked, the node would drag the rest of the selection along when the document moves it (undo, load).
      selector.release();
      const narrow = groupDrag.release();
      if (narrow) void handle.select([narrow]);
    }
    if (ctx.type === 'zoomed') container.classList.toggle('pg-lod', area.area.transform.k < DETAIL_ZOOM);
    if (ctx.type === 'nodepicked') queueMicrotask(() => deps.onSelectionChanged?.());
    if (ctx.type === 'pointerdown') refusedDrop = false;
    // Rete's classic flow keeps a refused wire on the cursor; drop it instead, as ComfyUI does.
    if (ctx.type === 'pointerup' && refusedDrop) {
      refusedDrop = false;
      setTimeout(() => connection.drop(), 0);
    }
    return ctx;
  });

  const onDoubleClick = (e: MouseEvent) => {
    if ((e.target as HTMLElement).closest('.pg-node, [data-testid="context-menu"], [data-testid="minimap"]')) return;
    deps.onCanvasDoubleClick({ x: e.clientX, y: e.clientY }, toGraph({ x: e.clientX, y: e.clientY }));
  };
  container.addEventListener('dblclick', onDoubleClick);

  // Captured, so presses on sockets (which the connection plugin keeps to itself) count as gestures too.
  const onGestureStart = () => deps.gesture?.start();
  // After the drop's own (asynchronous) edits, which run in microtasks of this event.
  const onGestureEnd = () => setTimeout(() => deps.gesture?.end(), 0);
  container.addEventListener('pointerdown', onGestureStart, true);
  window.addEventListener('pointerup', onGestureEnd, true);

  // Plain drag on empty canvas pans; Ctrl/Shift+drag draws a selection rectangle instead.
  area.area.setDragHandler(
    new Drag({ down: (e) => !(e.pointerType === 'mouse' && e.button !== 0) && !isBoxGesture(e), move: () => true }),
  );
  const removeBoxSelection = installBoxSelection(container, {
    transform: () => area.area.transform,
    *bounds(): Iterable<[string, Rect]> {
      for (const [id, view] of area.nodeViews) {
        // Layout sizes, unaffected by the area's zoom (as Rete's own zoomAt measures nodes).
        yield [id, { ...view.position, width: view.element.offsetWidth, height: view.element.offsetHeight }];
      }
    },
    selected: () => handle.selectedIds(),
    select: (ids) => handle.select(ids),
  });

  function toGraph(client: { x: number; y: number }) {
    const rect = container.getBoundingClientRect();
    const { x, y, k } = area.area.transform;
    return { x: (client.x - rect.left - x) / k, y: (client.y - rect.top - y) / k };
  }

  const handle: EditorHandle = {
    editor,
    area,
    sync,
    selectedIds: () => editor.getNodes().filter((n) => n.selected).map((n) => n.id),
    async select(ids) {
      await selector.unselectAll();
      for (const id of ids) await selectable.select(id, true);
      deps.onSelectionChanged?.();
    },
    pointer: () => ({ ...area.area.pointer }),
    center() {
      const rect = container.getBoundingClientRect();
      return toGraph({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
    },
    toGraph,
    async zoomToFit() {
      // Wait for layout: the fit measures the rendered node elements.
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const nodes = editor.getNodes();
      if (nodes.length) await AreaExtensions.zoomAt(area, nodes, { scale: 0.9 });
    },
    camera() {
      const { x, y, k } = area.area.transform;
      return { x, y, zoom: k };
    },
    async setCamera(view) {
      await area.area.zoom(view.zoom, 0, 0);
      await area.area.translate(view.x, view.y);
    },
    async arrange() {
      const mod = await import('./arrange.js');
      arrange ??= mod.createArrange(area);
      return mod.arrangeNodes(editor, area, arrange);
    },
    destroy() {
      container.removeEventListener('dblclick', onDoubleClick);
      container.removeEventListener('pointerdown', onGestureStart, true);
      window.removeEventListener('pointerup', onGestureEnd, true);
      removeBoxSelection();
      ctrl.destroy();
      area.destroy();
    },
  };
  return handle;
}
