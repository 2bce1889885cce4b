import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, killAllRedis, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { killSpawned } from '../helpers/spawn-cli.js';
import { eventually, spawnWorker, startTestDistributedServer, tempDir, type WorkerProcess } from '../helpers/distributed.js';

type TestServer = Awaited<ReturnType<typeof startTestDistributedServer>>;
type History = Record<string, { status: { status_str: string }; outputs: Record<string, { text: string[] }> }>;

/** A job that loads `ckpt` (1 s the first time in a process) and takes `ms` besides; its output names the process. */
function modelJob(ckpt: string, ms: number): Record<string, unknown> {
  return {
    '1': { class_type: 'TestSlow', inputs: { value: 1000, ms } },
    '2': { class_type: 'TestLoadModel', inputs: { ckpt_name: ckpt, load_ms: ['1', 0] } },
    '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
  };
}

function workerDirWithModels(): string {
  const dir = tempDir('piagraph-dist-worker-');
  mkdirSync(join(dir, 'models', 'checkpoints'), { recursive: true });
  for (const m of ['a.ckpt', 'b.ckpt']) writeFileSync(join(dir, 'models', 'checkpoints', m), m);
  return dir;
}

describe.skipIf(!hasRedisServer())('distributed mode: model affinity (needs redis-server)', { timeout: 240_000 }, () => {
  let redis: TestRedis;
  let server: TestServer;
  let workers: WorkerProcess[];
  beforeAll(async () => {
    redis = await startRedis();
    server = await startTestDistributedServer(redis.url, { queueName: 'affinity', affinityWaitMs: 20_000 });
    workers = await Promise.all([0, 1].map(() => spawnWorker(redis.url, server.url, { dataDir: workerDirWithModels(), extra: ['--queue-name', 'affinity'] })));
  }, 240_000);
  afterAll(async () => {
    killSpawned();
    await server?.close();
    await redis?.stop();
    await killAllRedis();
  });

  async function run(prompt: Record<string, unknown>): Promise<string> {
    const res = await server.postJson('/prompt', { prompt });
    expect(res.status).toBe(200);
    return ((await res.json()) as { prompt_id: string }).prompt_id;
  }

  async function pidOf(id: string): Promise<number> {
    const h = await eventually(async () => {
      const all = (await (await server.fetch('/history')).json()) as History;
      return all[id];
    }, 60_000, `job ${id}`);
    expect(h.status.status_str).toBe('success');
    return Number(/on pid (\d+)/.exec(h.outputs['3']!.text[0]!)![1]);
  }

  it('sends jobs for a model to the worker that has it loaded', async () => {
    // Warm-up: one worker loads a.ckpt; while it is busy, the other takes the b.ckpt job and loads b.ckpt.
    const first = await run(modelJob('a.ckpt', 1500));
    await eventually(async () => ((await server.dispatcher.links.list()).some((w) => w.busy === first) ? true : undefined), 20_000, 'first job running');
    const second = await run(modelJob('b.ckpt', 1500));
    const holderOfA = await pidOf(first);
    const holderOfB = await pidOf(second);
    expect(holderOfA).not.toBe(holderOfB);
    expect(new Set([holderOfA, holderOfB])).toEqual(new Set(workers.map((w) => w.pid)));
    await eventually(() => (server.dispatcher.links.list().every((w) => w.busy === null && w.loadedModels.length === 1) ? true : undefined), 10_000, 'workers idle');

    // Interleaved jobs: each goes to the worker that has its model, though either worker is free to take any.
    const jobs: [string, string][] = [];
    for (let i = 0; i < 6; i++) {
      const ckpt = i % 2 === 0 ? 'a.ckpt' : 'b.ckpt';
      jobs.push([ckpt, await run(modelJob(ckpt, 300 + i))]);
    }
    for (const [ckpt, id] of jobs) expect(await pidOf(id), `${ckpt} job ${id}`).toBe(ckpt === 'a.ckpt' ? holderOfA : holderOfB);
    const loaded = Object.fromEntries(server.dispatcher.links.list().map((w) => [w.pid, w.loadedModels]));
    expect(loaded).toEqual({ [holderOfA]: ['ckpt_name:a.ckpt'], [holderOfB]: ['ckpt_name:b.ckpt'] });
  });
});
