import type { ExecutionErrorData, ExecutionEvent, UiOutput } from './events.js';
import type { NodeErrors, ValidationErrorItem } from './validation.js';

/**
 * ComfyUI's `extra_data` of a prompt: what the host knows about it beyond the graph. Output nodes read
 * `extra_pnginfo.workflow` (the UI workflow) and `extra_pnginfo.piagraph` (the graph document) to embed them.
 */
export type ExtraData = Readonly<Record<string, unknown>>;

/** Options of one `Executor.run`. */
export interface RunOptions {
  promptId: string;
  /** Aborting it interrupts the run between nodes and, through `ctx.signal`, inside them. */
  signal?: AbortSignal;
  onEvent?: (event: ExecutionEvent) => void;
  /** ComfyUI `partial_execution_targets`: only these output nodes and their ancestors run. */
  outputs?: readonly string[];
  /** How many independent nodes may run at once (default 1, ComfyUI's behaviour). */
  concurrency?: number;
  /** The prompt's `extra_data`, handed to every node as `ctx.extraData` (default `{}`); never part of a cache key. */
  extraData?: ExtraData;
}

export type RunStatus = 'success' | 'error' | 'interrupted';

/** What a finished run reports; also what history stores. */
export interface RunResult {
  status: RunStatus;
  /** UI dicts of the nodes that produced one, cached output nodes included. */
  outputs: Record<string, UiOutput>;
  /** Ids of nodes that ran, in completion order. */
  executed: string[];
  /**
   * Ids of the nodes whose outputs were already cached when the run started (ComfyUI's `execution_cached` list):
   * those it read from the cache and those upstream of them, ancestors of the run's outputs in dependency order.
   */
  cached: string[];
  /**
   * Why the run failed. A node exception gives the `execution_error` data; a prompt that failed validation gives
   * `exception_type: 'ValidationError'`, the first failing node (or `''`) as `node_id`, and the details in `validation`.
   */
  error?: ExecutionErrorData;
  /** Per-node wall time in milliseconds (0 for cached nodes), summed over the passes of the run. */
  timings: Record<string, number>;
  /**
   * How many times the prompt was run, when a node asked for more than one pass (see `RunPasses`); absent for the
   * usual single pass. `outputs` then gathers the UI dicts of every pass, `executed` names each node once.
   */
  passes?: number;
  /**
   * Validation findings: `error` is set when the prompt did not run at all; `nodeErrors` lists outputs that were
   * dropped while others ran (ComfyUI's 200-with-`node_errors` case). Absent when validation found nothing.
   */
  validation?: { error?: ValidationErrorItem; nodeErrors: NodeErrors };
}

/** Options of an `Executor`. */
export interface ExecutorOptions {
  /** Byte budget of the output cache (default 4 GiB); least recently used results are evicted beyond it. */
  cacheBudgetBytes?: number;
}
