/** Everything a BullMQ job carries: the job as the store has it, plus what a worker needs before running it. */
export interface RemoteJobData {
  promptId: string;
  /** Model files the prompt loads, for model affinity (see `promptModels`). */
  models: string[];
}

/** The BullMQ job name of every piagraph prompt. */
export const JOB_NAME = 'prompt';

/**
 * The BullMQ job id of a prompt. Prompt ids are the client's strings; BullMQ ids may not contain ":" (it builds Redis
 * keys from them) nor be plain integers, so the id is encoded.
 */
export function bullJobId(promptId: string): string {
  return `p-${Buffer.from(promptId, 'utf8').toString('base64url')}`;
}

/** BullMQ's highest priority number (`2^21 - 1`); lower numbers run first, 0 means none. */
export const MAX_PRIORITY = 2 ** 21 - 1;
const PRIORITY_OFFSET = 2 ** 20;

/**
 * The BullMQ priority of a store priority number (ComfyUI's `number`: lower runs first; `front` makes it negative).
 * Shifted into BullMQ's 1…2^21-1: jobs keep their relative order while numbers stay within ±2^20 (a million jobs
 * queued since the database began); past that they share the end priority and run in insertion order among
 * themselves, which is still the order they were queued in.
 */
export function bullPriority(number: number): number {
  return Math.min(MAX_PRIORITY, Math.max(1, Math.round(number) + PRIORITY_OFFSET));
}
