/**
 * Distributed mode benchmark, in one run:
 * 1. per-job overhead on a trivial graph (a number into an output): enqueue-to-done latency, one job at a time, of
 *    the embedded queue (in-process worker) and of the distributed path (BullMQ on a real redis-server, one
 *    `piagraph worker` process), and the difference: what Redis, the claim, the event relay and the hand-over cost;
 * 2. throughput on an I/O-bound graph (the test pack's sleep node, TestSlow) with 1, 2 and 4 worker processes, and
 *    the speed-up over one worker.
 * The start grace for clients (a job starts 25 ms after it was queued) is off on both servers here: the bench's
 * client listens before it queues. The two modes are measured in alternating rounds, so a change of load on the
 * machine weighs on both alike.
 *
 * Needs redis-server on PATH (node scripts/test-env.mjs installs it). Run: pnpm --filter @piagraph/server bench
 */
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer } from '../src/server.js';
import { serverTestNodes } from '../test/fixtures/server-test-nodes.js';
import { TOKEN, spawnWorker, startTestDistributedServer, tempDir, removeDir } from '../test/helpers/distributed.js';
import { hasRedisServer, killAllRedis, startRedis } from '../test/helpers/redis-server.js';
import { killSpawned } from '../test/helpers/spawn-cli.js';

const OVERHEAD_ROUNDS = 6;
const OVERHEAD_JOBS_PER_ROUND = 15;
const SLEEP_MS = 500;
const THROUGHPUT_JOBS = 16;

function trivial(n: number): Record<string, unknown> {
  // Distinct values: nothing comes from the cache.
  return { '1': { class_type: 'TestNumber', inputs: { value: n } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
}

function sleeper(n: number): Record<string, unknown> {
  return { '1': { class_type: 'TestSlow', inputs: { value: n, ms: SLEEP_MS } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
}

/** A client on the server's WebSocket that resolves `done(promptId)` when that prompt's `prompt_done` arrives. */
async function watcher(url: string, token: string | undefined) {
  const clientId = `bench-${Math.random().toString(36).slice(2)}`;
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?clientId=${clientId}${token ? `&token=${token}` : ''}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waiting = new Map<string, () => void>();
  const seen = new Set<string>();
  ws.on('message', (data, binary) => {
    if (binary) return;
    const msg = JSON.parse(data.toString()) as { type: string; data: { prompt_id?: string } };
    if (msg.type !== 'prompt_done' || !msg.data.prompt_id) return;
    seen.add(msg.data.prompt_id);
    waiting.get(msg.data.prompt_id)?.();
  });
  return {
    clientId,
    done: (id: string) => (seen.has(id) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(id, resolve))),
    close: () => ws.close(),
  };
}

async function submit(url: string, token: string | undefined, prompt: unknown, clientId: string): Promise<string> {
  const res = await fetch(`${url}/prompt`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ prompt, client_id: clientId }),
  });
  if (!res.ok) throw new Error(`POST /prompt ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { prompt_id: string }).prompt_id;
}

/** Enqueue-to-done latencies (ms) of jobs run one at a time. */
async function latencies(url: string, token: string | undefined, offset: number, jobs: number): Promise<number[]> {
  const w = await watcher(url, token);
  const times: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const t0 = performance.now();
    const id = await submit(url, token, trivial(offset + i), w.clientId);
    await w.done(id);
    times.push(performance.now() - t0);
  }
  w.close();
  return times;
}

function stats(times: number[]): { median: number; p90: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, p90: sorted[Math.floor(sorted.length * 0.9)]! };
}

/** Wall time (ms) to run `THROUGHPUT_JOBS` sleep jobs queued at once. */
async function throughput(url: string, offset: number): Promise<number> {
  const w = await watcher(url, TOKEN);
  const t0 = performance.now();
  const ids = [];
  for (let i = 0; i < THROUGHPUT_JOBS; i++) ids.push(await submit(url, TOKEN, sleeper(offset + i), w.clientId));
  await Promise.all(ids.map((id) => w.done(id)));
  const ms = performance.now() - t0;
  w.close();
  return ms;
}

async function throughputWarmup(url: string, jobs: number, offset: number): Promise<void> {
  const w = await watcher(url, TOKEN);
  const ids = [];
  for (let i = 0; i < jobs; i++) ids.push(await submit(url, TOKEN, trivial(offset + i), w.clientId));
  await Promise.all(ids.map((id) => w.done(id)));
  w.close();
}

async function main(): Promise<void> {
  if (!hasRedisServer()) {
    console.log('distributed bench skipped: redis-server is not on PATH (node scripts/test-env.mjs installs it)');
    return;
  }
  const redis = await startRedis();
  try {
    const embeddedDir = tempDir('piagraph-bench-embedded-');
    const embedded = await startServer({
      port: 0,
      dataDir: embeddedDir,
      editorDir: null,
      keepaliveMs: 0,
      startGraceMs: 0,
      piaNodes: false,
      nodes: serverTestNodes(join(embeddedDir, 'output')),
    });
    const server = await startTestDistributedServer(redis.url, { queueName: 'bench', startGraceMs: 0 });
    const workers = [await spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'bench'] })];
    // Warm-up of both (JIT, connections, the worker's first job loads its modules).
    await latencies(embedded.url, undefined, 0, 10);
    await latencies(server.url, TOKEN, 0, 10);
    const emb: number[] = [];
    const dist: number[] = [];
    for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
      emb.push(...(await latencies(embedded.url, undefined, (round + 1) * 1000, OVERHEAD_JOBS_PER_ROUND)));
      dist.push(...(await latencies(server.url, TOKEN, (round + 1) * 1000, OVERHEAD_JOBS_PER_ROUND)));
    }
    await embedded.close();
    removeDir(embeddedDir);
    const e = stats(emb);
    const d = stats(dist);
    console.log(`per-job latency, trivial graph, one job at a time (${emb.length} jobs each, alternating rounds):`);
    console.log(`  embedded queue      median ${e.median.toFixed(1)} ms   p90 ${e.p90.toFixed(1)} ms`);
    console.log(`  distributed (Redis) median ${d.median.toFixed(1)} ms   p90 ${d.p90.toFixed(1)} ms`);
    console.log(`  distributed overhead per job: ${(d.median - e.median).toFixed(1)} ms (median difference)`);

    console.log(`throughput, ${THROUGHPUT_JOBS} jobs of a ${SLEEP_MS} ms sleep node (I/O-bound), queued at once:`);
    let one = 0;
    for (const count of [1, 2, 4]) {
      while (workers.length < count) {
        workers.push(...(await Promise.all(Array.from({ length: count - workers.length }, () => spawnWorker(redis.url, server.url, { extra: ['--queue-name', 'bench'] })))));
      }
      // Every worker has run a few jobs before the clock starts (a fresh process loads its modules on its first job).
      await throughputWarmup(server.url, count * 3, count * 100_000 - 1000);
      const ms = await throughput(server.url, count * 100_000);
      if (count === 1) one = ms;
      const perSecond = (THROUGHPUT_JOBS / ms) * 1000;
      console.log(
        `  ${count} worker${count > 1 ? 's' : ' '}  ${(ms / 1000).toFixed(2)} s  ${perSecond.toFixed(2)} jobs/s  speed-up ×${(one / ms).toFixed(2)}` +
          `  (ideal ${(THROUGHPUT_JOBS * SLEEP_MS / count / 1000).toFixed(2)} s)`,
      );
    }
    killSpawned();
    await server.close();
  } finally {
    killSpawned();
    await redis.stop();
    await killAllRedis();
  }
}

await main();
