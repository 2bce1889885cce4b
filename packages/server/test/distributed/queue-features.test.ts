import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG } from '../fixtures/server-test-nodes.js';
import { RecordingSocket } from '../helpers/ws-client.js';
import { hasRedisServer, killAllRedis, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { killSpawned } from '../helpers/spawn-cli.js';
import { TOKEN, eventually, spawnWorker, startTestDistributedServer, tempDir, whoPrompt, type WorkerProcess } from '../helpers/distributed.js';

type History = Record<string, { status: { status_str: string; messages: [string, Record<string, unknown>][] }; outputs: Record<string, Record<string, unknown[]>> }>;
type TestServer = Awaited<ReturnType<typeof startTestDistributedServer>>;

async function queue(server: TestServer, prompt: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await server.postJson('/prompt', { prompt, ...extra });
  const body = (await res.json()) as { prompt_id: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.prompt_id;
}

async function history(server: TestServer): Promise<History> {
  return (await (await server.fetch('/history')).json()) as History;
}

async function finished(server: TestServer, ids: string[], ms = 30_000): Promise<History> {
  return eventually(async () => {
    const h = await history(server);
    return ids.every((id) => h[id]) ? h : undefined;
  }, ms, `jobs ${ids.join(', ')} in the history`);
}

const modelPrompt = (ckpt: string, value = 0) => ({
  '0': { class_type: 'TestNumber', inputs: { value } },
  '1': { class_type: 'TestLoadModel', inputs: { ckpt_name: ckpt, load_ms: ['0', 0] } },
  '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
});

/**
 * The queue a client sees in distributed mode, with real worker processes: validation on the server with what the
 * workers offer, input files fetched by workers, previews, interrupt, a failing node, and output files of two
 * workers with the same names. One server and two workers serve these tests (a worker process takes seconds to start).
 */
describe.skipIf(!hasRedisServer())('distributed mode: the queue as clients see it (needs redis-server)', { timeout: 240_000 }, () => {
  let redis: TestRedis;
  let server: TestServer;
  let w1: WorkerProcess;
  let w2: WorkerProcess;
  let modelBefore: Response;
  beforeAll(async () => {
    redis = await startRedis();
    server = await startTestDistributedServer(redis.url, { queueName: 'features' });
    // No worker yet, and the server's own models/ is empty: the model is not a valid choice.
    modelBefore = await server.postJson('/prompt', { prompt: modelPrompt('sd15.safetensors') });
    const w1Dir = tempDir('piagraph-dist-worker-');
    mkdirSync(join(w1Dir, 'models', 'checkpoints'), { recursive: true });
    writeFileSync(join(w1Dir, 'models', 'checkpoints', 'sd15.safetensors'), 'weights');
    [w1, w2] = await Promise.all([
      spawnWorker(redis.url, server.url, { dataDir: w1Dir, extra: ['--queue-name', 'features', '--name', 'w1'] }),
      spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'features', '--name', 'w2'] }),
    ]);
  }, 240_000);
  afterAll(async () => {
    killSpawned();
    await server?.close();
    await redis?.stop();
    await killAllRedis();
  });

  it('validates on the server with the model files the workers offer, and runs such a job on a worker that has the file', async () => {
    expect((await server.postJson('/prompt', { prompt: { '1': { class_type: 'NoSuchNode', inputs: {} } } })).status).toBe(400);
    expect(modelBefore.status).toBe(400);
    expect(JSON.stringify(await modelBefore.json())).toContain('value_not_in_list');
    const info = (await (await server.fetch('/object_info/TestLoadModel')).json()) as Record<string, { input: { required: { ckpt_name: [string[]] } } }>;
    expect(info.TestLoadModel!.input.required.ckpt_name[0]).toEqual(['sd15.safetensors']);
    const missing = await server.postJson('/prompt', { prompt: modelPrompt('other.safetensors') });
    expect(missing.status).toBe(400);
    // Only w1 has the file: every one of these runs there, whichever worker takes it from the queue.
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await queue(server, modelPrompt('sd15.safetensors', i)));
    const h = await finished(server, ids);
    for (const id of ids) {
      expect(h[id]!.status.status_str).toBe('success');
      expect(h[id]!.outputs['2']!.text).toEqual([`sd15.safetensors on pid ${w1.pid}`]);
    }
  });

  it('a worker fetches the uploaded input files a job uses from the server', async () => {
    const form = new FormData();
    form.append('image', new Blob([TINY_PNG], { type: 'image/png' }), 'pixel.png');
    expect((await server.fetch('/upload/image', { method: 'POST', body: form })).status).toBe(200);
    const ids = [];
    for (let i = 0; i < 2; i++) {
      ids.push(
        await queue(server, {
          '1': { class_type: 'TestReadInput', inputs: { image: 'pixel.png' } },
          '2': { class_type: 'TestWhoAmI', inputs: { value: i } },
          '3': { class_type: 'TestConcat', inputs: { a: ['1', 0], b: ['2', 0], separator: ' | ' } },
          '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] } },
        }),
      );
    }
    const h = await finished(server, ids);
    const expected = `${TINY_PNG.length} bytes sha256 ${createHash('sha256').update(TINY_PNG).digest('hex')}`;
    for (const id of ids) expect(String(h[id]!.outputs['4']!.text[0]).split(' | ')[0]).toBe(expected);
  });

  it('relays previews as binary frames, and interrupts a job running on a worker', async () => {
    const ws = await RecordingSocket.connect(server.url, 'watcher', { query: `token=${TOKEN}` });
    const previews = await queue(
      server,
      { '1': { class_type: 'TestPreviews', inputs: { value: 1, steps: 3 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } },
      { client_id: 'watcher' },
    );
    await ws.waitFor((m) => 'type' in m && m.type === 'prompt_done' && m.data.prompt_id === previews, 20_000);
    const frames = ws.messages.filter((m): m is { binary: Buffer } => 'binary' in m);
    // 3 previews (type 1: [1][format 2 = PNG][png]) and one progress text (type 3: [3][node id length][node id][text]).
    const imageFrames = frames.filter((f) => f.binary.readUInt32BE(0) === 1);
    expect(imageFrames).toHaveLength(3);
    expect(imageFrames[0]!.binary.readUInt32BE(4)).toBe(2);
    expect(imageFrames[0]!.binary.subarray(8)).toEqual(TINY_PNG);
    expect(frames.some((f) => f.binary.readUInt32BE(0) === 3 && f.binary.toString('utf8', 9) === 'previews sent')).toBe(true);

    const slow = await queue(server, whoPrompt(1, 20_000), { client_id: 'watcher' });
    await ws.waitFor((m) => 'type' in m && m.type === 'executing' && m.data.prompt_id === slow && m.data.node === '1', 20_000);
    expect((await server.postJson('/interrupt', { prompt_id: slow })).status).toBe(200);
    const h = await finished(server, [slow], 10_000);
    expect(h[slow]!.status.status_str).toBe('error');
    expect(h[slow]!.status.messages.map(([t]) => t)).toContain('execution_interrupted');
    expect(ws.eventsFor(slow).map((e) => e.type)).toContain('execution_interrupted');
    const job = (await (await server.fetch(`/api/jobs/${slow}`)).json()) as { status: string };
    expect(job.status).toBe('cancelled');
    ws.socket.close();
  });

  it("a failing node fails the job once, with the node's error, and it is not retried", async () => {
    const id = await queue(server, {
      '1': { class_type: 'TestFail', inputs: { message: 'the node broke' } },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    });
    const h = await finished(server, [id]);
    expect(h[id]!.status.status_str).toBe('error');
    const error = h[id]!.status.messages.find(([t]) => t === 'execution_error')![1];
    expect(error.exception_message).toBe('the node broke');
    expect(error.exception_type).toBe('RangeError');
    // Jobs queued after it run, and it was run once in all.
    const next = [await queue(server, whoPrompt(9)), await queue(server, whoPrompt(10))];
    await finished(server, next);
    const runs = (w: WorkerProcess) => w.output().split(`running job ${id}`).length - 1;
    expect(runs(w1) + runs(w2)).toBe(1);
  });

  it('two workers writing files of the same name both reach the server, under distinct names', async () => {
    const ids = [await queue(server, whoPrompt(1, 1500)), await queue(server, whoPrompt(2, 1500))];
    const h = await finished(server, ids);
    const texts = ids.map((id) => String(h[id]!.outputs['3']!.text[0]));
    expect(new Set(texts.map((t) => t.split(' ')[1]))).toEqual(new Set([String(w1.pid), String(w2.pid)]));
    const files = ids.map((id) => (h[id]!.outputs['3']!.files[0] as { filename: string }).filename);
    expect(new Set(files).size).toBe(2);
    for (const [i, file] of files.entries()) {
      expect(await (await server.fetch(`/view?filename=${encodeURIComponent(file)}`)).text()).toBe(texts[i]);
    }
  });
});

describe.skipIf(!hasRedisServer())('distributed mode: pause, cancel, front and reorder (needs redis-server)', { timeout: 240_000 }, () => {
  let redis: TestRedis;
  let server: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    killSpawned();
    await server?.close();
    await redis?.stop();
    await killAllRedis();
  });

  it('pause holds jobs in the queue; cancel, front and reorder change what runs and in which order', async () => {
    server = await startTestDistributedServer(redis.url, { queueName: 'order' });
    expect((await server.postJson('/queue/pause', {})).status).toBe(200);
    await spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'order'] });
    const a = await queue(server, whoPrompt(1));
    const b = await queue(server, whoPrompt(2));
    const c = await queue(server, whoPrompt(3));
    const gone = await queue(server, whoPrompt(4));
    expect((await server.postJson('/queue', { delete: [gone] })).status).toBe(200);
    expect((await server.postJson('/queue/reorder', { prompt_id: c, position: 0 })).status).toBe(200);
    const d = await queue(server, whoPrompt(5), { front: true });
    await new Promise((r) => setTimeout(r, 1500));
    const paused = (await (await server.fetch('/queue')).json()) as { paused: boolean; queue_pending: [number, string][]; queue_running: unknown[] };
    expect(paused.paused).toBe(true);
    expect(paused.queue_running).toEqual([]);
    expect(paused.queue_pending.map((q) => q[1])).toEqual([d, c, a, b]);
    expect(Object.keys(await history(server))).toEqual([]);
    expect((await server.postJson('/queue/resume', {})).status).toBe(200);
    const h = await finished(server, [a, b, c, d]);
    // One worker: the history's order is the run order.
    expect(Object.keys(h)).toEqual([d, c, a, b]);
    await new Promise((r) => setTimeout(r, 500));
    expect((await history(server))[gone]).toBeUndefined();
  });
});
