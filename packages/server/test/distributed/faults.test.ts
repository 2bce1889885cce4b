import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, freePort, killAllRedis, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { exitWithin, killSpawned, spawnCli, type CliProcess } from '../helpers/spawn-cli.js';
import { RecordingSocket } from '../helpers/ws-client.js';
import {
  DISTRIBUTED_PACK,
  DISTRIBUTED_PACK_V2,
  TOKEN,
  eventually,
  spawnWorker,
  startTestDistributedServer,
  tempDir,
  whoPrompt,
} from '../helpers/distributed.js';

type History = Record<string, { status: { status_str: string; messages: [string, Record<string, unknown>][] }; outputs: Record<string, Record<string, unknown[]>> }>;
const auth = { Authorization: `Bearer ${TOKEN}` };

async function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(url + path, { method: 'POST', body: JSON.stringify(body), headers: { ...auth, 'Content-Type': 'application/json' } });
}

async function queue(url: string, prompt: unknown): Promise<string> {
  const res = await post(url, '/prompt', { prompt });
  const body = (await res.json()) as { prompt_id: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.prompt_id;
}

async function history(url: string): Promise<History> {
  return (await (await fetch(`${url}/history`, { headers: auth })).json()) as History;
}

async function finished(url: string, ids: string[], ms = 40_000): Promise<History> {
  return eventually(async () => {
    const h = await history(url).catch(() => ({}) as History);
    return ids.every((id) => h[id]) ? h : undefined;
  }, ms, `jobs ${ids.join(', ')} in the history`);
}

async function workers(url: string): Promise<{ pid: number; busy: string | null }[]> {
  return ((await (await fetch(`${url}/api/workers`, { headers: auth })).json()) as { workers: { pid: number; busy: string | null }[] }).workers;
}

/** `piagraph serve --redis` as a child process (to kill -9), resolving once it listens. */
async function spawnDistributedServer(redisUrl: string, dataDir: string, queueName: string, port = 0): Promise<CliProcess & { url: string }> {
  const proc = spawnCli(['serve', '--redis', redisUrl, '--port', String(port), '--data-dir', dataDir, '--pack', DISTRIBUTED_PACK, '--token', TOKEN, '--queue-name', queueName]);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${proc.output()}`)), 120_000);
    proc.child.stdout!.on('data', () => {
      const m = /listening on (\S+)/.exec(proc.output());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${proc.output()}`));
    });
  });
  return { ...proc, url };
}

/** Every run of `promptId` the history's messages show (execution_start count). */
function starts(h: History, id: string): number {
  return h[id]!.status.messages.filter(([t]) => t === 'execution_start').length;
}

describe.skipIf(!hasRedisServer())('distributed mode: faults, with real processes (needs redis-server)', { timeout: 300_000 }, () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    await killAllRedis();
  });
  afterEach(() => killSpawned());

  it('a worker killed with SIGKILL mid-job: the job runs again on another worker, and one result is recorded', async () => {
    const server = await startTestDistributedServer(redis.url, { queueName: 'kill-worker' });
    const finishedIds: string[] = [];
    server.dispatcher.on('job-finished', (job) => finishedIds.push(job.id));
    try {
      const [a, b] = await Promise.all([
        spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'kill-worker'] }),
        spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'kill-worker'] }),
      ]);
      const id = await queue(server.url, whoPrompt(42, 3000));
      const runner = await eventually(async () => (await workers(server.url)).find((w) => w.busy === id), 20_000, 'a worker to run the job');
      const victim = runner.pid === a.pid ? a : b;
      const survivor = victim === a ? b : a;
      victim.child.kill('SIGKILL');
      const h = await finished(server.url, [id], 40_000);
      expect(h[id]!.status.status_str).toBe('success');
      expect(h[id]!.outputs['3']!.text).toEqual([`pid ${survivor.pid} value 42`]);
      // Recorded once; its messages are those of the run that finished.
      expect(finishedIds.filter((x) => x === id)).toHaveLength(1);
      expect(starts(h, id)).toBe(1);
      expect((await workers(server.url)).map((w) => w.pid)).toEqual([survivor.pid]);
    } finally {
      await server.close();
    }
  });

  it('Redis killed and restarted: its AOF keeps the queued jobs, the worker and the server reconnect; meanwhile a prompt is refused with 503', async () => {
    const lines: string[] = [];
    const server = await startTestDistributedServer(redis.url, { queueName: 'redis-restart', log: (l) => lines.push(l) });
    try {
      await spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'redis-restart'] });
      expect((await post(server.url, '/queue/pause', {})).status).toBe(200);
      const ids = [await queue(server.url, whoPrompt(1)), await queue(server.url, whoPrompt(2)), await queue(server.url, whoPrompt(3))];
      const ws = await RecordingSocket.connect(server.url, 'watcher', { query: `token=${TOKEN}` });
      await redis.kill('SIGKILL');
      // Clients are told which jobs cannot be tracked while Redis is away.
      const lost = await ws.waitFor((m) => 'type' in m && m.type === 'queue_unavailable', 10_000);
      expect('type' in lost && lost.data.pending).toEqual(ids);
      const refused = await post(server.url, '/prompt', { prompt: whoPrompt(4) });
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe('queue_unavailable');
      expect(body.error.message).toContain('Redis');
      const queued = (await (await fetch(`${server.url}/queue`, { headers: auth })).json()) as { queue_pending: [number, string][] };
      expect(queued.queue_pending.map((q) => q[1])).toEqual(ids);
      await redis.restart();
      await ws.waitFor((m) => 'type' in m && m.type === 'queue_available', 20_000);
      ws.socket.close();
      // The paused state came back from the AOF too; resuming needs the server's connection back.
      await eventually(async () => ((await post(server.url, '/queue/resume', {})).status === 200 ? true : undefined), 20_000, 'resume');
      const h = await finished(server.url, ids);
      for (const id of ids) expect(h[id]!.status.status_str).toBe('success');
      // Nothing had to be put back from the server's records: Redis kept the jobs.
      expect(lines.filter((l) => l.includes('missing from the queue'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a Redis without AOF loses the queue on restart; the server puts its jobs back and they still run once', async () => {
    const volatile = await startRedis({ aof: false });
    const lines: string[] = [];
    const server = await startTestDistributedServer(volatile.url, { queueName: 'no-aof', log: (l) => lines.push(l) });
    try {
      expect((await post(server.url, '/queue/pause', {})).status).toBe(200);
      const ids = [await queue(server.url, whoPrompt(1)), await queue(server.url, whoPrompt(2))];
      await volatile.kill('SIGKILL');
      await volatile.restart();
      await eventually(() => (lines.filter((l) => l.includes('missing from the queue')).length === 2 ? true : undefined), 20_000, 'jobs re-queued');
      await spawnWorker(volatile.url, server.url, { extra: ['--queue-name', 'no-aof'] });
      const h = await finished(server.url, ids);
      for (const id of ids) expect(starts(h, id)).toBe(1);
    } finally {
      await server.close();
      await volatile.stop();
    }
  });

  it('the server killed with SIGKILL while jobs are queued and running: after its restart every job is recorded once', async () => {
    const dataDir = tempDir('piagraph-dist-server-');
    let server = await spawnDistributedServer(redis.url, dataDir, 'server-restart');
    const port = Number(new URL(server.url).port);
    await spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'server-restart'] });
    const running = await queue(server.url, whoPrompt(1, 3000));
    const queued = [await queue(server.url, whoPrompt(2)), await queue(server.url, whoPrompt(3))];
    await eventually(async () => ((await workers(server.url)).some((w) => w.busy === running) ? true : undefined), 20_000, 'the job to run');
    server.child.kill('SIGKILL');
    await server.exited;
    // The worker finishes its job while no server is there, and hands the result over once it is back.
    await new Promise((r) => setTimeout(r, 3500));
    server = await spawnDistributedServer(redis.url, dataDir, 'server-restart', port);
    const h = await finished(server.url, [running, ...queued]);
    for (const id of [running, ...queued]) {
      expect(h[id]!.status.status_str).toBe('success');
      expect(starts(h, id)).toBe(1);
    }
    expect(Object.keys(h)).toHaveLength(3);
  });

  it('a worker with another version of a node pack is refused with a message naming it', async () => {
    const server = await startTestDistributedServer(redis.url, { queueName: 'versions' });
    try {
      const worker = await spawnWorker(redis.url, server.url, { pack: DISTRIBUTED_PACK_V2, waitReady: false, extra: ['--queue-name', 'versions'] });
      expect(await exitWithin(worker, 120_000)).toBe(1);
      expect(worker.output()).toContain('pack "distributed-test-pack" is 2.0.0 on the worker but 1.0.0 on the server');
      expect(await workers(server.url)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a worker with a wrong token or server address stops with a message saying so', async () => {
    const server = await startTestDistributedServer(redis.url, { queueName: 'bad-worker' });
    try {
      const wrongToken = await spawnWorker(redis.url, server.url, { token: 'not-the-token', waitReady: false });
      const nowhere = await spawnWorker(redis.url, `http://127.0.0.1:${await freePort()}`, { waitReady: false });
      expect(await exitWithin(wrongToken, 120_000)).toBe(1);
      expect(wrongToken.output()).toContain('refused the token');
      expect(await exitWithin(nowhere, 120_000)).toBe(1);
      expect(nowhere.output()).toContain('Cannot reach the server');
    } finally {
      await server.close();
    }
  });

  it('Redis unreachable at start: the server says so and does not start half-way', async () => {
    const dataDir = tempDir('piagraph-dist-server-');
    const port = await freePort();
    const proc = spawnCli(['serve', '--redis', `redis://127.0.0.1:${await freePort()}`, '--port', String(port), '--data-dir', dataDir, '--token', TOKEN]);
    expect(await exitWithin(proc, 120_000)).toBe(1);
    expect(proc.output()).toMatch(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/);
    expect(proc.output()).not.toContain('listening');
    // Nothing was left behind: the folder and the port are free for a server that can start.
    const server = await startTestDistributedServer(redis.url, { queueName: 'after-refusal', dataDir, port });
    await server.close();
  });

  it('a second server on the same queue is refused; on another queue name it starts', async () => {
    const first = await startTestDistributedServer(redis.url, { queueName: 'shared' });
    try {
      await expect(startTestDistributedServer(redis.url, { queueName: 'shared' })).rejects.toThrow(/Queue "shared" already has a server: piagraph on .* \(pid \d+/);
      const other = await startTestDistributedServer(redis.url, { queueName: 'shared-2' });
      await other.close();
    } finally {
      await first.close();
    }
  });
});

describe.skipIf(!hasRedisServer())('distributed mode: Redis with a password (needs redis-server)', { timeout: 300_000 }, () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis({ password: 'redis-pass-123' });
  });
  afterAll(async () => {
    await redis?.stop();
    await killAllRedis();
  });
  afterEach(() => killSpawned());

  it('the server and workers authenticate to Redis with the password in the URL; a wrong one is named as such', async () => {
    await expect(startTestDistributedServer(`redis://:wrong@127.0.0.1:${redis.port}`, { queueName: 'auth' })).rejects.toThrow(
      /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? refused the credentials/,
    );
    const server = await startTestDistributedServer(redis.url, { queueName: 'auth' });
    try {
      const refused = await spawnWorker(`redis://:wrong@127.0.0.1:${redis.port}`, server.url, { waitReady: false, extra: ['--queue-name', 'auth'] });
      expect(await exitWithin(refused, 120_000)).toBe(1);
      expect(refused.output()).toContain('refused the credentials');
      expect(refused.output()).not.toContain('wrong@');
      const worker = await spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'auth'] });
      const id = await queue(server.url, whoPrompt(5));
      const h = await finished(server.url, [id]);
      expect(h[id]!.outputs['3']!.text).toEqual([`pid ${worker.pid} value 5`]);
    } finally {
      await server.close();
    }
  });
});
