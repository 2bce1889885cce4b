/**
 * Load benchmark: 50 WebSocket clients each queue 20 small prompts against one in-process server. Checks that
 * every client receives every event of each of its prompts and none of anyone else's, then prints throughput and
 * enqueue-to-done latency, beside the executor alone running the same prompts (the server's overhead ratio).
 *
 * Run: pnpm --filter @piagraph/server bench
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Executor, NodeRegistry, type ApiPrompt } from '@piagraph/graph-core';
import WebSocket from 'ws';
import { testNodes } from '../../graph-core/test/fixtures/test-nodes.js';
import { startServer } from '../src/server.js';

const CLIENTS = 50;
const PROMPTS_PER_CLIENT = 20;

function prompt(client: number, n: number): ApiPrompt {
  // Distinct values, so nothing is served from the cache and every prompt really runs.
  return {
    '1': { class_type: 'TestNumber', inputs: { value: client * 1000 + n } },
    '2': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: 1 } },
    '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
  };
}

/** The events one successful prompt must produce for its owner, by type. */
const EXPECTED_TYPES = ['execution_start', 'execution_cached', 'executing', 'executed', 'node_finished', 'execution_success', 'prompt_done'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface ClientResult {
  latencies: number[];
  enqueueMs: number[];
  foreign: number;
  missing: string[];
}

async function runClient(url: string, index: number): Promise<ClientResult> {
  const clientId = `bench-${index}`;
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?clientId=${clientId}`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const mine = new Map<string, { queuedAt: number; types: Set<string>; doneAt?: number }>();
  const early = new Map<string, { type: string; at: number; final: boolean }[]>();
  let foreign = 0;
  let finished = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return;
    const msg = JSON.parse(data.toString()) as { type: string; data: { prompt_id?: string; node?: string | null } };
    const id = msg.data?.prompt_id;
    if (!id) return;
    const final = msg.type === 'executing' && msg.data.node === null;
    const entry = mine.get(id);
    if (!entry) {
      // Not known yet: ours but the POST answer is still on its way, or someone else's (checked at the end).
      early.set(id, [...(early.get(id) ?? []), { type: msg.type, at: performance.now(), final }]);
      return;
    }
    entry.types.add(msg.type);
    if (final) {
      entry.doneAt = performance.now();
      if (++finished === PROMPTS_PER_CLIENT) allDone();
    }
  });
  const enqueueMs: number[] = [];
  for (let n = 0; n < PROMPTS_PER_CLIENT; n++) {
    const queuedAt = performance.now();
    const res = await fetch(`${url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: prompt(index, n), client_id: clientId }) });
    const { prompt_id } = (await res.json()) as { prompt_id: string };
    enqueueMs.push(performance.now() - queuedAt);
    const entry = { queuedAt, types: new Set<string>() as Set<string>, doneAt: undefined as number | undefined };
    mine.set(prompt_id, entry);
    for (const e of early.get(prompt_id) ?? []) {
      entry.types.add(e.type);
      if (e.final) {
        entry.doneAt = e.at;
        if (++finished === PROMPTS_PER_CLIENT) allDone();
      }
    }
    early.delete(prompt_id);
  }
  await done;
  socket.close();
  foreign = [...early.keys()].length;
  const missing: string[] = [];
  for (const [id, entry] of mine) {
    for (const type of EXPECTED_TYPES) if (!entry.types.has(type)) missing.push(`${id}:${type}`);
  }
  return { latencies: [...mine.values()].map((e) => e.doneAt! - e.queuedAt), enqueueMs, foreign, missing };
}

async function executorAlone(total: number): Promise<number> {
  const registry = new NodeRegistry().register(...testNodes);
  const executor = new Executor(registry);
  const start = performance.now();
  for (let i = 0; i < total; i++) await executor.run(prompt(100_000 + i, 0), { promptId: `alone-${i}` });
  return performance.now() - start;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'piagraph-bench-'));
  const server = await startServer({ port: 0, dataDir, nodes: testNodes, editorDir: null, keepaliveMs: 0 });
  const total = CLIENTS * PROMPTS_PER_CLIENT;
  try {
    const start = performance.now();
    const results = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => runClient(server.url, i)));
    const wall = performance.now() - start;
    const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const enqueue = results.flatMap((r) => r.enqueueMs).sort((a, b) => a - b);
    const foreign = results.reduce((n, r) => n + r.foreign, 0);
    const missing = results.flatMap((r) => r.missing);
    const history = Object.keys((await (await fetch(`${server.url}/history`)).json()) as object).length;
    const aloneMs = await executorAlone(total);

    const serverRate = total / (wall / 1000);
    const aloneRate = total / (aloneMs / 1000);
    const row = (label: string, value: string) => console.log(`  ${label.padEnd(40)} ${value}`);
    console.log(`\npiagraph server load: ${CLIENTS} WebSocket clients × ${PROMPTS_PER_CLIENT} prompts = ${total} prompts (3 nodes each)`);
    row('completed prompts (history entries)', `${history} / ${total}`);
    row('events missing at their owner', String(missing.length));
    row('events of other clients’ prompts received', String(foreign));
    row('wall time', `${(wall / 1000).toFixed(2)} s`);
    row('throughput through the server', `${serverRate.toFixed(1)} prompts/s`);
    row('throughput of the executor alone', `${aloneRate.toFixed(1)} prompts/s`);
    row('server ÷ executor-alone throughput', `${(serverRate / aloneRate).toFixed(3)}×`);
    row('enqueue (POST /prompt) latency p50 / p99', `${percentile(enqueue, 50).toFixed(1)} ms / ${percentile(enqueue, 99).toFixed(1)} ms`);
    row('enqueue-to-done latency p50 / p99', `${percentile(latencies, 50).toFixed(1)} ms / ${percentile(latencies, 99).toFixed(1)} ms`);
    row('enqueue-to-done latency max', `${latencies.at(-1)!.toFixed(1)} ms`);
    if (missing.length > 0 || foreign > 0 || history !== total) {
      console.error(`FAILED: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}`);
      process.exitCode = 1;
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
