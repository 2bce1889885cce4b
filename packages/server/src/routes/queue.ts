import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { readJsonObject } from '../http/body.js';
import { sendEmpty, sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import { JobStateError } from '../jobs/job-store.js';
import { toQueueItem } from '../jobs/job-views.js';
import type { ServerServices } from '../services.js';

function idList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new BadRequestError('invalid_field', `"${field}" must be an array of prompt ids`);
  }
  return value as string[];
}

/**
 * The queue: ComfyUI's `GET/POST /queue`, `POST /interrupt`, `POST /free`, and piagraph's pause, resume and reorder
 * (`/api/queue/pause`, `/api/queue/resume`, `/api/queue/reorder`).
 */
export function registerQueueRoutes(router: Router, s: ServerServices): void {
  router.get('/queue', ({ res }) => {
    sendJson(res, 200, {
      queue_running: s.store.running().map(toQueueItem),
      queue_pending: s.store.pending().map(toQueueItem),
      paused: s.worker.paused,
    });
  });

  router.post('/queue', async ({ req, res }) => {
    const body = await readJsonObject(req, true);
    if (body.clear === true) s.store.clearPending();
    if (body.delete !== undefined) s.store.deletePending(idList(body.delete, 'delete'));
    if (body.clear === true || body.delete !== undefined) await s.worker.pendingChanged();
    s.hub.broadcastStatus();
    sendEmpty(res);
  });

  router.post('/interrupt', async ({ req, res }) => {
    const body = await readJsonObject(req, true);
    if (body.prompt_id !== undefined && typeof body.prompt_id !== 'string') {
      throw new BadRequestError('invalid_field', '"prompt_id" must be a string');
    }
    await s.worker.interrupt(body.prompt_id as string | undefined);
    sendEmpty(res);
  });

  // ComfyUI's flags: `free_memory` drops the cached outputs and, unless `unload_models` is false, releases the models.
  router.post('/free', async ({ req, res }) => {
    const body = await readJsonObject(req, true);
    const freeMemory = body.free_memory === true;
    const unloadModels = body.unload_models === undefined ? freeMemory : body.unload_models === true;
    if (freeMemory || unloadModels) await s.worker.requestFree({ unloadModels, freeMemory });
    sendEmpty(res);
  });

  router.post('/queue/pause', async ({ res }) => {
    await s.worker.pause();
    s.hub.broadcastStatus();
    sendJson(res, 200, { paused: true });
  });

  router.post('/queue/resume', async ({ res }) => {
    await s.worker.resume();
    s.hub.broadcastStatus();
    sendJson(res, 200, { paused: false });
  });

  router.post('/queue/reorder', async ({ req, res }) => {
    const body = await readJsonObject(req);
    if (typeof body.prompt_id !== 'string') throw new BadRequestError('invalid_field', '"prompt_id" must be a string');
    const position = body.position;
    if (typeof position !== 'number' || !Number.isInteger(position) || position < 0) {
      throw new BadRequestError('invalid_field', '"position" must be an integer ≥ 0 (0 = run next)');
    }
    let pending;
    try {
      pending = s.store.reorder(body.prompt_id, position);
    } catch (err) {
      if (err instanceof JobStateError) {
        if (!s.store.get(body.prompt_id)) throw new NotFoundError(err.message);
        throw new ConflictError('job_not_pending', err.message, { prompt_id: body.prompt_id });
      }
      throw err;
    }
    await s.worker.pendingChanged();
    s.hub.broadcastStatus();
    sendJson(res, 200, { queue_pending: pending.map(toQueueItem) });
  });
}
