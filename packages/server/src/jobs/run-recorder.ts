import type { ExecutionEvent, RunResult } from '@piagraph/graph-core';
import type { JobError, JobOutcome, NodeMeta, StatusMessage } from './job-types.js';

/** The events ComfyUI keeps in `history[id].status.messages`. */
const RECORDED = new Set(['execution_start', 'execution_cached', 'execution_success', 'execution_error', 'execution_interrupted']);

/**
 * Collects what a run leaves in the history: the status messages as they stream by, then the outcome built from the
 * executor's `RunResult`.
 */
export class RunRecorder {
  readonly messages: StatusMessage[] = [];
  /** The node most recently announced by `executing`, for a client that reconnects mid-run. */
  lastNode: string | null = null;

  constructor(private readonly promptId: string) {}

  observe(event: ExecutionEvent): void {
    if (RECORDED.has(event.type)) this.messages.push([event.type, { ...(event.data as object) }]);
    if (event.type === 'executing') this.lastNode = event.data.node;
  }

  /** The history record of a finished run. */
  outcome(result: RunResult): JobOutcome {
    const meta: Record<string, NodeMeta> = {};
    for (const nodeId of Object.keys(result.outputs)) {
      meta[nodeId] = { node_id: nodeId, display_node: nodeId, parent_node: null, real_node_id: nodeId };
    }
    let error: JobError | null = null;
    if (result.status === 'error' && result.error) error = { kind: 'execution', ...result.error };
    if (result.status === 'interrupted') {
      const data = this.messages.find(([type]) => type === 'execution_interrupted')?.[1] ?? {};
      error = {
        kind: 'interrupted',
        prompt_id: this.promptId,
        node_id: (data.node_id as string | null | undefined) ?? null,
        node_type: (data.node_type as string | null | undefined) ?? null,
        message: 'The run was interrupted (POST /interrupt)',
      };
    }
    return { status: result.status, outputs: result.outputs, messages: this.messages, meta, error, timings: result.timings };
  }

  /**
   * The record of a run whose executor threw instead of reporting an error (a bug in the engine, not in a node):
   * it still becomes a history entry with the reason, so the job is never lost.
   */
  crashed(err: unknown): JobOutcome {
    const message = `The executor failed: ${err instanceof Error ? err.message : String(err)}`;
    const data = {
      prompt_id: this.promptId,
      node_id: this.lastNode ?? '',
      node_type: '',
      executed: [],
      exception_message: message,
      exception_type: err instanceof Error ? err.name : 'Error',
      traceback: err instanceof Error && err.stack ? err.stack.split('\n') : [],
      current_inputs: {},
      current_outputs: [],
      timestamp: Date.now(),
    };
    this.messages.push(['execution_error', data]);
    return { status: 'error', outputs: {}, messages: this.messages, meta: {}, error: { kind: 'execution', ...data }, timings: {} };
  }
}
