import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSocket } from '../helpers/ws-client.js';
import { hasRedisServer, killAllRedis, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { killSpawned } from '../helpers/spawn-cli.js';
import { TOKEN, eventually, spawnWorker, startTestDistributedServer, whoPrompt } from '../helpers/distributed.js';

describe.skipIf(!hasRedisServer())('distributed mode: one server, worker processes (needs redis-server)', { timeout: 240_000 }, () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
    await killAllRedis();
  });
  afterEach(() => killSpawned());

  it('a worker process runs a queued prompt; the client sees the events, the history and the output through the server', async () => {
    const server = await startTestDistributedServer(redis.url, { queueName: 'basic' });
    try {
      const worker = await spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'basic'] });
      const ws = await RecordingSocket.connect(server.url, 'client-1', { query: `token=${TOKEN}` });
      const res = await server.postJson('/prompt', { prompt: whoPrompt(7, 50), client_id: 'client-1' });
      expect(res.status).toBe(200);
      const { prompt_id } = (await res.json()) as { prompt_id: string };
      await ws.waitFor((m) => 'type' in m && m.type === 'executing' && m.data.node === null && m.data.prompt_id === prompt_id, 20_000);
      const types = ws.eventsFor(prompt_id).map((e) => e.type);
      expect(types[0]).toBe('execution_start');
      expect(types).toContain('progress');
      expect(types.indexOf('executed')).toBeLessThan(types.indexOf('execution_success'));
      expect(types.slice(-2)).toEqual(['prompt_done', 'executing']);
      const history = (await (await server.fetch(`/history/${prompt_id}`)).json()) as Record<string, { status: { status_str: string }; outputs: Record<string, { text: string[]; files: { filename: string }[] }> }>;
      const item = history[prompt_id]!;
      expect(item.status.status_str).toBe('success');
      // Ran in the worker process, not in the server's.
      expect(item.outputs['3']!.text[0]).toBe(`pid ${worker.pid} value 7`);
      const file = item.outputs['3']!.files[0]!;
      const view = await server.fetch(`/view?filename=${encodeURIComponent(file.filename)}&type=output`);
      expect(view.status).toBe(200);
      expect(await view.text()).toBe(`pid ${worker.pid} value 7`);
      const workers = (await (await server.fetch('/api/workers')).json()) as { workers: { pid: number }[] };
      expect(workers.workers.map((w) => w.pid)).toEqual([worker.pid]);
      ws.socket.close();
    } finally {
      await server.close();
    }
  });
});
