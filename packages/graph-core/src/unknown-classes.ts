/**
 * Node classes no registered pack provides, reported the same way whatever format a graph came in: every unknown
 * class and every node using one, as ComfyUI's `invalid_prompt` error plus a `missing_node_type` entry per node
 * in `node_errors`, so a client can mark each node and name each missing pack.
 */
import type { NodeErrors, ValidationErrorItem } from './types/validation.js';

/** A node whose class is unknown. */
export interface UnknownClassNode {
  nodeId: string;
  classType: string;
  title?: string;
}

/** The distinct class names of `nodes`, sorted. */
export function unknownClassNames(nodes: readonly UnknownClassNode[]): string[] {
  return [...new Set(nodes.map((n) => n.classType))].sort();
}

/**
 * ComfyUI's answer to a prompt with unknown classes, for all of them: the prompt-level error (ComfyUI's own wording
 * when there is one class) and one `missing_node_type` error per node.
 */
export function unknownClassErrors(nodes: readonly UnknownClassNode[]): { error: ValidationErrorItem; nodeErrors: NodeErrors } {
  const classes = unknownClassNames(nodes);
  const message =
    classes.length === 1
      ? `Cannot execute because node ${classes[0]} does not exist.`
      : `Cannot execute because node types ${classes.join(', ')} do not exist.`;
  const details = nodes.map((n) => (classes.length === 1 ? `Node ID '#${n.nodeId}'` : `Node ID '#${n.nodeId}' (${n.classType})`)).join(', ');
  const nodeErrors: NodeErrors = {};
  for (const n of nodes) {
    nodeErrors[n.nodeId] = {
      class_type: n.classType,
      dependent_outputs: [],
      errors: [
        {
          type: 'missing_node_type',
          message: `Node '${n.classType}' not found. The custom node may not be installed.`,
          details: `Node ID '#${n.nodeId}'`,
          extra_info: { node_id: n.nodeId, class_type: n.classType, ...(n.title !== undefined ? { node_title: n.title } : {}) },
        },
      ],
    };
  }
  return {
    error: { type: 'invalid_prompt', message, details, extra_info: { class_types: classes, node_ids: nodes.map((n) => n.nodeId) } },
    nodeErrors,
  };
}

/** The nodes of a graph document whose class `isKnown` rejects, in document order. */
export function findUnknownClasses(
  nodes: Readonly<Record<string, { classType: string; title?: string }>>,
  isKnown: (classType: string) => boolean,
): UnknownClassNode[] {
  const unknown: UnknownClassNode[] = [];
  for (const [nodeId, node] of Object.entries(nodes)) {
    if (!isKnown(node.classType)) unknown.push({ nodeId, classType: node.classType, ...(node.title !== undefined ? { title: node.title } : {}) });
  }
  return unknown;
}
