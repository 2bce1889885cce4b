import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Router } from '../http/router.js';
import type { JobRecord } from './job-types.js';

/** What `POST /free` asks for: ComfyUI's `unload_models` and `free_memory` flags. */
export interface FreeRequest {
  /** Release the loaded models (onnxruntime sessions). */
  unloadModels: boolean;
  /** Drop the executor's cached outputs. */
  freeMemory: boolean;
}

/**
 * What runs the jobs the store queues, as the routes see it: the in-process `Worker` (the embedded default), or the
 * distributed mode's dispatcher, which hands them to worker processes through BullMQ. The store stays the record of
 * every job either way; a runner is told when the routes change it.
 */
export interface JobRunner {
  /** True while no new job starts (running ones go on). */
  readonly paused: boolean;
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
  /** `job` was just inserted as pending. A runner that cannot take it throws, and the route answers with that error. */
  queued(job: JobRecord): void | Promise<void>;
  /** Pending jobs were deleted or reordered in the store. */
  pendingChanged(): void | Promise<void>;
  /** Interrupts the running job (with `promptId`, only that one); resolves whether something was interrupted. */
  interrupt(promptId?: string): boolean | Promise<boolean>;
  requestFree(request: FreeRequest): void | Promise<void>;
  /** The node the owner's running job last announced, for a reconnecting client. */
  runningNodeFor(clientId: string): string | null;
  /** Called once the server listens. */
  start(): void;
  /** Stops taking jobs. */
  close(): Promise<void>;
  /** Routes of the runner's own (the distributed mode's worker routes), behind the server's token like all others. */
  registerRoutes?(router: Router): void;
  /** Takes a WebSocket upgrade at a path of its own; false when the path is not one of its. */
  handleUpgrade?(path: string, req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}
