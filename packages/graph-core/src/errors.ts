/**
 * graph-core's errors. Each carries a machine-readable `type`, the ids it concerns, and `details` a UI can show,
 * so callers branch on data rather than on message text.
 */

/** Base class of every error graph-core throws. */
export class GraphCoreError extends Error {
  override name = 'GraphCoreError';
  constructor(
    /** Machine-readable kind, e.g. `incompatible_types`. */
    readonly type: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A saved graph (document, API prompt or ComfyUI workflow) is malformed; `path` locates the bad field. */
export class GraphFormatError extends GraphCoreError {
  override name = 'GraphFormatError';
  constructor(
    /** Where the problem is, e.g. `nodes["3"].position.x`; empty for the whole value. */
    readonly path: string,
    reason: string,
    type = 'invalid_format',
    details: Record<string, unknown> = {},
  ) {
    super(type, path ? `${path}: ${reason}` : reason, { path, ...details });
  }
}

/**
 * A graph uses node classes that no registered pack provides. `classTypes` lists every one (sorted); `nodes`, when
 * the reader knows them, the nodes that use them.
 */
export class UnknownNodeTypeError extends GraphFormatError {
  override name = 'UnknownNodeTypeError';
  constructor(
    readonly classTypes: readonly string[],
    readonly nodes: readonly { nodeId: string; classType: string; title?: string }[] = [],
  ) {
    super(
      '',
      `unknown node type${classTypes.length > 1 ? 's' : ''}: ${classTypes.join(', ')} (is the node pack installed?)`,
      'unknown_node_type',
      { classTypes },
    );
  }
}

/** A node or socket type registration is invalid (duplicate class name, bad definition). */
export class RegistryError extends GraphCoreError {
  override name = 'RegistryError';
}

/** An edit names a node, link or input that does not exist. */
export class GraphEditError extends GraphCoreError {
  override name = 'GraphEditError';
}

/** Why a connection was refused. */
export type ConnectionErrorType =
  | 'unknown_node'
  | 'unknown_class'
  | 'unknown_output'
  | 'unknown_input'
  | 'incompatible_types'
  | 'self_link'
  | 'cycle';

/** `connect` refused a link. */
export class ConnectionError extends GraphCoreError {
  override name = 'ConnectionError';
  constructor(
    override readonly type: ConnectionErrorType,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(type, message, details);
  }
}

/** The graph has a dependency cycle; `cycle` lists the node ids on it, in link order. */
export class GraphCycleError extends GraphCoreError {
  override name = 'GraphCycleError';
  constructor(readonly cycle: readonly string[]) {
    super('dependency_cycle', `dependency cycle through nodes ${cycle.join(' -> ')} -> ${cycle[0] ?? ''}`, {
      cycle,
    });
  }
}

/** Thrown inside a node (by `ctx.progress`) when the run was interrupted. */
export class InterruptedError extends GraphCoreError {
  override name = 'InterruptedError';
  constructor(readonly nodeId?: string) {
    super('interrupted', nodeId ? `execution interrupted in node ${nodeId}` : 'execution interrupted');
  }
}

/** Wraps something a node threw that was not an `Error` (a string, an object), keeping it as `thrown`. */
export class NodeExecutionError extends GraphCoreError {
  override name = 'NodeExecutionError';
  constructor(
    readonly nodeId: string,
    readonly classType: string,
    message: string,
    readonly thrown?: unknown,
  ) {
    super('node_execution_failed', message, { nodeId, classType });
  }
}
