import type { ExecutionErrorData, ExecutionEvent, UiOutput } from './events.js';

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
}

export type RunStatus = 'success' | 'error' | 'interrupted';

/** What a finished run reports; also what history stores. */
export interface RunResult {
  status: RunStatus;
  /** UI dicts of the nodes that produced one, cached output nodes included. */
  outputs: Record<string, UiOutput>;
  /** Ids of nodes that ran, in completion order. */
  executed: string[];
  /** Ids of nodes served from the cache. */
  cached: string[];
  error?: ExecutionErrorData;
  /** Per-node wall time in milliseconds (0 for cached nodes). */
  timings: Record<string, number>;
}
