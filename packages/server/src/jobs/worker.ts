import { EventEmitter } from 'node:events';
import type { ExecutionEvent, RunOptions, RunResult } from '@piagraph/graph-core';
import type { SettingsStore } from '../db/settings-store.js';
import { encodePreview, encodePreviewWithMetadata, encodeProgressText } from '../ws/binary-frames.js';
import type { WsHub } from '../ws/ws-hub.js';
import type { FreeRequest, JobRunner } from './job-runner.js';
import { JobStateError, type JobStore } from './job-store.js';
import type { JobOutcome, JobRecord } from './job-types.js';
import { RunRecorder } from './run-recorder.js';

/** The part of graph-core's `Executor` the worker uses. */
export interface RunEngine {
  run(prompt: JobRecord['prompt'], options: RunOptions): Promise<RunResult>;
  clearCache(): void;
}

export type { FreeRequest } from './job-runner.js';

/** Settings of a `Worker`; every one has a default. */
export interface WorkerOptions {
  /** Finished jobs kept in the history (default 10 000, as ComfyUI). */
  maxHistory?: number;
  /**
   * A job starts no sooner than this long after it was queued (default 25 ms). The npm clients register their
   * listeners for a prompt only after they have parsed the `POST /prompt` answer; a prompt that runs in a
   * millisecond (fully cached, or tiny) would otherwise send its events before anyone listens for them.
   */
  startGraceMs?: number;
  /** Releases the node packs' loaded models (default: nothing to release). */
  releaseModels?: () => Promise<void>;
  /** Where the worker reports what it survived (a job in an unexpected state, a failing database call). */
  log?: (line: string) => void;
}

/** Events of the worker, for in-process users (tests, the benchmark). */
export interface WorkerEvents {
  'job-started': [job: JobRecord];
  'job-finished': [job: JobRecord, outcome: JobOutcome];
}

interface Current {
  job: JobRecord;
  controller: AbortController;
  recorder: RunRecorder;
}

const PAUSED_KEY = 'queue.paused';

/**
 * The one worker: takes the next pending job, runs it through the executor (whose cache lives across prompts),
 * forwards its events to the owning client, records the outcome in the history, then announces the end, in
 * ComfyUI's order: `execution_*` from the run, history written, `status` broadcast, `prompt_done`,
 * `executing {node: null}`.
 */
export class Worker extends EventEmitter<WorkerEvents> implements JobRunner {
  private current: Current | undefined;
  private draining: Promise<void> | undefined;
  private kickAgain = false;
  private pendingFree: FreeRequest | undefined;
  private closing = false;
  private readonly maxHistory: number;
  private readonly startGraceMs: number;
  private readonly releaseModels: () => Promise<void>;
  private readonly log: (line: string) => void;

  constructor(
    private readonly store: JobStore,
    private readonly engine: RunEngine,
    private readonly hub: WsHub,
    private readonly settings: SettingsStore,
    options: WorkerOptions = {},
  ) {
    super();
    this.maxHistory = options.maxHistory ?? 10_000;
    this.startGraceMs = options.startGraceMs ?? 25;
    this.releaseModels = options.releaseModels ?? (async () => {});
    this.log = options.log ?? (() => {});
  }

  /** True while the queue does not start new jobs (the running one, if any, goes on). Persisted. */
  get paused(): boolean {
    return this.settings.get(PAUSED_KEY, false);
  }

  /** Id of the running job, if any. */
  get runningId(): string | undefined {
    return this.current?.job.id;
  }

  /** The node the running job last announced, for a reconnecting owner. */
  runningNodeFor(clientId: string): string | null {
    const c = this.current;
    return c && c.job.clientId === clientId ? c.recorder.lastNode : null;
  }

  pause(): void {
    this.settings.set(PAUSED_KEY, true);
  }

  resume(): void {
    this.settings.set(PAUSED_KEY, false);
    this.kick();
  }

  /** A new pending job: work through the queue. */
  queued(): void {
    this.kick();
  }

  /** Deleting or reordering pending jobs needs nothing here: the next pick reads the store. */
  pendingChanged(): void {}

  start(): void {
    this.kick();
  }

  /** Starts working through the queue if idle; call after anything that may make a job runnable. */
  kick(): void {
    if (this.closing) return;
    if (this.draining) {
      this.kickAgain = true;
      return;
    }
    // Nothing a job does may take the server down: a failure of the queue itself is logged, and the next kick
    // (a new prompt, a resume) tries again.
    this.draining = this.drain()
      .catch((err: unknown) => this.log(`the queue stopped after an error, it resumes with the next prompt: ${describe(err)}`))
      .finally(() => {
        this.draining = undefined;
        if (this.kickAgain) {
          this.kickAgain = false;
          this.kick();
        }
      });
  }

  /**
   * Interrupts the running job; with `promptId`, only if that is the one running (ComfyUI's rule).
   * Returns whether something was interrupted.
   */
  interrupt(promptId?: string): boolean {
    const c = this.current;
    if (!c || (promptId !== undefined && c.job.id !== promptId)) return false;
    c.controller.abort(new Error('interrupted by POST /interrupt'));
    return true;
  }

  /**
   * Frees what `request` names now when idle, or right after the running job; the next job starts only once it is
   * done, so no run ever loses its models midway.
   */
  requestFree(request: FreeRequest): void {
    const pending = this.pendingFree;
    this.pendingFree = pending
      ? { unloadModels: pending.unloadModels || request.unloadModels, freeMemory: pending.freeMemory || request.freeMemory }
      : request;
    if (this.closing) return;
    this.kick();
  }

  private async free(): Promise<void> {
    const request = this.pendingFree;
    this.pendingFree = undefined;
    if (!request) return;
    if (request.freeMemory) this.engine.clearCache();
    if (!request.unloadModels) return;
    try {
      await this.releaseModels();
    } catch {
      // A session that fails to release is beyond reach either way; the queue must go on, and the next run loads anew.
    }
  }

  /** Resolves when the queue is empty or paused and nothing runs (tests use it). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /**
   * Stops taking jobs. A running job is aborted and put back in the queue, so a graceful restart re-runs it rather
   * than recording it as failed.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.current?.controller.abort(new Error('server shutting down'));
    await this.idle();
  }

  private async drain(): Promise<void> {
    while (!this.closing) {
      if (this.pendingFree) await this.free();
      if (this.paused) return;
      const job = this.store.nextPending();
      if (!job) return;
      const wait = job.createTime + this.startGraceMs - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      const startTime = Date.now();
      // Each database step of a large job holds the event loop for a while: other requests get their turn between,
      // and a claim that fails (the job deleted meanwhile) never makes this loop spin without yielding.
      const claimed = this.store.markRunning(job, startTime);
      await yieldToEventLoop();
      if (!claimed) continue;
      const record = this.store.getBySeq(job.seq);
      if (!record) continue;
      await this.runJob({ ...record, status: 'running', startTime });
      await yieldToEventLoop();
    }
  }

  private async runJob(job: JobRecord): Promise<void> {
    const controller = new AbortController();
    const recorder = new RunRecorder(job.id);
    this.current = { job, controller, recorder };
    this.hub.broadcastStatus();
    this.emit('job-started', job);
    let outcome: JobOutcome;
    try {
      const result = await this.engine.run(job.prompt, {
        promptId: job.id,
        extraData: job.extraData,
        signal: controller.signal,
        outputs: job.outputsToExecute,
        onEvent: (event) => {
          recorder.observe(event);
          forwardRunEvent(this.hub, job.clientId, event);
        },
      });
      outcome = recorder.outcome(result);
    } catch (err) {
      outcome = recorder.crashed(err);
    }
    this.current = undefined;
    if (this.closing && outcome.status === 'interrupted') {
      this.store.recoverInterrupted(true);
      return;
    }
    this.record(job, outcome);
    this.store.pruneHistory(this.maxHistory);
    this.hub.broadcastStatus(job.clientId);
    this.hub.send(job.clientId, 'prompt_done', { prompt_id: job.id, status: outcome.status, outputs: outcome.outputs });
    this.hub.send(job.clientId, 'executing', { node: null, prompt_id: job.id });
    if (this.listenerCount('job-finished') > 0) this.emit('job-finished', this.store.getBySeq(job.seq) ?? job, outcome);
  }

  /**
   * Moves the finished job into the history. The job should still be `running`; when it is not (something else
   * wrote to the database meanwhile), that is logged and the worker goes on: a job's bookkeeping never stops the queue.
   */
  private record(job: JobRecord, outcome: JobOutcome): void {
    try {
      this.store.finish(job, outcome);
    } catch (err) {
      if (!(err instanceof JobStateError)) throw err;
      const found = this.store.getBySeq(job.seq);
      this.log(
        `job ${job.id} ended ${outcome.status}, but the database had it ${found ? `as ${found.status}` : 'deleted'} ` +
          'meanwhile (changed by another process?); that record was left as it was',
      );
    }
  }
}

/** Sends one run event to the job's client, as a text or binary frame (the distributed mode relays workers' events the same way). */
export function forwardRunEvent(hub: WsHub, client: string | null, event: ExecutionEvent): void {
  switch (event.type) {
    case 'preview': {
      const { image, node, prompt_id } = event.data;
      hub.sendBinary(client, (withMeta) => (withMeta ? encodePreviewWithMetadata(image, prompt_id, node) : encodePreview(image)));
      return;
    }
    case 'progress_text':
      hub.sendBinary(client, () => encodeProgressText(event.data.node, event.data.text));
      return;
    case 'execution_interrupted':
      // ComfyUI broadcasts the interruption when nobody owns the prompt, so dashboards still learn of it.
      if (client && hub.has(client)) hub.send(client, event.type, event.data);
      else hub.broadcast(event.type, event.data);
      return;
    default:
      hub.send(client, event.type, event.data);
  }
}

/** Lets pending I/O (other clients' requests) run before the next synchronous step. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
