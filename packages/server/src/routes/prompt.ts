import type { ServerResponse } from 'node:http';
import { readJsonObject } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import { enqueuePrompt } from '../jobs/enqueue.js';
import { boundNodeErrors } from '../jobs/prompt-limits.js';
import type { ServerServices } from '../services.js';

/**
 * Validates and queues the graph of a request body, announces the queue change, wakes the worker, and answers with
 * ComfyUI's `{ prompt_id, number, node_errors }`. Shared by `POST /prompt` and `POST /api/graphs/run`.
 */
export async function queueFromBody(
  s: ServerServices,
  res: ServerResponse,
  body: Record<string, unknown>,
  graph: unknown,
  workflowId: string | null,
): Promise<void> {
  const { job, nodeErrors } = await enqueuePrompt(s.store, s.registry, {
    graph,
    clientId: body.client_id,
    promptId: body.prompt_id,
    number: body.number,
    front: body.front,
    partialExecutionTargets: body.partial_execution_targets,
    extraData: body.extra_data,
    workflowId,
  });
  // The distributed runner refuses a job Redis cannot take (the store row is removed again): answered as its error.
  await s.worker.queued(job);
  s.hub.broadcastStatus();
  // Bounded: a graph with thousands of failing nodes must not make a gigabyte answer.
  const bounded = boundNodeErrors(nodeErrors);
  sendJson(res, 200, {
    prompt_id: job.id,
    number: job.number,
    node_errors: bounded.nodeErrors,
    ...(bounded.omitted > 0 ? { node_errors_omitted: bounded.omitted } : {}),
  });
}

/**
 * `POST /prompt` queues a graph: ComfyUI's body (`prompt`, `client_id`, `prompt_id`, `number`, `front`,
 * `partial_execution_targets`, `extra_data`), where `prompt` may also be a piagraph graph document or a ComfyUI UI
 * workflow, or given as `graph`. `GET /prompt` is the queue ping every client polls.
 */
export function registerPromptRoutes(router: Router, s: ServerServices): void {
  router.get('/prompt', ({ res }) => {
    sendJson(res, 200, { exec_info: { queue_remaining: s.store.countActive() } });
  });

  router.post('/prompt', async ({ req, res }) => {
    const body = await readJsonObject(req);
    await queueFromBody(s, res, body, body.graph ?? body.prompt, null);
  });
}
