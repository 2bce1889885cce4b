import type { ApiPrompt, ExecutionErrorData, UiOutput } from '@piagraph/graph-core';

/** Where a job is in its life. `running` rows found at start-up belong to a process that died. */
export type JobState = 'pending' | 'running' | 'success' | 'error' | 'interrupted';

/** A `[event, data]` pair as ComfyUI keeps them in `history[id].status.messages`. */
export type StatusMessage = [string, Record<string, unknown>];

/** Why a job failed: the `execution_error` data, an interruption, or the server stopping under it. */
export type JobError =
  | ({ kind: 'execution' } & ExecutionErrorData)
  | { kind: 'interrupted'; prompt_id: string; node_id: string | null; node_type: string | null; message: string }
  | { kind: 'server_stopped'; prompt_id: string; message: string };

/** ComfyUI's `meta` entry for an output node. */
export interface NodeMeta {
  node_id: string;
  display_node: string;
  parent_node: string | null;
  real_node_id: string;
}

/** One row of the `jobs` table, decoded. */
export interface JobRecord {
  seq: number;
  id: string;
  /** Queue priority: lower runs first (ComfyUI's `number`; `front` makes it negative). */
  number: number;
  status: JobState;
  prompt: ApiPrompt;
  extraData: Record<string, unknown>;
  outputsToExecute: string[];
  clientId: string | null;
  /** Name of the library graph it was run from, if any. */
  workflowId: string | null;
  createTime: number;
  startTime: number | null;
  endTime: number | null;
  outputs: Record<string, UiOutput> | null;
  messages: StatusMessage[] | null;
  meta: Record<string, NodeMeta> | null;
  error: JobError | null;
  timings: Record<string, number> | null;
}

/** What `POST /prompt` hands the store. */
export interface NewJob {
  id: string;
  prompt: ApiPrompt;
  extraData: Record<string, unknown>;
  outputsToExecute: string[];
  clientId: string | null;
  workflowId: string | null;
  /** An explicit priority; otherwise the insertion counter. */
  number?: number;
  /** Jump the queue: the priority becomes minus the counter. */
  front?: boolean;
}

/** What the worker records when a job ends. */
export interface JobOutcome {
  status: 'success' | 'error' | 'interrupted';
  outputs: Record<string, UiOutput>;
  messages: StatusMessage[];
  meta: Record<string, NodeMeta>;
  error: JobError | null;
  timings: Record<string, number>;
}
