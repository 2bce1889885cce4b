import { isReservedId, type ApiPrompt, type NodeErrors, type NodeRegistry, type ValidationErrorItem } from '@piagraph/graph-core';

/**
 * The most nodes one prompt may have. Large ComfyUI workflows have hundreds; graph-core's benchmarks validate
 * 10 000 in milliseconds, and every step after validation (storing, running, the history) is linear in it.
 */
export const MAX_PROMPT_NODES = 10_000;

/**
 * The most output nodes one prompt may run. Real graphs have a handful. The bound matters because validation reports,
 * for every failing node, each output that depends on it (ComfyUI's `dependent_outputs`): that work and that answer
 * grow with outputs × nodes, which 10 000 outputs over a 20 000-node chain made minutes long and gigabytes big.
 * Measured (CPU time, loaded 2-core machine), validating a 10 000-node chain of failing nodes: 1 output 0.22 s,
 * 64 outputs 0.41 s, 255 outputs 1.2 s.
 */
export const MAX_PROMPT_OUTPUTS = 64;

/**
 * How many failing nodes an answer lists. Each lists at most `MAX_PROMPT_OUTPUTS` dependent outputs, so the answer
 * stays well under a megabyte where 10 000 failing nodes would make several.
 */
export const MAX_REPORTED_NODE_ERRORS = 1000;
/** Why a prompt cannot be queued before it is even validated (too big, a reserved node id), as ComfyUI's `invalid_prompt` (`extra_info.reason` says which); undefined when none. */
export function precheckPrompt(prompt: ApiPrompt, registry: NodeRegistry, targets: readonly string[] | undefined): ValidationErrorItem | undefined {
  const ids = Object.keys(prompt);
  const reserved = reservedNodeIdProblem(prompt);
  if (reserved) return reserved;
  if (ids.length > MAX_PROMPT_NODES) {
    return {
      type: 'invalid_prompt',
      message: `The prompt has ${ids.length} nodes; at most ${MAX_PROMPT_NODES} are allowed`,
      details: 'Split the graph, or run parts of it with partial_execution_targets.',
      extra_info: { reason: 'too_many_nodes', node_count: ids.length, max_nodes: MAX_PROMPT_NODES },
    };
  }
  let outputs = targets?.length ?? 0;
  if (!targets) {
    for (const id of ids) {
      const classType = (prompt[id] as { class_type?: unknown } | null)?.class_type;
      if (typeof classType === 'string' && registry.get(classType)?.outputNode) outputs++;
    }
  }
  if (outputs > MAX_PROMPT_OUTPUTS) {
    return {
      type: 'invalid_prompt',
      message: `The prompt has ${outputs} output nodes; at most ${MAX_PROMPT_OUTPUTS} can run in one prompt`,
      details: 'Queue the outputs in several prompts (partial_execution_targets picks some of them).',
      extra_info: { reason: 'too_many_outputs', output_count: outputs, max_outputs: MAX_PROMPT_OUTPUTS },
    };
  }
  return undefined;
}

/**
 * Node ids key plain objects all through validation and the history; "toString" or "__proto__" would find
 * Object.prototype's members there instead of nothing (and copying "__proto__" into another object sets its
 * prototype). Real ids are numbers ("12", "3:7" in subgraphs). Checked on the submitted graph too, before any copy.
 */
export function reservedNodeIdProblem(graph: unknown): ValidationErrorItem | undefined {
  if (graph === null || typeof graph !== 'object' || Array.isArray(graph)) return undefined;
  const reserved = Object.keys(graph).find(isReservedId);
  if (reserved === undefined) return undefined;
  return {
    type: 'invalid_prompt',
    message: `Node id "${reserved}" is not allowed: it is the name of a built-in property of JavaScript objects`,
    details: 'Use another id; ComfyUI and piagraph number their nodes.',
    extra_info: { reason: 'reserved_node_id', node_id: reserved },
  };
}

/** `nodeErrors` trimmed for an answer to its first `MAX_REPORTED_NODE_ERRORS` nodes, and how many were left out. */
export function boundNodeErrors(nodeErrors: NodeErrors): { nodeErrors: NodeErrors; omitted: number } {
  const ids = Object.keys(nodeErrors);
  if (ids.length <= MAX_REPORTED_NODE_ERRORS) return { nodeErrors, omitted: 0 };
  const bounded: NodeErrors = {};
  for (const id of ids.slice(0, MAX_REPORTED_NODE_ERRORS)) bounded[id] = nodeErrors[id]!;
  return { nodeErrors: bounded, omitted: ids.length - MAX_REPORTED_NODE_ERRORS };
}
