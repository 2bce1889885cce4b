import {
  UnknownNodeTypeError,
  detectGraphFormat,
  findUnknownClasses,
  importComfyWorkflow,
  parseGraphDocument,
  promptToDocument,
  type GraphDocument,
  type NodeRegistry,
} from '@piagraph/graph-core';

/** Thrown when a file holds nothing the editor can open. */
export class UnsupportedGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedGraphError';
  }
}

/**
 * Reads graph JSON in any of the formats users bring, with graph-core's converters: a piagraph document (migrated
 * to the current version), a ComfyUI UI workflow, or an API prompt. `laidOut` is false when the positions are
 * only graph-core's column layout of a prompt, so the editor may arrange it. A graph using classes the server does
 * not have is refused with `UnknownNodeTypeError` naming all of them, whatever its format, rather than opened
 * half-usable (the UI workflow importer already refuses so).
 */
export function documentFromJson(json: unknown, registry: NodeRegistry): { doc: GraphDocument; laidOut: boolean } {
  const read = readDocument(json, registry);
  const unknown = findUnknownClasses(read.doc.nodes, (classType) => registry.has(classType));
  if (unknown.length > 0) throw new UnknownNodeTypeError([...new Set(unknown.map((n) => n.classType))].sort(), unknown);
  return read;
}

function readDocument(json: unknown, registry: NodeRegistry): { doc: GraphDocument; laidOut: boolean } {
  switch (detectGraphFormat(json)) {
    case 'piagraph-document':
      return { doc: parseGraphDocument(json), laidOut: true };
    case 'comfyui-workflow':
      return { doc: importComfyWorkflow(json, registry), laidOut: true };
    case 'api-prompt':
      return { doc: promptToDocument(json, registry), laidOut: false };
    default:
      throw new UnsupportedGraphError('the file holds no piagraph document, ComfyUI workflow or API prompt');
  }
}
