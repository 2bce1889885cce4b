import type { NodeEditor } from 'rete';
import type { ConnectionRequest, DocLink, GraphDocument } from '@piagraph/graph-core';
import type { SchemaMap } from '../defs/object-info.js';
import { createEditorNode, EditorConnection, type EditorNode, type Schemes } from './schemes.js';

/** Where nodes sit on the canvas (the area plugin in the browser, a map in tests). */
export interface NodeLayout {
  translate(id: string, x: number, y: number): Promise<void>;
  position(id: string): { x: number; y: number } | undefined;
}

/** What the user asked for on the canvas, to be turned into document edits by the caller. */
export interface UserIntents {
  connect(request: ConnectionRequest): void;
  disconnect(linkId: string): void;
  removeNode(nodeId: string): void;
}

/** The output socket type of a connection's source and the input socket type of its target, if both exist. */
function connectionTypes(editor: NodeEditor<Schemes>, c: EditorConnection): { from: string; to: string } | undefined {
  const from = editor.getNode(c.source)?.outputs[c.sourceOutput]?.socket;
  const to = editor.getNode(c.target)?.inputs[c.targetInput]?.socket;
  return from && to ? { from: from.type, to: to.type } : undefined;
}

/** Whether a connection joins an output to an input whose types are compatible (graph-core's rule). */
export function canConnect(editor: NodeEditor<Schemes>, c: EditorConnection): boolean {
  const types = connectionTypes(editor, c);
  if (!types) return false;
  const from = editor.getNode(c.source)!.outputs[c.sourceOutput]!.socket;
  const to = editor.getNode(c.target)!.inputs[c.targetInput]!.socket;
  return c.source !== c.target && from.isCompatibleWith(to);
}

/**
 * Keeps the Rete editor a view of the document. `render(doc)` diffs the document against what Rete shows and
 * applies only the difference. Gestures that would change the graph (drawing, picking up or
 * deleting) are cancelled in Rete's pipe and reported as intents; the resulting document edit comes back
 * through `render`, so Rete never holds a change the document does not have.
 */
export class DocumentSync {
  private rendered: GraphDocument | undefined;
  private applying = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly editor: NodeEditor<Schemes>,
    private readonly layout: NodeLayout,
    private readonly schemas: () => SchemaMap,
    private readonly intents: UserIntents,
  ) {
    editor.addPipe((ctx) => {
      if (ctx.type === 'connectioncreate') {
        if (!canConnect(editor, ctx.data)) return undefined;
        if (this.applying === 0) {
          this.intents.connect({
            source: { node: ctx.data.source, output: Number(ctx.data.sourceOutput) },
            target: { node: ctx.data.target, input: String(ctx.data.targetInput) },
          });
          return undefined;
        }
      }
      if (this.applying === 0 && ctx.type === 'connectionremove') {
        this.intents.disconnect(ctx.data.id);
        return undefined;
      }
      if (this.applying === 0 && ctx.type === 'noderemove') {
        this.intents.removeNode(ctx.data.id);
        return undefined;
      }
      return ctx;
    });
  }

  /** Whether a render is being applied now. */
  get busy(): boolean {
    return this.applying > 0;
  }

  /** The document Rete currently shows. */
  get document(): GraphDocument | undefined {
    return this.rendered;
  }

  /** Brings Rete in line with `doc`. Calls are serialised; each one diffs against the previous. */
  render(doc: GraphDocument): Promise<void> {
    this.queue = this.queue.then(() => this.apply(doc));
    return this.queue;
  }

  private async apply(doc: GraphDocument): Promise<void> {
    this.applying++;
    try {
      // Diff against what Rete holds, not the previous document: a load may reuse ids for other classes.
      const stale = new Set<string>();
      for (const view of this.editor.getNodes()) {
        if (doc.nodes[view.id]?.classType !== view.classType) stale.add(view.id);
      }
      for (const c of this.editor.getConnections()) {
        const link = doc.links[c.id];
        const same =
          link &&
          link.source.node === c.source &&
          String(link.source.output) === String(c.sourceOutput) &&
          link.target.node === c.target &&
          link.target.input === String(c.targetInput);
        if (!same || stale.has(c.source) || stale.has(c.target)) await this.editor.removeConnection(c.id);
      }
      for (const id of stale) await this.editor.removeNode(id);
      const links = Object.values(doc.links);
      for (const [id, node] of Object.entries(doc.nodes)) {
        if (!this.editor.getNode(id)) {
          await this.editor.addNode(createEditorNode(node, this.schemas().get(node.classType), links));
          await this.layout.translate(id, node.position.x, node.position.y);
          continue;
        }
        const at = this.layout.position(id);
        if (!at || at.x !== node.position.x || at.y !== node.position.y) {
          await this.layout.translate(id, node.position.x, node.position.y);
        }
      }
      for (const [id, link] of Object.entries(doc.links)) {
        if (!this.editor.getConnection(id)) await this.addConnection(id, link);
      }
      this.rendered = doc;
    } finally {
      this.applying--;
    }
  }

  private async addConnection(id: string, link: DocLink): Promise<void> {
    const source = this.editor.getNode(link.source.node);
    const target = this.editor.getNode(link.target.node);
    if (!source || !target) return;
    if (!source.outputs[String(link.source.output)] || !target.inputs[link.target.input]) return;
    const connection = new EditorConnection(source, String(link.source.output), target, link.target.input);
    connection.id = id;
    await this.editor.addConnection(connection);
  }

  /** Positions of every node whose canvas position differs from the document (after a drag). */
  movedNodes(doc: GraphDocument): Record<string, { x: number; y: number }> {
    const moved: Record<string, { x: number; y: number }> = {};
    for (const node of this.editor.getNodes() as EditorNode[]) {
      const at = this.layout.position(node.id);
      const inDoc = doc.nodes[node.id]?.position;
      if (at && inDoc && (at.x !== inDoc.x || at.y !== inDoc.y)) moved[node.id] = { x: at.x, y: at.y };
    }
    return moved;
  }
}
