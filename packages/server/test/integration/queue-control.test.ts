import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { numberPrompt, slowPrompt, startTestServer, type TestServer } from '../helpers/test-server.js';
import { RecordingSocket } from '../helpers/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.postJson('/api/queue/resume', {});
  await t.server.worker.idle();
});

async function queue(prompt: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.postJson('/prompt', { prompt, ...extra });
  expect(res.status).toBe(200);
  return ((await res.json()) as { prompt_id: string }).prompt_id;
}

async function pendingIds(): Promise<string[]> {
  const q = (await (await t.fetch('/queue')).json()) as { queue_pending: unknown[][] };
  return q.queue_pending.map((i) => i[1] as string);
}

describe('pause, resume and reorder', () => {
  it('holds new jobs while paused and runs them after resume', async () => {
    expect(await (await t.postJson('/api/queue/pause', {})).json()).toEqual({ paused: true });
    const id = await queue(numberPrompt(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(await pendingIds()).toEqual([id]);
    expect(((await (await t.fetch('/queue')).json()) as { paused: boolean }).paused).toBe(true);
    await t.postJson('/api/queue/resume', {});
    await t.server.worker.idle();
    expect(await pendingIds()).toEqual([]);
  });

  it('moves a pending job to the front', async () => {
    await t.postJson('/api/queue/pause', {});
    const ids = [await queue(numberPrompt(2)), await queue(numberPrompt(3)), await queue(numberPrompt(4))];
    const res = await t.postJson('/api/queue/reorder', { prompt_id: ids[2], position: 0 });
    expect(res.status).toBe(200);
    expect(await pendingIds()).toEqual([ids[2], ids[0], ids[1]]);
  });

  it('runs jobs in the reordered order', async () => {
    await t.postJson('/api/queue/pause', {});
    const ids = [await queue(numberPrompt(5)), await queue(numberPrompt(6))];
    await t.postJson('/api/queue/reorder', { prompt_id: ids[1], position: 0 });
    const started: string[] = [];
    t.server.worker.on('job-started', (job) => started.push(job.id));
    await t.postJson('/api/queue/resume', {});
    await t.server.worker.idle();
    expect(started).toEqual([ids[1], ids[0]]);
  });

  it('puts a front job before the others', async () => {
    await t.postJson('/api/queue/pause', {});
    const first = await queue(numberPrompt(7));
    const urgent = await queue(numberPrompt(8), { front: true });
    expect(await pendingIds()).toEqual([urgent, first]);
  });

  it('refuses to reorder an unknown job with 404', async () => {
    const res = await t.postJson('/api/queue/reorder', { prompt_id: 'nobody', position: 0 });
    expect(res.status).toBe(404);
  });

  it('refuses to reorder a finished job with 409', async () => {
    const id = await queue(numberPrompt(9));
    await t.server.worker.idle();
    const res = await t.postJson('/api/queue/reorder', { prompt_id: id, position: 0 });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(`Job "${id}" is success, only pending jobs can be moved`);
  });

  it('refuses a negative position', async () => {
    const res = await t.postJson('/api/queue/reorder', { prompt_id: 'x', position: -1 });
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('"position" must be an integer ≥ 0 (0 = run next)');
  });
});

describe('POST /queue, /interrupt and /free', () => {
  it('deletes pending jobs by id', async () => {
    await t.postJson('/api/queue/pause', {});
    const [a, b] = [await queue(numberPrompt(10)), await queue(numberPrompt(11))];
    expect((await t.postJson('/queue', { delete: [a] })).status).toBe(200);
    expect(await pendingIds()).toEqual([b]);
  });

  it('clears the pending queue', async () => {
    await t.postJson('/api/queue/pause', {});
    await queue(numberPrompt(12));
    await t.postJson('/queue', { clear: true });
    expect(await pendingIds()).toEqual([]);
  });

  it('interrupts the running job, which ends as interrupted in the history', async () => {
    const ws = await RecordingSocket.connect(t.url, 'interrupt-me');
    const id = await queue(slowPrompt(5000), { client_id: 'interrupt-me' });
    await ws.waitFor((m) => 'type' in m && m.type === 'executing' && m.data.node === '1');
    const started = Date.now();
    expect((await t.fetch('/interrupt', { method: 'POST' })).status).toBe(200);
    await ws.waitForDone(id);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ws.eventsFor(id).find((e) => e.type === 'execution_interrupted')).toBeDefined();
    const job = (await (await t.fetch(`/api/jobs/${id}`)).json()) as { status: string; execution_error: { kind: string } };
    expect(job).toMatchObject({ status: 'cancelled', execution_error: { kind: 'interrupted' } });
    await ws.close();
  });

  it('leaves the running job alone when /interrupt names another prompt', async () => {
    const id = await queue(slowPrompt(150, 2));
    await new Promise((r) => setTimeout(r, 30));
    await t.postJson('/interrupt', { prompt_id: 'some-other-prompt' });
    await t.server.worker.idle();
    const job = (await (await t.fetch(`/api/jobs/${id}`)).json()) as { status: string };
    expect(job.status).toBe('completed');
  });

  it('clears the executor cache on /free so the next run recomputes', async () => {
    const ws = await RecordingSocket.connect(t.url, 'free');
    const first = await queue(numberPrompt(77), { client_id: 'free' });
    await ws.waitForDone(first);
    expect((await t.postJson('/free', { unload_models: true, free_memory: true })).status).toBe(200);
    const second = await queue(numberPrompt(77), { client_id: 'free' });
    await ws.waitForDone(second);
    expect(ws.eventsFor(second).find((e) => e.type === 'execution_cached')!.data.nodes).toEqual([]);
    await ws.close();
  });

  it('releases the models only once the running job has finished', async () => {
    const release = vi.spyOn(t.server.pack!, 'release');
    const ws = await RecordingSocket.connect(t.url, 'free-later');
    const id = await queue(slowPrompt(300, 3), { client_id: 'free-later' });
    await ws.waitFor((m) => 'type' in m && m.type === 'executing' && m.data.node === '1');
    expect((await t.postJson('/free', { unload_models: true })).status).toBe(200);
    expect(release).not.toHaveBeenCalled();
    await ws.waitForDone(id);
    await t.server.worker.idle();
    expect(release).toHaveBeenCalledOnce();
    const job = (await (await t.fetch(`/api/jobs/${id}`)).json()) as { status: string };
    expect(job.status).toBe('completed');
    release.mockRestore();
    await ws.close();
  });
});

describe('GET /api/jobs', () => {
  it('lists jobs across queue and history in one shape', async () => {
    const done = await queue(numberPrompt(20));
    await t.server.worker.idle();
    await t.postJson('/api/queue/pause', {});
    const waiting = await queue(numberPrompt(21));
    const body = (await (await t.fetch('/api/jobs?limit=500')).json()) as { jobs: { id: string; status: string }[] };
    expect(body.jobs.find((j) => j.id === done)?.status).toBe('completed');
    expect(body.jobs.find((j) => j.id === waiting)?.status).toBe('pending');
    expect(Object.keys(body.jobs[0]!).sort()).toEqual(
      ['create_time', 'execution_end_time', 'execution_error', 'execution_start_time', 'id', 'outputs_count', 'preview_output', 'priority', 'status', 'workflow_id'].sort(),
    );
  });

  it('filters by status', async () => {
    await t.postJson('/api/queue/pause', {});
    const waiting = await queue(numberPrompt(22));
    const body = (await (await t.fetch('/api/jobs?status=pending')).json()) as { jobs: { id: string; status: string }[] };
    expect(body.jobs.every((j) => j.status === 'pending')).toBe(true);
    expect(body.jobs.map((j) => j.id)).toContain(waiting);
  });

  it('pages with limit and offset and says whether there is more', async () => {
    for (const v of [30, 31, 32]) await queue(numberPrompt(v));
    await t.server.worker.idle();
    const body = (await (await t.fetch('/api/jobs?limit=2&offset=1&sort_order=desc')).json()) as { jobs: unknown[]; pagination: { offset: number; limit: number; total: number; has_more: boolean } };
    expect(body.jobs).toHaveLength(2);
    expect(body.pagination).toMatchObject({ offset: 1, limit: 2, has_more: true });
  });

  it('returns one job with outputs and the workflow', async () => {
    const id = await queue(numberPrompt(23));
    await t.server.worker.idle();
    const job = (await (await t.fetch(`/api/jobs/${id}`)).json()) as { outputs: unknown; workflow: { prompt: unknown } };
    expect(job.outputs).toEqual({ '2': { text: ['23'] } });
    expect(job.workflow.prompt).toEqual(numberPrompt(23));
  });

  it('refuses an unknown status filter, listing the valid ones', async () => {
    const res = await t.fetch('/api/jobs?status=done');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Unknown status "done"; use pending, in_progress, completed, failed, cancelled',
    );
  });

  it('answers an unknown job id with 404', async () => {
    expect((await t.fetch('/api/jobs/nope')).status).toBe(404);
  });
});
