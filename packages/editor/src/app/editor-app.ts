import * as core from '@piagraph/graph-core';
import type { ConnectionRequest, GraphDocument, LiteralValue, NodeMode, NodeRegistry } from '@piagraph/graph-core';
import { ApiClient } from '../api/http.js';
import { ServerSocket } from '../api/socket.js';
import { CanvasController, type CanvasElements } from '../canvas/controller.js';
import { installGestures } from '../canvas/gestures.js';
import type { Point } from '../canvas/geometry.js';
import { DEFAULT_GROUP_COLOUR, groupAround } from '../canvas/groups.js';
import { freeSpot } from '../canvas/free-space.js';
import { DEFAULT_WIDTH, layoutNode, OUTPUT_NODE_WIDTH, TITLE_HEIGHT } from '../canvas/node-layout.js';
import type { NodeServices } from '../components/node-services.js';
import { parseObjectInfo, type NodeSchema } from '../defs/object-info.js';
import { copyNodes, isClipboardData, pasteNodes, type ClipboardData } from '../document/clipboard.js';
import * as edits from '../document/edits.js';
import { applySeedAdvances, seedAdvances, SEED_CONTROL_KEY, type SeedControl } from '../document/seed-control.js';
import { registryFromSchemas } from '../defs/client-registry.js';
import { DocumentSession, DocumentStore } from '../document/store.js';
import { RunStore } from '../store/run-store.js';
import { canvasActions } from './canvas-actions.js';
import { loadFirstStartExample } from './example.js';
import { documentFromJson, UnsupportedGraphError } from '../document/import.js';
import { documentFromFile, downloadDocument, downloadJson } from './files.js';
import { LibraryActions } from '../tabs/library-actions.js';
import type { LibraryLink } from '../tabs/tab-list.js';
import { Workspace, type Tab } from '../tabs/workspace.js';
import { SettingsStore } from './settings.js';
import { validationNotice } from './error-text.js';
import { UiStore, type WireEnd } from './ui-store.js';

function randomClientId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The canvas operations the keyboard, palette, menus and scripted tests use. */
export interface ViewHandle {
  selectedIds(): string[];
  select(ids: string[]): void;
  /** The graph point under the mouse pointer. */
  pointer(): Point;
  /** The graph point at the centre of the canvas. */
  center(): Point;
  /** Graph coordinates of a client (page) point. */
  toGraph(client: Point): Point;
  zoomToFit(): Promise<void>;
  camera(): { x: number; y: number; zoom: number };
  setCamera(view: { x: number; y: number; zoom: number }): void;
}

/**
 * The editor application: owns the document store, run state, server connection and the canvas, and turns every
 * user action into a document edit (or a server call). UI components call its methods.
 */
export class EditorApp {
  readonly docs = new DocumentStore();
  readonly runs = new RunStore();
  readonly ui = new UiStore();
  readonly api = new ApiClient();
  readonly settings = new SettingsStore();
  /** The open tabs (each with its own graph, history, camera, selection and run results). */
  readonly tabs: Workspace;
  readonly library = new LibraryActions(this);
  schemas = new Map<string, NodeSchema>();
  registry: NodeRegistry = registryFromSchemas([]);
  readonly canvas: CanvasController;
  readonly handle: ViewHandle;
  readonly services: NodeServices;
  private readonly socket: ServerSocket;
  private clipboard: ClipboardData | undefined;
  private removeGestures: (() => void) | undefined;
  /** `start` was called (it runs once per page, even under StrictMode's double effects). */
  started = false;

  constructor() {
    this.canvas = new CanvasController(this.docs.doc, () => this.schemas);
    this.canvas.displayName = (classType) => this.schemas.get(classType)?.displayName ?? classType;
    this.handle = this.viewHandle();
    this.services = this.nodeServices();
    this.socket = new ServerSocket(sessionStorage.getItem('piagraph.clientId') ?? randomClientId(), {
      message: (msg) => {
        this.tabs.broadcast(msg);
        if (msg.type === 'status' || msg.type === 'execution_start' || msg.type === 'prompt_done') void this.refreshQueue();
      },
      binary: (msg) => {
        if (msg.kind === 'text') this.tabs.broadcast({ type: 'text', nodeId: msg.nodeId, text: msg.text });
        else this.tabs.broadcast({ type: 'preview', ...(msg.nodeId ? { nodeId: msg.nodeId } : {}), ...(msg.promptId ? { promptId: msg.promptId } : {}), url: URL.createObjectURL(new Blob([msg.bytes as Uint8Array<ArrayBuffer>], { type: msg.mime })) });
      },
      connection: (open) => this.ui.update({ connected: open }),
    });
    sessionStorage.setItem('piagraph.clientId', this.socket.clientId);
    this.docs.subscribe((doc) => this.canvas.setDocument(doc));
    const applySettings = () => {
      const { minimap, linkStyle } = this.settings.state;
      this.canvas.setSettings({ minimap, linkStyle });
    };
    applySettings();
    this.settings.subscribe(applySettings);
    this.tabs = new Workspace(this);
  }

  private nodeServices(): NodeServices {
    return {
      docs: this.docs,
      runs: this.runs,
      setValue: (id, input, value, generation) => {
        if (generation === this.docs.generation) this.setValue(id, input, value);
      },
      setSeedControl: (id, input, control) => this.setSeedControl(id, input, control),
      uploadImage: (id, input, file) => void this.uploadImage(id, input, file),
      schema: (classType) => this.schemas.get(classType),
      inputTooltip: (classType, input) => {
        const tip = (this.schemas.get(classType)?.inputs.find((i) => i.name === input)?.spec as { tooltip?: unknown } | undefined)?.tooltip;
        return typeof tip === 'string' ? tip : undefined;
      },
      outputName: (classType, index) => this.schemas.get(classType)?.outputs[index]?.name ?? this.canvas.scene.layout('')?.outputTypes[index] ?? String(index),
      finishRename: (id, title) => {
        this.canvas.setRenaming(undefined);
        if (title !== undefined) this.edit('Rename', (d) => core.setTitle(d, id, title === '' ? undefined : title));
      },
    };
  }

  private viewHandle(): ViewHandle {
    const c = this.canvas;
    return {
      selectedIds: () => [...c.selection].sort(),
      select: (ids) => c.setSelection(ids),
      pointer: () => c.toGraph(c.pointer),
      center: () => c.toGraph({ x: c.viewport.width / 2, y: c.viewport.height / 2 }),
      toGraph: (client) => c.toGraph(c.toCanvas(client)),
      zoomToFit: async () => {
        c.fit();
        await c.drawn();
      },
      camera: () => ({ x: c.camera.x, y: c.camera.y, zoom: c.camera.k }),
      setCamera: (view) => c.setCamera({ x: view.x, y: view.y, k: view.zoom }),
    };
  }

  /** Takes the canvas's drawing surfaces (from the React view) and installs its gestures. */
  attachCanvas(elements: CanvasElements): void {
    this.removeGestures?.();
    this.canvas.attach(elements);
    this.removeGestures = installGestures(this.canvas, canvasActions(this), () => this.settings.state.zoomSpeed);
  }

  /** Loads node definitions, restores the last session's tabs (or opens the example) and connects the socket. */
  async start(): Promise<void> {
    this.started = true;
    try {
      this.schemas = parseObjectInfo(await this.api.objectInfo());
      this.registry = registryFromSchemas(this.schemas.values());
    } catch (e) {
      this.ui.update({ failure: `Cannot load node definitions from the server: ${(e as Error).message}` });
      return;
    }
    await this.tabs.restore(loadFirstStartExample);
    this.ui.update({ ready: true });
    this.socket.open();
    void this.refreshQueue();
  }

  /** Replaces the open graph, places the camera (the saved one, else framing the graph), starts a fresh history. */
  async loadDocument(doc: GraphDocument, laidOut: boolean, dirty = false): Promise<void> {
    // A widget being edited commits into the graph it belongs to before that graph goes.
    this.blurCanvasWidget();
    this.runs.dispatch({ type: 'document_opened' });
    this.canvas.setSelection([]);
    this.docs.load(doc, dirty);
    if (!laidOut) await this.arrange();
    else if (doc.view) this.handle.setCamera(doc.view);
    else this.canvas.openView();
    await this.canvas.drawn();
  }

  private blurCanvasWidget(): void {
    const active = document.activeElement;
    if (active instanceof HTMLElement && active.closest('[data-testid="canvas"]')) active.blur();
  }

  /**
   * Lets go of everything tied to the graph shown now before another tab takes its place: a widget being edited
   * commits into its own graph, a title being renamed and an open search or menu close.
   */
  leaveView(): void {
    this.blurCanvasWidget();
    this.docs.endGroup();
    this.canvas.setRenaming(undefined);
    this.canvas.setRenamingGroup(undefined);
    if (this.ui.state.search || this.ui.state.menu) this.ui.update({ search: undefined, menu: undefined });
  }

  /** Commits an edit; graph-core's refusals (a cycle, an unknown node) become a notice instead of an exception. */
  edit(label: string, make: (doc: GraphDocument) => core.EditResult): boolean {
    try {
      this.docs.commit(label, make);
      return true;
    } catch (e) {
      this.notify((e as Error).message, 'error');
      return false;
    }
  }

  /** Adds a node where it covers no other, as close to the middle of the view as that allows (a palette click). */
  addNodeInFreeSpace(schema: NodeSchema): string | undefined {
    const size = layoutNode({ id: '', classType: schema.classType }, schema, new Set());
    const centre = this.handle.center();
    const view = this.canvas.viewRect();
    const inset = { x: view.x + 10, y: view.y + 10, width: view.width - 20, height: view.height - 20 };
    const occupied = [...this.canvas.scene.rects()].map(([, r]) => r);
    const at = freeSpot({ x: centre.x - size.width / 2, y: centre.y - size.height / 2 }, size, occupied, inset);
    return this.addNode(schema, at);
  }

  addNode(schema: NodeSchema, at: { x: number; y: number }): string | undefined {
    let id: string | undefined;
    const position = { x: Math.round(at.x), y: Math.round(at.y) };
    this.edit(`Add ${schema.displayName}`, (d) => {
      const r = core.addNode(d, { classType: schema.classType, position }, this.registry);
      id = r.nodeId;
      return r;
    });
    return id;
  }

  /**
   * Connects an output to an input, replacing the input's link. The type rule looks through reroutes (whose own
   * output is untyped) at what really feeds them; a refusal is a notice. False when refused.
   */
  connect(request: ConnectionRequest): boolean {
    const from = this.canvas.scene.outputType(request.source.node, request.source.output);
    const to = this.canvas.scene.layout(request.target.node)?.inputTypes[request.target.input];
    if (from && to && !core.areTypesCompatible(from, to)) {
      this.notify(`Cannot connect a ${from} output to the ${to} input "${request.target.input}"`, 'error');
      return false;
    }
    return this.edit('Connect', (d) => core.connect(d, this.registry, request));
  }

  /**
   * Adds a node chosen for a wire dropped on empty canvas and connects it, as one edit: a wire from an output feeds
   * the new node's first input that takes its type (socket inputs before widgets); a wire from an input is fed by
   * the new node's first output of a fitting type. The node is placed with that socket at the drop point.
   */
  addNodeForWire(schema: NodeSchema, at: { x: number; y: number }, wire: WireEnd): string | undefined {
    const fromOutput = wire.side === 'output';
    const inputs = [...schema.inputs.filter((i) => !i.widget), ...schema.inputs.filter((i) => i.widget)];
    const input = fromOutput ? inputs.find((i) => core.areTypesCompatible(wire.type, i.spec.type)) : undefined;
    const output = fromOutput ? -1 : schema.outputs.findIndex((o) => core.areTypesCompatible(o.type, wire.type));
    if (fromOutput ? !input : output < 0) return this.addNode(schema, at);
    const width = schema.outputNode ? OUTPUT_NODE_WIDTH : DEFAULT_WIDTH;
    const position = { x: Math.round(fromOutput ? at.x : at.x - width), y: Math.round(at.y - TITLE_HEIGHT) };
    let id: string | undefined;
    this.edit(`Add ${schema.displayName}`, (d) =>
      edits.composeEdits(d, [
        (x) => {
          const r = core.addNode(x, { classType: schema.classType, position }, this.registry);
          id = r.nodeId;
          return r;
        },
        (x) =>
          fromOutput
            ? core.connect(x, this.registry, { source: { node: wire.node, output: Number(wire.key) }, target: { node: id!, input: input!.name } })
            : core.connect(x, this.registry, { source: { node: id!, output }, target: { node: wire.node, input: wire.key } }),
      ]),
    );
    return id;
  }

  /** Adds one of the editor's own nodes (a reroute, a note) at a graph point. */
  addFrontendNode(classType: string, at: { x: number; y: number }): string | undefined {
    let id: string | undefined;
    this.edit(`Add ${classType}`, (d) => {
      const r = core.addNode(d, { classType, position: { x: Math.round(at.x), y: Math.round(at.y) } }, this.registry);
      id = r.nodeId;
      return r;
    });
    return id;
  }

  /** Puts a reroute on a link at `at` (its top-left corner), as one edit. */
  insertReroute(linkId: string, at: { x: number; y: number }): void {
    const link = this.docs.doc.links[linkId];
    if (!link) return;
    this.edit('Add reroute', (d) => {
      let rerouteId = '';
      return edits.composeEdits(d, [
        (x) => {
          const r = core.addNode(x, { classType: 'Reroute', position: { x: Math.round(at.x), y: Math.round(at.y) } }, this.registry);
          rerouteId = r.nodeId;
          return r;
        },
        (x) => core.connect(x, this.registry, { source: link.source, target: { node: rerouteId, input: 'input' } }),
        (x) => core.connect(x, this.registry, { source: { node: rerouteId, output: 0 }, target: link.target }),
      ]);
    });
  }

  setCollapsed(ids: string[], collapsed: boolean): void {
    this.edit(collapsed ? 'Collapse' : 'Expand', (d) => edits.setNodesUi(d, ids, 'collapsed', collapsed ? true : undefined));
  }

  setPinned(ids: string[], pinned: boolean): void {
    this.edit(pinned ? 'Pin' : 'Unpin', (d) => edits.setNodesUi(d, ids, 'pinned', pinned ? true : undefined));
  }

  /** Makes a group around nodes (Ctrl+G), titled "Group", in the default colour. */
  groupNodes(ids: string[]): void {
    const bounds = groupAround(ids.map((id) => this.canvas.scene.rect(id)).filter((r): r is NonNullable<typeof r> => Boolean(r)));
    if (!bounds) return;
    this.edit('Group', (d) => edits.addGroup(d, { title: 'Group', bounds, color: DEFAULT_GROUP_COLOUR }));
  }

  disconnect(linkId: string): void {
    this.edit('Disconnect', (d) => core.disconnect(d, linkId));
  }

  removeNodes(ids: string[]): void {
    if (!ids.length) return;
    this.edit(ids.length > 1 ? `Delete ${ids.length} nodes` : 'Delete node', (d) => core.removeNode(d, ids));
  }

  toggleMode(ids: string[], mode: Exclude<NodeMode, 'active'>): void {
    if (!ids.length) return;
    const allSet = ids.every((id) => this.docs.doc.nodes[id]?.mode === mode);
    this.edit(allSet ? 'Activate' : mode === 'bypassed' ? 'Bypass' : 'Mute', (d) => core.setMode(d, ids, allSet ? 'active' : mode));
  }

  setValue(id: string, input: string, value: LiteralValue): void {
    this.edit(`Set ${input}`, (d) => core.setValue(d, id, input, value));
  }

  setSeedControl(id: string, input: string, control: SeedControl): void {
    const current = (this.docs.doc.nodes[id]?.ui?.[SEED_CONTROL_KEY] ?? {}) as Record<string, unknown>;
    this.edit(`Seed control ${control}`, (d) => edits.setNodeUi(d, id, SEED_CONTROL_KEY, { ...current, [input]: control }));
  }

  async uploadImage(id: string, input: string, file: File): Promise<void> {
    const tab = this.tabs.active;
    const loads = tab.session.loadCount;
    try {
      const stored = await this.api.uploadImage(file, file.name);
      // An upload may keep the name the widget already shows (an overwrite): the thumbnail must reload anyway.
      this.tabs.broadcast({ type: 'inputs_changed' });
      // The upload finished after another graph was opened in its tab: it belongs to the graph that is gone. In a
      // tab now in the background, it still lands in its own graph.
      if (!this.tabs.holds(tab, loads)) return;
      const value = stored.subfolder ? `${stored.subfolder}/${stored.name}` : stored.name;
      this.tabs.commitIn(tab, `Set ${input}`, (d) => core.setValue(d, id, input, value));
    } catch (e) {
      this.notify(`Upload failed: ${(e as Error).message}`, 'error');
    }
  }

  /** The input of a node that takes an uploaded image (Load Image's `image`), if it has one. */
  imageInputOf(nodeId: string): string | undefined {
    const schema = this.schemas.get(this.docs.doc.nodes[nodeId]?.classType ?? '');
    return schema?.inputs.find((i) => (i.spec as { image_upload?: boolean }).image_upload)?.name;
  }

  /**
   * A file dropped on the canvas: an image dropped on a Load Image node is uploaded into it; anything else is opened
   * as a graph (JSON, or media with an embedded graph); an image that holds no graph becomes a new Load Image node.
   */
  async dropFile(file: File, client: Point, nodeId?: string): Promise<void> {
    const input = nodeId ? this.imageInputOf(nodeId) : undefined;
    if (nodeId && input && file.type.startsWith('image/')) return this.uploadImage(nodeId, input, file);
    try {
      const { doc, laidOut } = await documentFromFile(file, this.registry);
      await this.openDocument(doc, laidOut, file.name);
    } catch (e) {
      if (e instanceof UnsupportedGraphError && file.type.startsWith('image/')) await this.addImageNode(file, this.handle.toGraph(client));
      else this.notify(`Cannot open ${file.name}: ${(e as Error).message}`, 'error');
    }
  }

  /** A pasted image: into the selected Load Image node, else into a new one under the pointer. */
  async pasteImage(file: File): Promise<void> {
    const target = this.handle.selectedIds().find((id) => this.imageInputOf(id));
    if (target) return this.uploadImage(target, this.imageInputOf(target)!, file);
    await this.addImageNode(file, this.handle.pointer());
  }

  /** Uploads an image and adds a node that loads it (the first class with an image upload), as one edit. */
  private async addImageNode(file: File, at: Point): Promise<void> {
    const schema = [...this.schemas.values()].find((s) => s.inputs.some((i) => (i.spec as { image_upload?: boolean }).image_upload));
    if (!schema) return this.notify('No node here loads images', 'error');
    const input = schema.inputs.find((i) => (i.spec as { image_upload?: boolean }).image_upload)!.name;
    const tab = this.tabs.active;
    const loads = tab.session.loadCount;
    try {
      const stored = await this.api.uploadImage(file, file.name || 'pasted.png');
      this.tabs.broadcast({ type: 'inputs_changed' });
      if (!this.tabs.holds(tab, loads)) return;
      const value = stored.subfolder ? `${stored.subfolder}/${stored.name}` : stored.name;
      this.tabs.commitIn(tab, `Add ${schema.displayName}`, (d) => core.addNode(d, { classType: schema.classType, position: { x: Math.round(at.x), y: Math.round(at.y) }, values: { [input]: value } }, this.registry));
    } catch (e) {
      this.notify(`Upload failed: ${(e as Error).message}`, 'error');
    }
  }

  copy(): void {
    const ids = this.handle.selectedIds();
    if (!ids.length) return;
    this.clipboard = copyNodes(this.docs.doc, ids);
    void navigator.clipboard?.writeText(JSON.stringify(this.clipboard)).catch(() => undefined);
  }

  async paste(text?: string): Promise<void> {
    let data = this.clipboard;
    if (text) {
      try {
        const json: unknown = JSON.parse(text);
        if (isClipboardData(json)) data = json;
      } catch {
        // Not ours: fall back to the in-page clipboard.
      }
    }
    if (!data?.nodes.length) return;
    const at = this.handle.pointer();
    const first = data.nodes[0]!.position;
    const { result, ids } = pasteNodes(this.docs.doc, data, { x: Math.round(at.x - first.x), y: Math.round(at.y - first.y) }, this.registry);
    this.docs.commit('Paste', () => result);
    this.handle.select(ids);
  }

  duplicate(ids: string[]): void {
    const { result } = pasteNodes(this.docs.doc, copyNodes(this.docs.doc, ids), { x: 40, y: 40 }, this.registry);
    this.docs.commit('Duplicate', () => result);
  }

  undo(): void {
    this.docs.undo();
  }

  redo(): void {
    this.docs.redo();
  }

  async arrange(): Promise<void> {
    const { arrangeNodes } = await import('../canvas/arrange.js');
    const positions = await arrangeNodes(this.canvas.scene);
    this.edit('Arrange', (d) => core.moveNodes(d, positions));
    await this.handle.zoomToFit();
  }

  /**
   * Queues the graph `count` times (the batch count by default), each time with its seed widgets advanced by their
   * control modes; an advance is kept (one undo step) only when the server queued that prompt, so a refused or failed
   * queue leaves the seeds as they were and stops the batch. `front` puts the prompts at the head of the queue
   * (Ctrl+Shift+Enter). Validation errors land on their nodes.
   */
  async queue(options: { front?: boolean; count?: number } = {}): Promise<void> {
    const count = Math.max(1, Math.min(100, Math.round(options.count ?? this.ui.state.batchCount)));
    // The prompts belong to the tab they were queued from, even when another tab is shown before they are queued.
    const tab = this.tabs.active;
    const loads = tab.session.loadCount;
    this.runs.dispatch({ type: 'clear_errors' });
    for (let i = 0; i < count; i++) {
      if (!this.tabs.holds(tab, loads) || !(await this.queueOnce(tab, options.front ?? false))) break;
    }
    void this.refreshQueue();
  }

  private async queueOnce(tab: Tab, front: boolean): Promise<boolean> {
    const doc = tab.session.doc;
    const loads = tab.session.loadCount;
    const advances = seedAdvances(doc, this.schemas);
    const graph = applySeedAdvances(doc, advances).doc;
    // The id is chosen here so the run's first events, which may beat the HTTP answer, are known to be this graph's.
    const promptId = randomClientId();
    this.tabs.dispatchIn(tab, { type: 'submitted', promptId });
    try {
      const result = await this.api.queue({ graph }, this.socket.clientId, { promptId, front });
      if (result.ok) {
        this.tabs.dispatchIn(tab, { type: 'queued', promptId: result.promptId });
        if (this.tabs.holds(tab, loads)) this.tabs.commitIn(tab, 'Queue: advance seeds', (d) => applySeedAdvances(d, advances));
        return true;
      }
      this.tabs.dispatchIn(tab, { type: 'rejected', promptId, error: result.error, nodeErrors: result.nodeErrors });
      this.notify(validationNotice(result.error, result.nodeErrors, doc, (c) => this.schemas.get(c)?.displayName ?? c), 'error');
    } catch (e) {
      this.tabs.dispatchIn(tab, { type: 'rejected', promptId, error: { type: 'invalid_prompt', message: 'Queue failed', details: '', extra_info: {} }, nodeErrors: {} });
      this.notify(`Queue failed: ${(e as Error).message}`, 'error');
    }
    return false;
  }

  /** Refreshes the queue and the recent jobs (the panel's two lists). */
  async refreshQueue(): Promise<void> {
    try {
      const [queue, history] = await Promise.all([this.api.queueSnapshot(), this.api.jobs(50)]);
      this.ui.update({ queue, history });
    } catch {
      // The socket's reconnect reports a server that went away.
    }
  }

  /**
   * Opens the graph a past job ran: the piagraph document or UI workflow it was submitted as (kept in its
   * `extra_pnginfo`), else its API prompt.
   */
  async openJobGraph(id: string): Promise<void> {
    try {
      const job = await this.api.job(id);
      const info = (job.extraData['extra_pnginfo'] ?? {}) as Record<string, unknown>;
      const source = info['piagraph'] ?? info['workflow'] ?? job.prompt;
      const { doc, laidOut } = documentFromJson(source, this.registry);
      await this.openDocument(doc, laidOut, `run ${id.slice(0, 8)}`);
    } catch (e) {
      this.notify(`Cannot open the graph of run ${id.slice(0, 8)}: ${(e as Error).message}`, 'error');
    }
  }

  async cancel(promptId: string, running: boolean): Promise<void> {
    await (running ? this.api.interrupt(promptId) : this.api.deleteQueued([promptId])).catch((e: Error) => this.notify(e.message, 'error'));
    void this.refreshQueue();
  }

  async setPaused(paused: boolean): Promise<void> {
    try {
      await this.api.setPaused(paused);
      this.ui.update({ paused });
    } catch (e) {
      this.notify(`Could not ${paused ? 'pause' : 'resume'} the queue: ${(e as Error).message}`, 'error');
    }
  }

  save(): void {
    const doc = { ...this.docs.doc, view: this.handle.camera() };
    downloadDocument(doc, doc.metadata.title || 'graph');
    this.docs.markSaved();
  }

  async open(file: File): Promise<void> {
    try {
      const { doc, laidOut } = await documentFromFile(file, this.registry);
      await this.openDocument(doc, laidOut, file.name);
    } catch (e) {
      this.notify(`Cannot open ${file.name}: ${(e as Error).message}`, 'error');
    }
  }

  /**
   * Offers the API-format prompt of the open graph (what `POST /prompt` and other ComfyUI tools take) as a download:
   * muted nodes and notes left out, bypassed nodes and reroutes spliced out, links as `[node, output]`.
   */
  exportApiPrompt(): void {
    try {
      const prompt = core.documentToPrompt(this.docs.doc, this.registry);
      downloadJson(prompt, `${this.docs.doc.metadata.title || 'graph'}_api.json`);
    } catch (e) {
      this.notify(`Cannot export the API prompt: ${(e as Error).message}`, 'error');
    }
  }

  /**
   * Opens a graph read from somewhere (a file, a past run, the library) in a new tab, or in the shown tab when that
   * is an untouched empty graph, and says so. `library` ties the tab to the library graph it came from.
   */
  async openDocument(doc: GraphDocument, laidOut: boolean, name: string, library?: LibraryLink): Promise<void> {
    if (this.tabs.activeIsBlank()) {
      await this.loadDocument(doc, laidOut);
      this.tabs.link(this.tabs.active, library);
    } else {
      // The new tab shows the graph from its first frame (never an empty graph in between).
      await this.tabs.open(new DocumentSession(doc), library);
      if (!laidOut) await this.arrange();
    }
    this.notify(`Opened ${name}`, 'info');
  }

  /**
   * Starts an empty graph, as one undoable edit (Ctrl+Z brings the previous graph back), after asking when the
   * graph has unsaved changes.
   */
  async newGraph(): Promise<void> {
    if (this.docs.dirty && !(await this.ask('The graph has unsaved changes. Discard them and start a new graph? (Ctrl+Z brings it back.)', 'Discard'))) return;
    this.blurCanvasWidget();
    this.runs.dispatch({ type: 'document_opened' });
    this.docs.replace('New graph', edits.emptyDocument());
  }

  /** Asks the user a yes/no question in the editor's dialog; resolves with the answer. */
  ask(text: string, ok: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.ui.state.confirm?.answer(false);
      this.ui.update({
        confirm: {
          text,
          ok,
          answer: (yes) => {
            this.ui.update({ confirm: undefined });
            resolve(yes);
          },
        },
      });
    });
  }

  notify(text: string, kind: 'info' | 'error'): void {
    this.ui.update({ notice: { text, kind } });
  }
}
