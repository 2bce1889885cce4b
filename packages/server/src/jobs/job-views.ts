import type { ApiPrompt, UiOutput } from '@piagraph/graph-core';
import type { JobRecord, JobState } from './job-types.js';

/** ComfyUI's queue tuple `[number, prompt_id, prompt, extra_data, outputs_to_execute]` (the sensitive 6th is never kept). */
export type QueueItem = [number, string, ApiPrompt, Record<string, unknown>, string[]];

/** ComfyUI's `history[prompt_id]` value. */
export interface HistoryItem {
  prompt: QueueItem;
  outputs: Record<string, UiOutput>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: [string, Record<string, unknown>][] };
  meta: Record<string, unknown>;
}

/** The `/api/jobs` statuses (ComfyUI's newer jobs API), with `cancelled` for interrupted runs. */
export type PublicJobStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';

/** One job, the same shape whether it is queued, running or finished. */
export interface JobView {
  id: string;
  status: PublicJobStatus;
  priority: number;
  create_time: number;
  execution_start_time: number | null;
  execution_end_time: number | null;
  execution_error: Record<string, unknown> | null;
  outputs_count: number;
  preview_output: Record<string, unknown> | null;
  workflow_id: string | null;
  outputs?: Record<string, UiOutput>;
  workflow?: { prompt: ApiPrompt; extra_data: Record<string, unknown> };
}

const PUBLIC_STATUS: Record<JobState, PublicJobStatus> = {
  pending: 'pending',
  running: 'in_progress',
  success: 'completed',
  error: 'failed',
  interrupted: 'cancelled',
};

/** Internal states matching a public status filter value; `undefined` for an unknown value. */
export function statesForPublicStatus(status: string): JobState[] | undefined {
  const states = (Object.keys(PUBLIC_STATUS) as JobState[]).filter((s) => PUBLIC_STATUS[s] === status);
  return states.length > 0 ? states : undefined;
}

export const PUBLIC_STATUSES: readonly PublicJobStatus[] = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'];

export function toQueueItem(job: JobRecord): QueueItem {
  return [job.number, job.id, job.prompt, job.extraData, job.outputsToExecute];
}

export function toHistoryItem(job: JobRecord): HistoryItem {
  return {
    prompt: toQueueItem(job),
    outputs: job.outputs ?? {},
    status: {
      status_str: job.status === 'success' ? 'success' : 'error',
      completed: job.status === 'success',
      messages: job.messages ?? [],
    },
    meta: job.meta ?? {},
  };
}

export function toJobView(job: JobRecord, full: boolean): JobView {
  const outputs = job.outputs ?? {};
  const view: JobView = {
    id: job.id,
    status: PUBLIC_STATUS[job.status],
    priority: job.number,
    create_time: job.createTime,
    execution_start_time: job.startTime,
    execution_end_time: job.endTime,
    execution_error: job.error ? { ...job.error } : null,
    outputs_count: countOutputFiles(outputs),
    preview_output: firstPreview(outputs),
    workflow_id: job.workflowId,
  };
  if (full) {
    view.outputs = outputs;
    view.workflow = { prompt: job.prompt, extra_data: job.extraData };
  }
  return view;
}

function isFileRef(item: unknown): item is Record<string, unknown> & { filename: string } {
  return typeof item === 'object' && item !== null && typeof (item as { filename?: unknown }).filename === 'string';
}

function countOutputFiles(outputs: Record<string, UiOutput>): number {
  let n = 0;
  for (const ui of Object.values(outputs)) {
    for (const items of Object.values(ui)) if (Array.isArray(items)) n += items.filter(isFileRef).length;
  }
  return n;
}

/** The first file an output node listed, tagged with its node and UI key, for a job list thumbnail. */
function firstPreview(outputs: Record<string, UiOutput>): Record<string, unknown> | null {
  for (const [nodeId, ui] of Object.entries(outputs)) {
    for (const [key, items] of Object.entries(ui)) {
      if (!Array.isArray(items)) continue;
      const file = items.find(isFileRef);
      if (file) return { ...file, nodeId, mediaType: key };
    }
  }
  return null;
}
