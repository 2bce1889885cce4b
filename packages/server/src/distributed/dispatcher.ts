import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { NodeRegistry, PreviewImage } from '@piagraph/graph-core';
import type { SettingsStore } from '../db/settings-store.js';
import { HttpError } from '../errors.js';
import type { DataDirs } from '../files/data-dirs.js';
import type { Router } from '../http/router.js';
import type { FreeRequest, JobRunner } from '../jobs/job-runner.js';
import type { JobStore } from '../jobs/job-store.js';
import type { JobOutcome, JobRecord } from '../jobs/job-types.js';
import { forwardRunEvent } from '../jobs/worker.js';
import type { WsHub } from '../ws/ws-hub.js';
import { JOB_NAME, bullJobId, bullPriority, type RemoteJobData } from './job-keys.js';
import type { OfferedOptions } from './offered-options.js';
import type { PackIdentity } from './pack-identity.js';
import { promptModels, splitModelKey } from './prompt-files.js';
import { WORKER_WS_PATH, type EventMessage } from './protocol.js';
import { describeRedisError, redactRedisUrl, redisConnectionOptions } from './redis-connection.js';
import { ServerLock } from './server-lock.js';
import { WorkerLinks, type WorkerLink } from './worker-links.js';
import { registerWorkerRoutes } from './worker-routes.js';

/** Settings of the distributed mode on the server. */
export interface DispatcherOptions {
  redisUrl: string;
  queueName: string;
  /**
   * How long a job for a model waits for a worker that has the model loaded before any worker may take it (default
   * 30 s): loading a checkpoint takes minutes the first time and seconds after.
   */
  affinityWaitMs?: number;
  /** Finished jobs kept in the history (default 10 000). */
  maxHistory?: number;
  /** A job starts at least this many ms after it was queued (default 25, as the embedded worker). */
  startGraceMs?: number;
}

/** What the dispatcher is built on: the parts of the server it shares. */
export interface DispatcherContext {
  store: JobStore;
  hub: WsHub;
  registry: NodeRegistry;
  settings: SettingsStore;
  dirs: DataDirs;
  offered: OfferedOptions;
  packs: PackIdentity[];
  log: (line: string) => void;
}

/** A job a worker runs now, as the server tracks it between claim and finish. */
interface Running {
  lock: string;
  workerId: string;
  clientId: string | null;
  lastNode: string | null;
}

export interface DispatcherEvents {
  'job-claimed': [promptId: string, worker: WorkerLink | undefined];
  'job-finished': [job: JobRecord, outcome: JobOutcome];
}

const SERVER_ID_KEY = 'distributed.server_id';
const DEFAULT_AFFINITY_WAIT_MS = 30_000;
/** A deferred job comes back after this long (or the affinity wait's rest, if shorter). */
const AFFINITY_RETRY_MS = 1000;

/** Service unavailable: Redis (the queue) cannot be reached now. */
export class QueueUnavailableError extends HttpError {
  override readonly name = 'QueueUnavailableError';
  constructor(message: string) {
    super(503, 'queue_unavailable', message);
  }
}

/**
 * The server's side of the distributed mode, in the place of the in-process worker: it puts each queued job on a
 * BullMQ queue in Redis and lets worker processes take them. The server never runs a job itself. The SQLite store
 * stays the record clients read (`/queue`, `/history`, `/api/jobs`); Redis only dispatches. A job's details travel
 * to the worker when it claims the job from the server, so Redis holds small entries and a claim is also the check
 * that the job is still wanted (deleted, or already finished by an earlier attempt).
 *
 * Exactly one result per job: a claim and a finish must present the job's current BullMQ lock token, which the server
 * reads from Redis. A worker killed mid-job loses its lock when it stops renewing it; BullMQ's stalled check puts the
 * job back in the queue and the next worker's claim carries the new lock, so a late result of the old attempt is
 * refused. A finished job claimed again (its worker died between the server's record and BullMQ's) is skipped.
 */
export class Dispatcher extends EventEmitter<DispatcherEvents> implements JobRunner {
  readonly links: WorkerLinks;
  private readonly running = new Map<string, Running>();
  private pausedNow: boolean;
  private closed = false;
  private readonly affinityWaitMs: number;
  private readonly maxHistory: number;
  readonly startGraceMs: number;

  private constructor(
    private readonly ctx: DispatcherContext,
    readonly queue: Queue<RemoteJobData>,
    private readonly queueEvents: QueueEvents,
    private readonly redis: Redis,
    private readonly lock: ServerLock,
    readonly serverId: string,
    readonly options: DispatcherOptions,
    paused: boolean,
  ) {
    super();
    this.pausedNow = paused;
    this.affinityWaitMs = options.affinityWaitMs ?? DEFAULT_AFFINITY_WAIT_MS;
    this.maxHistory = options.maxHistory ?? 10_000;
    this.startGraceMs = options.startGraceMs ?? 25;
    this.links = new WorkerLinks(serverId, options.queueName, ctx.packs, ctx.offered, {
      onEvent: (worker, message) => this.relayEvent(worker, message),
      onPreview: (worker, promptId, lock, node, image) => this.relayPreview(worker, promptId, lock, node, image),
      onChange: () => {},
    }, ctx.log);
    queueEvents.on('failed', ({ jobId, failedReason }) => void this.recordLost(jobId, failedReason));
    redis.on('close', () => this.redisLost());
    redis.on('ready', () => this.redisBack());
  }

  /**
   * Connects to Redis (the caller probed it already), takes the queue (refusing if another server has it), and
   * brings BullMQ in line with the store: jobs queued while the server was down, or lost by a Redis without AOF,
   * are put back; jobs deleted meanwhile are removed.
   */
  static async open(ctx: DispatcherContext, options: DispatcherOptions): Promise<Dispatcher> {
    const redis = new Redis(options.redisUrl, redisConnectionOptions({ enableOfflineQueue: false, maxRetriesPerRequest: 1 }));
    redis.on('error', () => {});
    const undo: (() => Promise<unknown>)[] = [async () => redis.disconnect()];
    try {
      await waitReady(redis);
      let serverId = ctx.settings.get<string | null>(SERVER_ID_KEY, null);
      if (!serverId) {
        serverId = randomUUID();
        ctx.settings.set(SERVER_ID_KEY, serverId);
      }
      const queue = new Queue<RemoteJobData>(options.queueName, { connection: redis, skipWaitingForReady: false });
      queue.on('error', () => {});
      const lock = await ServerLock.acquire(redis, `${queue.toKey('piagraph-server')}`, options.queueName, serverId, ctx.dirs.root, ctx.log);
      undo.push(() => lock.release());
      const eventsConnection = new Redis(options.redisUrl, redisConnectionOptions({ maxRetriesPerRequest: null }));
      eventsConnection.on('error', () => {});
      const queueEvents = new QueueEvents(options.queueName, { connection: eventsConnection });
      queueEvents.on('error', () => {});
      undo.push(async () => {
        await queueEvents.close();
        eventsConnection.disconnect();
      });
      await queueEvents.waitUntilReady();
      const paused = await queue.isPaused();
      const dispatcher = new Dispatcher(ctx, queue, queueEvents, redis, lock, serverId, options, paused);
      await dispatcher.sync();
      return dispatcher;
    } catch (err) {
      for (const step of undo.reverse()) await step().catch(() => {});
      throw err;
    }
  }

  get paused(): boolean {
    return this.pausedNow;
  }

  async pause(): Promise<void> {
    await this.redisCall(() => this.queue.pause());
    this.pausedNow = true;
  }

  async resume(): Promise<void> {
    await this.redisCall(() => this.queue.resume());
    this.pausedNow = false;
  }

  /** Puts the job on the BullMQ queue; when Redis cannot take it, the job is removed from the store again and the client told. */
  async queued(job: JobRecord): Promise<void> {
    try {
      await this.add(job);
    } catch (err) {
      this.ctx.store.deletePending([job.id]);
      throw new QueueUnavailableError(`The job was not queued: ${describeRedisError(this.options.redisUrl, err)}`);
    }
  }

  private async add(job: JobRecord): Promise<void> {
    await this.queue.add(
      JOB_NAME,
      { promptId: job.id, models: promptModels(job.prompt, this.ctx.registry) },
      // The store's seq never repeats, so a job id is never reused, even when a client reuses a prompt id.
      { jobId: jobIdOf(job), priority: bullPriority(job.number), attempts: 1, removeOnComplete: true, removeOnFail: { count: 1000 } },
    );
  }

  /** Deleted or reordered pending jobs: the waiting BullMQ jobs follow the store. */
  async pendingChanged(): Promise<void> {
    await this.redisCall(() => this.syncWaiting());
  }

  async interrupt(promptId?: string): Promise<boolean> {
    let any = false;
    for (const [id, run] of this.running) {
      if (promptId !== undefined && id !== promptId) continue;
      const worker = this.links.get(run.workerId) ?? this.links.runnerOf(id);
      if (!worker) continue;
      this.links.send(worker, { type: 'interrupt', promptId: id });
      any = true;
    }
    return any;
  }

  /** Every worker frees what is asked, between jobs (each applies it after its running job). */
  requestFree(request: FreeRequest): void {
    this.links.broadcast({ type: 'free', ...request });
  }

  runningNodeFor(clientId: string): string | null {
    for (const run of this.running.values()) if (run.clientId === clientId && run.lastNode) return run.lastNode;
    return null;
  }

  start(): void {}

  registerRoutes(router: Router): void {
    registerWorkerRoutes(router, this, this.ctx);
  }

  handleUpgrade(path: string, req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (path !== WORKER_WS_PATH) return false;
    this.links.handleUpgrade(req, socket, head);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Jobs running on workers go on: their results are handed over when a server is back on this queue.
    await this.links.close();
    await this.lock.release();
    await this.queueEvents.close().catch(() => {});
    await this.queue.close().catch(() => {});
    this.redis.disconnect();
  }

  /** The current BullMQ lock token of a job, read from Redis (BullMQ keeps it at `<job key>:lock`). */
  async currentLock(jobId: string): Promise<string | null> {
    return this.redisCall(() => this.redis.get(`${this.queue.toKey(jobId)}:lock`));
  }

  /**
   * Whether a worker that took a job from the queue should leave it to another: BullMQ offers no routing to chosen
   * workers, so a job is handed back to the queue for a short while (BullMQ's delayed jobs), where the right worker
   * takes it when it is next free. Two preferences, in order:
   * - capability: a worker whose folders lack one of the job's model files leaves it while a connected worker has
   *   them all (without a time limit: it could only fail with "not in list");
   * - affinity: a worker that has not loaded the job's models leaves it while another connected worker has them all
   *   loaded and the job has waited less than `affinityWaitMs` (loading a checkpoint costs minutes the first time).
   */
  claimDecision(job: JobRecord, worker: WorkerLink | undefined, models: string[]): { defer: number; reason: string } | undefined {
    if (models.length === 0 || !worker) return undefined;
    const others = this.links.list().filter((w) => w.id !== worker.id);
    const canRun = (w: WorkerLink) => models.every((m) => this.ctx.offered.offers(w.id, ...splitModelKey(m)));
    if (!canRun(worker)) {
      const able = others.filter(canRun);
      if (able.length > 0) return { defer: AFFINITY_RETRY_MS, reason: `only ${able.map((w) => w.name).join(', ')} ha${able.length > 1 ? 've' : 's'} ${models.join(', ')}` };
      return undefined;
    }
    const hasLoaded = (w: WorkerLink) => models.every((m) => w.loadedModels.includes(m));
    if (hasLoaded(worker)) return undefined;
    const holders = others.filter((w) => hasLoaded(w) && canRun(w));
    if (holders.length === 0) return undefined;
    const waited = Date.now() - job.createTime;
    if (waited >= this.affinityWaitMs) return undefined;
    return {
      defer: Math.max(50, Math.min(AFFINITY_RETRY_MS, this.affinityWaitMs - waited)),
      reason: `${holders.map((h) => h.name).join(', ')} ha${holders.length > 1 ? 've' : 's'} ${models.join(', ')} loaded`,
    };
  }

  /** Marks a claimed job running (again, after a worker died under it) and remembers who runs it. */
  claimed(job: JobRecord, lock: string, worker: WorkerLink | undefined, workerId: string): void {
    if (job.status === 'pending') this.ctx.store.markRunning(job.id);
    this.running.set(job.id, { lock, workerId, clientId: job.clientId, lastNode: null });
    if (worker) worker.busy = job.id;
    this.ctx.hub.broadcastStatus();
    this.emit('job-claimed', job.id, worker);
  }

  /** Records a finished job (once: the store only finishes a running job) and announces it as the embedded worker does. */
  finished(job: JobRecord, outcome: JobOutcome): boolean {
    this.running.delete(job.id);
    const current = this.ctx.store.get(job.id);
    if (!current || current.status !== 'running') return false;
    this.ctx.store.finish(job.id, outcome);
    this.ctx.store.pruneHistory(this.maxHistory);
    this.ctx.hub.broadcastStatus(job.clientId);
    this.ctx.hub.send(job.clientId, 'prompt_done', { prompt_id: job.id, status: outcome.status, outputs: outcome.outputs });
    this.ctx.hub.send(job.clientId, 'executing', { node: null, prompt_id: job.id });
    if (this.listenerCount('job-finished') > 0) this.emit('job-finished', this.ctx.store.get(job.id) ?? current, outcome);
    return true;
  }

  private runningFor(worker: WorkerLink, promptId: string, lock: string): Running | undefined {
    let run = this.running.get(promptId);
    if (!run) {
      // The server restarted while the job ran: the worker that says it runs it, with a lock, is taken at its word
      // for relaying events; its result is still checked against Redis's lock.
      const job = this.ctx.store.get(promptId);
      if (!job || job.status !== 'running') return undefined;
      run = { lock, workerId: worker.id, clientId: job.clientId, lastNode: null };
      this.running.set(promptId, run);
    }
    return run.lock === lock ? run : undefined;
  }

  private relayEvent(worker: WorkerLink, message: EventMessage): void {
    const run = this.runningFor(worker, message.promptId, message.lock);
    if (!run) return;
    if (message.event.type === 'executing') run.lastNode = message.event.data.node;
    forwardRunEvent(this.ctx.hub, run.clientId, message.event);
  }

  private relayPreview(worker: WorkerLink, promptId: string, lock: string, node: string, image: PreviewImage): void {
    const run = this.runningFor(worker, promptId, lock);
    if (!run) return;
    forwardRunEvent(this.ctx.hub, run.clientId, { type: 'preview', data: { prompt_id: promptId, node, image } });
  }

  private redisDown = false;

  /**
   * Redis went away: until it is back, no job can be queued, claimed or finished, so clients are told which jobs
   * cannot be tracked now (`queue_unavailable`, a piagraph event ComfyUI's clients ignore). Running jobs go on; their
   * results are recorded once Redis confirms the worker still holds them.
   */
  private redisLost(): void {
    if (this.closed || this.redisDown) return;
    this.redisDown = true;
    this.ctx.log(`lost Redis at ${redactRedisUrl(this.options.redisUrl)}; reconnecting`);
    this.ctx.hub.broadcast('queue_unavailable', {
      message: 'The queue (Redis) is unreachable: new prompts are refused, and these jobs cannot be tracked until it is back',
      pending: this.ctx.store.pending().map((j) => j.id),
      running: this.ctx.store.running().map((j) => j.id),
    });
  }

  private redisBack(): void {
    if (!this.redisDown || this.closed) return;
    this.redisDown = false;
    this.ctx.log('Redis is back');
    this.ctx.hub.broadcast('queue_available', {});
    void this.sync().catch((err: unknown) => this.ctx.log(`could not bring the queue in line after Redis came back: ${String(err)}`));
  }

  /** BullMQ gave up on a job (its workers died under it more often than allowed): it fails once, with the reason. */
  private async recordLost(jobId: string, failedReason: string): Promise<void> {
    try {
      const bull = await this.queue.getJob(jobId);
      const promptId = bull?.data.promptId;
      if (!promptId) return;
      this.failLost(promptId, failedReason);
    } catch (err) {
      this.ctx.log(`could not read failed job ${jobId}: ${String(err)}`);
    }
  }

  private failLost(promptId: string, reason: string): void {
    const job = this.ctx.store.get(promptId);
    if (!job || (job.status !== 'pending' && job.status !== 'running')) return;
    if (job.status === 'pending') this.ctx.store.markRunning(promptId);
    const message = `No worker could finish this job: ${reason}`;
    this.ctx.log(`job ${promptId} failed in the queue: ${reason}`);
    this.finished(job, {
      status: 'error',
      outputs: {},
      messages: [['execution_error', { prompt_id: promptId, exception_message: message, exception_type: 'WorkerLost' }]],
      meta: {},
      error: { kind: 'server_stopped', prompt_id: promptId, message },
      timings: {},
    });
  }

  /**
   * Brings BullMQ in line with the store: every pending or running job has a BullMQ job (re-added when Redis lost
   * it), failed ones are recorded, waiting ones follow the store's order, and waiting ones the store no longer has
   * are removed.
   */
  async sync(): Promise<void> {
    const active = [...this.ctx.store.running(), ...this.ctx.store.pending()];
    for (const job of active) {
      const bull = await this.queue.getJob(jobIdOf(job));
      if (!bull) {
        this.ctx.log(`job ${job.id} was missing from the queue in Redis; queued it again`);
        await this.add(job);
        continue;
      }
      if ((await bull.getState()) === 'failed') this.failLost(job.id, bull.failedReason);
    }
    await this.syncWaiting();
  }

  private async syncWaiting(): Promise<void> {
    const pending = new Map(this.ctx.store.pending().map((j) => [jobIdOf(j), j]));
    const running = new Set(this.ctx.store.running().map((j) => jobIdOf(j)));
    const waiting = (await this.queue.getJobs(['prioritized', 'wait', 'delayed'])) as Job<RemoteJobData>[];
    for (const bull of waiting) {
      if (!bull?.id) continue;
      const job = pending.get(bull.id);
      if (!job) {
        if (!running.has(bull.id)) await bull.remove().catch(() => {});
        continue;
      }
      const priority = bullPriority(job.number);
      if (bull.opts.priority !== priority && !(await bull.isDelayed())) await bull.changePriority({ priority });
    }
  }

  /** Runs a Redis call, turning a lost connection into 503 with the reason. */
  private async redisCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new QueueUnavailableError(describeRedisError(this.options.redisUrl, err));
    }
  }
}

/** The BullMQ job id of a stored job (see `bullJobId`): its never-reused seq, and its prompt id for people reading Redis. */
export function jobIdOf(job: Pick<JobRecord, 'seq' | 'id'>): string {
  return `${job.seq}-${bullJobId(job.id)}`;
}

function waitReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Redis did not become ready in 10 s')), 10_000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
