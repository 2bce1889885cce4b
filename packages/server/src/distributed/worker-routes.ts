import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BadRequestError, ConflictError } from '../errors.js';
import { rootFor } from '../files/data-dirs.js';
import { resolveInside } from '../files/safe-path.js';
import { readJsonObject } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { JobOutcome } from '../jobs/job-types.js';
import type { Dispatcher, DispatcherContext } from './dispatcher.js';
import { promptInputFiles, promptModels } from './prompt-files.js';
import type { ClaimAnswer } from './protocol.js';

/** The largest output file a worker may hand over (a long video is hundreds of MB). */
const MAX_OUTPUT_BYTES = 8 * 1024 ** 3;

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.length === 0) throw new BadRequestError('invalid_field', `"${name}" must be a non-empty string`);
  return value;
}

/**
 * The routes workers call, behind the server's token like every route: claim a job taken from the queue, hand over
 * its output files, record its outcome; and `GET /api/workers`, who is connected. Claim, files and finish carry the
 * job's BullMQ lock token and are refused (409 `stale_attempt`) when it is not the job's current lock.
 */
export function registerWorkerRoutes(router: Router, d: Dispatcher, ctx: DispatcherContext): void {
  async function checkLock(jobId: string, lock: string): Promise<void> {
    const current = await d.currentLock(jobId);
    if (current !== lock) {
      throw new ConflictError('stale_attempt', `This attempt of job ${jobId} no longer holds the job (its lock expired or another worker has it)`, {
        job_id: jobId,
      });
    }
  }

  router.get('/workers', ({ res }) => {
    sendJson(res, 200, {
      queue: d.options.queueName,
      paused: d.paused,
      workers: d.links.list().map((w) => ({
        id: w.id,
        name: w.name,
        host: w.host,
        pid: w.pid,
        device: w.device,
        busy: w.busy,
        loaded_models: w.loadedModels,
        connected_at: w.connectedAt,
      })),
    });
  });

  router.post('/workers/claim', async ({ req, res }) => {
    const body = await readJsonObject(req);
    const promptId = field(body, 'promptId');
    const jobId = field(body, 'jobId');
    const lock = field(body, 'lock');
    const workerId = field(body, 'workerId');
    await checkLock(jobId, lock);
    const job = ctx.store.get(promptId);
    let answer: ClaimAnswer;
    if (!job) answer = { run: false, reason: 'deleted' };
    else if (job.status !== 'pending' && job.status !== 'running') answer = { run: false, reason: 'finished' };
    else {
      const worker = d.links.get(workerId);
      const defer = d.claimDecision(job, worker, promptModels(job.prompt, ctx.registry));
      if (defer) answer = { defer: true, delayMs: defer.defer, reason: defer.reason };
      else {
        // As the embedded worker does: a job starts no sooner than this after it was queued, so the client that queued
        // it has parsed the answer and listens for its events.
        const grace = job.createTime + d.startGraceMs - Date.now();
        if (grace > 0) await new Promise((resolve) => setTimeout(resolve, grace));
        d.claimed(job, lock, worker, workerId);
        answer = {
          run: true,
          prompt: job.prompt,
          extraData: job.extraData,
          outputsToExecute: job.outputsToExecute,
          clientId: job.clientId,
          inputs: await promptInputFiles(job.prompt, ctx.registry, ctx.dirs.input),
        };
      }
    }
    sendJson(res, 200, answer);
  });

  // Output files are renamed when the name is taken: two workers number their files from their own folders.
  router.put('/workers/files', async ({ req, res, query }) => {
    const jobId = query.get('jobId') ?? '';
    const lock = query.get('lock') ?? '';
    const type = query.get('type') ?? 'output';
    const subfolder = query.get('subfolder') ?? '';
    const filename = query.get('filename') ?? '';
    const root = rootFor(ctx.dirs, type);
    if (!root || type === 'input') throw new BadRequestError('invalid_field', `"type" must be output or temp, got "${type}"`);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!(declared >= 0) || declared > MAX_OUTPUT_BYTES) {
      throw new BadRequestError('invalid_length', `An output file needs a Content-Length of at most ${MAX_OUTPUT_BYTES} bytes`);
    }
    await checkLock(jobId, lock);
    const ext = extname(filename);
    const stem = filename.slice(0, filename.length - ext.length);
    for (let n = 0; n < 10_000; n++) {
      const name = n === 0 ? filename : `${stem}_w${n}${ext}`;
      const path = resolveInside(root, subfolder, name, false);
      await mkdir(dirname(path), { recursive: true });
      let out;
      try {
        out = createWriteStream(path, { flags: 'wx' });
        await new Promise<void>((resolve, reject) => {
          out!.once('open', () => resolve());
          out!.once('error', reject);
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      try {
        await pipeline(req, out);
      } catch (err) {
        await rm(path, { force: true });
        throw err;
      }
      sendJson(res, 200, { filename: name, subfolder, type });
      return;
    }
    throw new ConflictError('name_taken', `No free name for ${filename}`);
  });

  router.post('/workers/finish', async ({ req, res }) => {
    const body = await readJsonObject(req);
    const promptId = field(body, 'promptId');
    await checkLock(field(body, 'jobId'), field(body, 'lock'));
    const outcome = body.outcome as JobOutcome | undefined;
    if (!outcome || typeof outcome !== 'object' || !['success', 'error', 'interrupted'].includes(outcome.status)) {
      throw new BadRequestError('invalid_field', '"outcome" must be a job outcome with status success, error or interrupted');
    }
    const job = ctx.store.get(promptId);
    if (!job) return sendJson(res, 200, { recorded: false, reason: 'deleted' });
    sendJson(res, 200, d.finished(job, outcome) ? { recorded: true } : { recorded: false, reason: 'finished' });
  });
}
