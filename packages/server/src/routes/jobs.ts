import { BadRequestError, NotFoundError } from '../errors.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { JobState } from '../jobs/job-types.js';
import { PUBLIC_STATUSES, statesForPublicStatus, toJobView } from '../jobs/job-views.js';
import type { ServerServices } from '../services.js';
import { intParam } from './history.js';

const DEFAULT_LIMIT = 100;

/**
 * ComfyUI's newer jobs API, one job shape across queue and history: `GET /api/jobs?status=&workflow_id=&sort_by=
 * &sort_order=&limit=&offset=` and `GET /api/jobs/{id}` (with `outputs` and `workflow`).
 */
export function registerJobRoutes(router: Router, s: ServerServices): void {
  router.get('/jobs', ({ res, query }) => {
    const states: JobState[] = [];
    for (const value of (query.get('status') ?? '').split(',').filter((v) => v.length > 0)) {
      const matched = statesForPublicStatus(value.trim());
      if (!matched) {
        throw new BadRequestError('invalid_query', `Unknown status "${value}"; use ${PUBLIC_STATUSES.join(', ')}`);
      }
      states.push(...matched);
    }
    const sortBy = query.get('sort_by') ?? 'create_time';
    if (sortBy !== 'create_time' && sortBy !== 'execution_time') {
      throw new BadRequestError('invalid_query', `"sort_by" must be create_time or execution_time, got "${sortBy}"`);
    }
    const sortOrder = query.get('sort_order') ?? 'desc';
    if (sortOrder !== 'asc' && sortOrder !== 'desc') {
      throw new BadRequestError('invalid_query', `"sort_order" must be asc or desc, got "${sortOrder}"`);
    }
    const limit = intParam(query, 'limit') ?? DEFAULT_LIMIT;
    const offset = intParam(query, 'offset') ?? 0;
    const workflowId = query.get('workflow_id') ?? undefined;
    const { jobs, total } = s.store.list({ states, workflowId, sortBy, sortOrder, limit, offset });
    sendJson(res, 200, {
      jobs: jobs.map((j) => toJobView(j, false)),
      pagination: { offset, limit, total, has_more: offset + jobs.length < total },
    });
  });

  router.get('/jobs/{id}', ({ res, params }) => {
    const job = s.store.get(params.id!);
    if (!job) throw new NotFoundError(`No job with id "${params.id}"`);
    sendJson(res, 200, toJobView(job, true));
  });
}
