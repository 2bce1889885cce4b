import { ClassicPreset, type GetSchemes } from 'rete';
import { areTypesCompatible, type DocLink, type DocNode } from '@piagraph/graph-core';
import type { NodeSchema } from '../defs/object-info.js';

/** A socket carrying one type name (possibly a union such as `IMAGE,LATENT`). One instance per type. */
export class TypedSocket extends ClassicPreset.Socket {
  constructor(readonly type: string) {
    super(type);
  }

  /** Whether an output of this type may feed an input of `input`'s type. */
  isCompatibleWith(input: TypedSocket): boolean {
    return areTypesCompatible(this.type, input.type);
  }
}

const sockets = new Map<string, TypedSocket>();

/** The shared socket instance of a type. */
export function socketFor(type: string): TypedSocket {
  let socket = sockets.get(type);
  if (!socket) {
    socket = new TypedSocket(type);
    sockets.set(type, socket);
  }
  return socket;
}

/**
 * The Rete node of one document node. Its ports mirror the schema: inputs keyed by input name, outputs keyed by
 * output index (`"0"`, `"1"`, …) because document links address outputs by index. It holds no values: the node
 * component reads them from the document store.
 */
export class EditorNode extends ClassicPreset.Node<
  Record<string, TypedSocket>,
  Record<string, TypedSocket>,
  Record<string, never>
> {
  /** Fixed layout width in px; the height follows the content and is measured for auto-arrange. */
  width = 260;
  height = 120;

  constructor(
    id: string,
    readonly classType: string,
    readonly schema: NodeSchema | undefined,
  ) {
    super(schema?.displayName ?? classType);
    this.id = id;
    if (schema?.outputNode) this.width = 300;
  }
}

/** A Rete connection whose id is the document link's id. */
export class EditorConnection extends ClassicPreset.Connection<ClassicPreset.Node, ClassicPreset.Node> {}

export type Schemes = GetSchemes<EditorNode, EditorConnection>;

/**
 * Builds the Rete node of a document node. A class the server does not know (a missing node pack) still gets the
 * ports its links use, so that the graph survives a round trip through the editor.
 */
export function createEditorNode(node: DocNode, schema: NodeSchema | undefined, links: Iterable<DocLink>): EditorNode {
  const view = new EditorNode(node.id, node.classType, schema);
  if (schema) {
    for (const input of schema.inputs) {
      view.addInput(input.name, new ClassicPreset.Input(socketFor(input.spec.type), input.name));
    }
    schema.outputs.forEach((output, i) => {
      view.addOutput(String(i), new ClassicPreset.Output(socketFor(output.type), output.name));
    });
    return view;
  }
  for (const link of links) {
    if (link.target.node === node.id && !view.inputs[link.target.input]) {
      view.addInput(link.target.input, new ClassicPreset.Input(socketFor(link.type), link.target.input));
    }
    if (link.source.node === node.id && !view.outputs[String(link.source.output)]) {
      view.addOutput(String(link.source.output), new ClassicPreset.Output(socketFor(link.type), link.type));
    }
  }
  return view;
}
