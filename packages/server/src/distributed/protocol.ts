import type { ExecutionEvent, PreviewImage } from '@piagraph/graph-core';
import type { ComboBook } from './offered-options.js';
import type { PackIdentity } from './pack-identity.js';

/**
 * The link between a worker and the server: one WebSocket at `WORKER_WS_PATH`, opened with the server's token.
 *
 * Why a WebSocket to the server rather than Redis pub/sub: the events' only reader is the server, which relays them
 * to the client that queued the prompt, so a direct connection takes one hop instead of two, keeps them in order on
 * one TCP stream, carries previews as binary frames as they are, and is authenticated with the server's token like
 * every other client. The same socket tells the server who is alive, what it offers (node packs, model files) and
 * what it has loaded (model affinity), and carries interrupts to the worker running a job.
 */
export const WORKER_WS_PATH = '/api/workers/ws';

/** Bumped when the messages below change incompatibly; a worker speaking another version is refused. */
export const PROTOCOL_VERSION = 1;

/** WebSocket close code of a refused worker (its packs differ, or its protocol); the reason is in a `refused` message first. */
export const CLOSE_REFUSED = 4403;

/** What a worker says about itself, first and whenever it changes. */
export interface WorkerState {
  /** The prompt it is running, if any. */
  busy: string | null;
  /** Models the worker has loaded (`promptModels` keys of the jobs it ran since its last unload), newest first. */
  loadedModels: string[];
  /** The choices of its folder-read combos (its model files), refreshed now and then. */
  combos?: ComboBook;
}

export interface HelloMessage extends WorkerState {
  type: 'hello';
  protocol: number;
  workerId: string;
  name: string;
  host: string;
  pid: number;
  device: string;
  packs: PackIdentity[];
}

export interface StateMessage extends WorkerState {
  type: 'state';
}

/** One run event; `lock` is the BullMQ lock token of the attempt, so events of a stale attempt are dropped. */
export interface EventMessage {
  type: 'event';
  promptId: string;
  lock: string;
  event: Exclude<ExecutionEvent, { type: 'preview' }>;
}

/** Binary frames carry previews: `[uint32 header length][header JSON][image bytes]`. */
export interface PreviewHeader {
  promptId: string;
  lock: string;
  node: string;
  format: PreviewImage['format'];
}

export type WorkerMessage = HelloMessage | StateMessage | EventMessage;

export type ServerMessage =
  | { type: 'welcome'; serverId: string; queue: string }
  | { type: 'refused'; message: string }
  | { type: 'interrupt'; promptId: string }
  | { type: 'free'; unloadModels: boolean; freeMemory: boolean };

export function encodePreviewFrame(header: PreviewHeader, data: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(4);
  size.writeUInt32BE(json.length, 0);
  return Buffer.concat([size, json, data]);
}

/** The header and image of a preview frame; undefined when the frame is malformed. */
export function decodePreviewFrame(frame: Buffer): { header: PreviewHeader; image: PreviewImage } | undefined {
  if (frame.length < 4) return undefined;
  const size = frame.readUInt32BE(0);
  if (size > frame.length - 4) return undefined;
  try {
    const header = JSON.parse(frame.subarray(4, 4 + size).toString()) as PreviewHeader;
    if (typeof header.promptId !== 'string' || typeof header.node !== 'string') return undefined;
    if (header.format !== 'png' && header.format !== 'jpeg' && header.format !== 'webp') return undefined;
    return { header, image: { format: header.format, data: frame.subarray(4 + size) } };
  } catch {
    return undefined;
  }
}

/** The claim answer: run it (with the job's details), leave it (already finished or deleted), or defer it (affinity). */
export type ClaimAnswer =
  | {
      run: true;
      prompt: Record<string, unknown>;
      extraData: Record<string, unknown>;
      outputsToExecute: string[];
      clientId: string | null;
      inputs: import('./prompt-files.js').InputFileRef[];
    }
  | { run: false; reason: 'finished' | 'deleted' }
  | { defer: true; delayMs: number; reason: string };
