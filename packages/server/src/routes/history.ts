import { BadRequestError } from '../errors.js';
import { readJsonObject } from '../http/body.js';
import { sendEmpty, sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import { toHistoryItem } from '../jobs/job-views.js';
import type { ServerServices } from '../services.js';

/** The largest count or position a query may give: more rows than any history holds, and a safe SQLite integer. */
export const MAX_QUERY_INT = 2 ** 31 - 1;

/** Parses an optional non-negative integer query parameter (plain digits, at most `MAX_QUERY_INT`), naming it when it is not one. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  // Digits only: Number() would also take "1e20", " 7", "0x10" and "Infinity".
  if (!/^\d+$/.test(raw)) throw new BadRequestError('invalid_query', `"${name}" must be an integer ≥ 0, got "${shown}"`);
  const n = Number(raw);
  if (n > MAX_QUERY_INT) throw new BadRequestError('invalid_query', `"${name}" must be at most ${MAX_QUERY_INT}, got "${shown}"`);
  return n;
}

/** ComfyUI's history: `GET /history[?max_items&offset]`, `GET /history/{id}`, `POST /history {clear|delete}`. */
export function registerHistoryRoutes(router: Router, s: ServerServices): void {
  router.get('/history', ({ res, query }) => {
    const jobs = s.store.history(intParam(query, 'max_items'), intParam(query, 'offset'));
    sendJson(res, 200, Object.fromEntries(jobs.map((j) => [j.id, toHistoryItem(j)])));
  });

  router.get('/history/{id}', ({ res, params }) => {
    const job = s.store.get(params.id!);
    const finished = job && job.status !== 'pending' && job.status !== 'running';
    sendJson(res, 200, finished ? { [job.id]: toHistoryItem(job) } : {});
  });

  router.post('/history', async ({ req, res }) => {
    const body = await readJsonObject(req, true);
    if (body.clear === true) s.store.clearHistory();
    if (body.delete !== undefined) {
      if (!Array.isArray(body.delete) || !body.delete.every((v) => typeof v === 'string')) {
        throw new BadRequestError('invalid_field', '"delete" must be an array of prompt ids');
      }
      s.store.deleteHistory(body.delete as string[]);
    }
    sendEmpty(res);
  });
}
