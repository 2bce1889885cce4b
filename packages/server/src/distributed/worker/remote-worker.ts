import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Worker as BullWorker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Executor, NodeRegistry, type ApiPrompt, type AnyNodeDefinition, type ExecutionEvent } from '@piagraph/graph-core';
import { assertDevice, createPiaPack, type Device, type PiaPack, type Precision } from '@piagraph/nodes-pia';
import type { LoadedPack } from '../../cli/load-packs.js';
import { acquireDataDirLock, type DataDirLock } from '../../db/data-dir-lock.js';
import { prepareDataDirs, type DataDirs } from '../../files/data-dirs.js';
import type { JobOutcome } from '../../jobs/job-types.js';
import { RunRecorder } from '../../jobs/run-recorder.js';
import { StartupError } from '../../startup-error.js';
import type { RemoteJobData } from '../job-keys.js';
import { readComboBook } from '../offered-options.js';
import { PROTOCOL_VERSION, type HelloMessage } from '../protocol.js';
import { DEFAULT_QUEUE_NAME, checkQueueName, describeRedisError, parseRedisUrl, probeRedis, redisConnectionOptions } from '../redis-connection.js';
import { localPackIdentities } from '../start-distributed.js';
import { fetchInputs } from './input-fetch.js';
import { OutputHandoff } from './output-handoff.js';
import { ServerLink, StaleAttemptError } from './server-link.js';

/** Options of `startRemoteWorker` (`piagraph worker`). */
export interface RemoteWorkerOptions {
  redisUrl: string;
  serverUrl: string;
  token?: string;
  /** The worker's own data folder: its models, and scratch input/output/temp. */
  dataDir: string;
  queueName?: string;
  device?: Device;
  /** Graph precision of the PIA pack (default float32 on the CPU, float16 on a GPU). */
  precision?: Precision;
  cudaProviderDir?: string;
  /** Extra node packs; the server must have the same ones. */
  packs?: readonly LoadedPack[];
  /** Whether to load the PIA pack (default true; the server must agree). */
  piaNodes?: boolean;
  /** How the worker is shown (default host:pid). */
  name?: string;
  /**
   * How long a job's lock lives without renewal (default 30 s): a worker killed mid-job has its job run again on
   * another worker about this long (plus a stalled check) after it died.
   */
  lockMs?: number;
  cacheBudgetBytes?: number;
  log?: (line: string) => void;
}

/** A running worker process's engine. */
export interface RemoteWorker {
  readonly id: string;
  readonly name: string;
  readonly dirs: DataDirs;
  /** Resolves when the worker stops on its own (the server refused it); with the reason. */
  readonly stopped: Promise<string>;
  /** Stops taking jobs, after the running one; `force` leaves a running job to its lock's expiry (another worker re-runs it). */
  close(force?: boolean): Promise<void>;
}

/** Models kept as "loaded" for affinity: the most recent ones, as a pack keeps a few sessions. */
const MAX_LOADED_MODELS = 8;
/** The worker re-reads its model folders and tells the server this often. */
const COMBO_REFRESH_MS = 30_000;

interface CurrentJob {
  promptId: string;
  controller: AbortController;
}

/**
 * A worker of the distributed mode: takes jobs from the BullMQ queue one at a time, claims each from the server,
 * runs it with the same executor and node packs as the embedded mode, streams its events to the server, hands its
 * output files over, and reports the outcome; only then is the BullMQ job completed.
 */
export async function startRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const log = options.log ?? (() => {});
  parseRedisUrl(options.redisUrl);
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME);
  let serverUrl: URL;
  try {
    serverUrl = new URL(options.serverUrl);
    if (serverUrl.protocol !== 'http:' && serverUrl.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new StartupError(`--server must be the server's http:// URL, got "${options.serverUrl}"`);
  }
  const device = options.device ?? 'cpu';
  if (options.piaNodes !== false) await assertDevice(device, options.cudaProviderDir !== undefined ? { cudaProviderDir: options.cudaProviderDir } : {});
  await probeRedis(options.redisUrl);

  const dirs = prepareDataDirs(options.dataDir);
  const dirLock: DataDirLock = acquireDataDirLock(dirs.lock, dirs.root, 'piagraph worker');
  const undo: (() => unknown)[] = [() => dirLock.release()];
  try {
    return await startLocked(options, { log, queueName, serverUrl: serverUrl.toString(), device, dirs, dirLock }, undo);
  } catch (err) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // The start failed already; that error is the one to report.
      }
    }
    throw err;
  }
}

interface StartContext {
  log: (line: string) => void;
  queueName: string;
  serverUrl: string;
  device: Device;
  dirs: DataDirs;
  dirLock: DataDirLock;
}

async function startLocked(options: RemoteWorkerOptions, ctx: StartContext, undo: (() => unknown)[]): Promise<RemoteWorker> {
  const { log, dirs } = ctx;
  const id = randomUUID();
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const packs = options.packs ?? [];
  const pack: PiaPack | undefined =
    options.piaNodes === false
      ? undefined
      : createPiaPack({
          modelsDir: dirs.models,
          inputDir: dirs.input,
          outputDir: dirs.output,
          tempDir: dirs.temp,
          device: ctx.device,
          ...(options.precision !== undefined ? { precision: options.precision } : {}),
          ...(options.cudaProviderDir !== undefined ? { cudaProviderDir: options.cudaProviderDir } : {}),
        });
  if (pack) undo.push(() => pack.release());
  const registry = new NodeRegistry();
  const allDefs: AnyNodeDefinition[] = [];
  if (pack) {
    registry.registerPack('piagraph.nodes-pia', pack.nodes);
    allDefs.push(...pack.nodes);
  }
  const extra = packs.flatMap((p) => p.defs);
  if (extra.length > 0) registry.register(...extra);
  allDefs.push(...extra);
  await pack?.ready;
  const executor = new Executor(registry, options.cacheBudgetBytes !== undefined ? { cacheBudgetBytes: options.cacheBudgetBytes } : {});
  const identities = localPackIdentities(pack, packs);

  let loadedModels: string[] = [];
  let current: CurrentJob | undefined;
  let pendingFree: { unloadModels: boolean; freeMemory: boolean } | undefined;
  const hello = (): HelloMessage => ({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    workerId: id,
    name,
    host: hostname(),
    pid: process.pid,
    device: ctx.device,
    packs: identities,
    busy: current?.promptId ?? null,
    loadedModels,
    combos: readComboBook(allDefs),
  });
  const link = new ServerLink(ctx.serverUrl, options.token, hello, log);
  undo.push(() => link.close());
  await link.start();
  log(`worker ${name} connected to ${ctx.serverUrl}, queue "${ctx.queueName}"`);

  const sendState = (withCombos = false) =>
    link.send({ type: 'state', busy: current?.promptId ?? null, loadedModels, ...(withCombos ? { combos: readComboBook(allDefs) } : {}) });
  const comboTimer = setInterval(() => sendState(true), COMBO_REFRESH_MS);
  comboTimer.unref();
  undo.push(() => clearInterval(comboTimer));

  const free = async () => {
    const request = pendingFree;
    pendingFree = undefined;
    if (!request) return;
    if (request.freeMemory) executor.clearCache();
    if (request.unloadModels) {
      await pack?.release().catch(() => {});
      loadedModels = [];
    }
    sendState();
  };
  link.on('interrupt', (promptId) => {
    if (current?.promptId === promptId) current.controller.abort(new Error('interrupted by POST /interrupt'));
  });
  link.on('free', (request) => {
    pendingFree = pendingFree
      ? { unloadModels: pendingFree.unloadModels || request.unloadModels, freeMemory: pendingFree.freeMemory || request.freeMemory }
      : request;
    if (!current) void free();
  });

  const handoff = new OutputHandoff(dirs, link);
  const authHeaders: Record<string, string> = options.token !== undefined ? { Authorization: `Bearer ${options.token}` } : {};

  const processJob = async (job: Job<RemoteJobData>, token?: string): Promise<unknown> => {
    const lock = token ?? '';
    const jobId = job.id!;
    const { promptId } = job.data;
    const claim = await link.claim({ promptId, jobId, lock, workerId: id });
    if ('defer' in claim) {
      log(`job ${promptId} left for another worker (${claim.reason})`);
      await job.moveToDelayed(Date.now() + claim.delayMs, lock);
      throw new DelayedError();
    }
    if (!claim.run) {
      log(`job ${promptId} skipped: ${claim.reason}`);
      return { skipped: claim.reason };
    }
    await fetchInputs(claim.inputs, dirs.input, link.base, authHeaders);
    const controller = new AbortController();
    current = { promptId, controller };
    sendState();
    log(`running job ${promptId}`);
    const recorder = new RunRecorder(promptId);
    const attempt = { jobId, lock };
    // Events leave in order; an `executed` waits for its files to reach the server, and those behind it wait too.
    let chain: Promise<void> = Promise.resolve();
    const relay = (event: ExecutionEvent) => {
      chain = chain.then(async () => {
        if (event.type === 'preview') {
          link.sendPreview({ promptId, lock, node: event.data.node, format: event.data.image.format }, event.data.image.data);
          return;
        }
        if (event.type === 'executed' && event.data.output) {
          event = { ...event, data: { ...event.data, output: await handoff.rewrite(event.data.output, attempt) } };
        }
        link.send({ type: 'event', promptId, lock, event: event as Exclude<ExecutionEvent, { type: 'preview' }> });
      });
      chain = chain.catch((err: unknown) => log(`job ${promptId}: an event could not be relayed: ${(err as Error).message}`));
    };
    let outcome: JobOutcome;
    try {
      const result = await executor.run(claim.prompt as ApiPrompt, {
        promptId,
        extraData: claim.extraData,
        signal: controller.signal,
        outputs: claim.outputsToExecute,
        onEvent: (event) => {
          recorder.observe(event);
          relay(event);
        },
      });
      outcome = recorder.outcome(result);
    } catch (err) {
      outcome = recorder.crashed(err);
    }
    await chain;
    try {
      outcome = { ...outcome, outputs: await handoff.rewriteAll(outcome.outputs, attempt) };
      if (outcome.status === 'success' && job.data.models.length > 0) {
        loadedModels = [...job.data.models, ...loadedModels.filter((m) => !job.data.models.includes(m))].slice(0, MAX_LOADED_MODELS);
      }
      const answer = await link.call<{ recorded: boolean; reason?: string }>('POST', '/api/workers/finish', { promptId, jobId, lock, outcome });
      log(`job ${promptId} ${outcome.status}${answer.recorded ? '' : ` (not recorded: ${answer.reason})`}`);
      return { status: outcome.status, recorded: answer.recorded };
    } catch (err) {
      if (err instanceof StaleAttemptError) {
        log(`job ${promptId}: this attempt lost the job to another worker; its result is dropped`);
        return { stale: true };
      }
      throw err;
    } finally {
      current = undefined;
      sendState();
      await free();
    }
  };

  const lockMs = options.lockMs ?? 30_000;
  const connection = new Redis(options.redisUrl, redisConnectionOptions({ maxRetriesPerRequest: null }));
  let lastRedisError = 0;
  connection.on('error', (err) => {
    if (Date.now() - lastRedisError > 5000) log(describeRedisError(options.redisUrl, err) + '; reconnecting');
    lastRedisError = Date.now();
  });
  const bull = new BullWorker<RemoteJobData>(ctx.queueName, processJob, {
    connection,
    concurrency: 1,
    name,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
    // A job whose workers keep dying under it (a graph that crashes the process) is given up after this many.
    maxStalledCount: 2,
    // An idle worker blocks on Redis at most this long (s) before looking again, so a job queued while it waits is
    // not left waiting for a whole blocking period (BullMQ's default is 5 s); five cheap commands a second per idle worker.
    drainDelay: 0.2,
    autorun: true,
  });
  bull.on('error', (err) => {
    if (Date.now() - lastRedisError > 5000) log(`queue: ${err.message}`);
    lastRedisError = Date.now();
  });

  let stop: (reason: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let closing: Promise<void> | undefined;
  const close = (force = false): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(comboTimer);
      await bull.close(force).catch(() => {});
      connection.disconnect();
      link.close();
      await pack?.release().catch(() => {});
      ctx.dirLock.release();
    })());
  link.on('refused', (message) => {
    log(`the server refused this worker: ${message}`);
    void close(true).then(() => stop(message));
  });
  return { id, name, dirs, stopped, close };
}
