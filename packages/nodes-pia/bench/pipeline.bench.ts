/**
 * The canonical example graph on the demo model, run through graph-core's Executor on the CPU: per-node times
 * (cold: demo files written and graphs built; warm: models loaded, output cache cleared), the engine's overhead as a
 * share of the run (wall time of `Executor.run` minus the nodes' own times), peak RSS, and the warm run with
 * onnxruntime's thread spinning off (the default) and on, alternated so both see the same machine load. With `BENCH_SD15=1` it also
 * times one U-Net step of the full-size `sd15` configuration (random weights, about 6 GB written to
 * `BENCH_SD15_DIR`, default the OS temp folder) at 256×256, 16 frames, batch 2.
 * Run with `pnpm --filter @piagraph/nodes-pia bench` or `npx tsx bench/pipeline.bench.ts`; BENCH_RUNS sets the warm runs.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Executor, NodeRegistry, documentToPrompt, parseGraphDocument, type RunResult } from '@piagraph/graph-core';
import { ensureFullSizeRandomModels } from '../src/demo/index.js';
import { loadPiaModels, sd15 } from '../src/models/index.js';
import { createPiaPack } from '../src/pack.js';
import { randn } from '../src/random/index.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const root = await mkdtemp(join(tmpdir(), 'piagraph-bench-'));
const packOn = (spinning?: boolean) =>
  createPiaPack({
    modelsDir: join(root, 'models'),
    inputDir: join(root, 'input'),
    outputDir: join(root, 'output'),
    tempDir: join(root, 'temp'),
    threads: 2,
    ...(spinning !== undefined ? { spinning } : {}),
  });
const pack = packOn();
const registry = new NodeRegistry().registerPack('piagraph.nodes-pia', pack.nodes);
const executor = new Executor(registry);
const doc = parseGraphDocument(await readFile(resolve(import.meta.dirname, '../../../examples/pia-image-to-video.json'), 'utf8'));
const prompt = documentToPrompt(doc, registry);

async function timed(id: string, on: Executor = executor): Promise<{ result: RunResult; wall: number }> {
  const started = performance.now();
  const result = await on.run(prompt, { promptId: id });
  const wall = performance.now() - started;
  if (result.status !== 'success') throw new Error(`run ${id} ended ${result.status}: ${result.error?.exception_message}`);
  return { result, wall };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const cold = await timed('cold');
const warm: { result: RunResult; wall: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  executor.clearCache();
  warm.push(await timed(`warm-${i}`));
}

const titles: Record<string, string> = {};
for (const [id, node] of Object.entries(prompt)) titles[id] = node.class_type;
console.log(`PIA pipeline on the demo model (CPU, 2 threads): 8 frames, 96×64, 10 steps, cfg 7.5; warm = median of ${RUNS}`);
console.log(`${'node'.padEnd(26)}${'cold ms'.padStart(10)}${'warm ms'.padStart(10)}${'warm share'.padStart(12)}`);
const warmTotal = median(warm.map((w) => w.wall));
for (const id of Object.keys(prompt).sort((a, b) => Number(a) - Number(b))) {
  const c = cold.result.timings[id] ?? 0;
  const w = median(warm.map((r) => r.result.timings[id] ?? 0));
  console.log(`${`${id} ${titles[id]}`.padEnd(26)}${c.toFixed(1).padStart(10)}${w.toFixed(1).padStart(10)}${`${((100 * w) / warmTotal).toFixed(1)} %`.padStart(12)}`);
}
const overhead = (r: { result: RunResult; wall: number }) => r.wall - Object.values(r.result.timings).reduce((a, b) => a + b, 0);
const warmOverhead = median(warm.map(overhead));
console.log(`${'whole run'.padEnd(26)}${cold.wall.toFixed(1).padStart(10)}${warmTotal.toFixed(1).padStart(10)}`);
console.log(
  `engine overhead: cold ${overhead(cold).toFixed(1)} ms (${((100 * overhead(cold)) / cold.wall).toFixed(2)} %), ` +
    `warm ${warmOverhead.toFixed(1)} ms (${((100 * warmOverhead) / warmTotal).toFixed(2)} %); target < 2 %`,
);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
await pack.context.store.releaseAll();

const spin = [false, true].map((spinning) => {
  const p = packOn(spinning);
  return { spinning, pack: p, executor: new Executor(new NodeRegistry().registerPack('piagraph.nodes-pia', p.nodes)), runs: [] as { result: RunResult; wall: number }[] };
});
for (const s of spin) await timed(`spin-${s.spinning}-load`, s.executor);
for (let i = 0; i < RUNS; i++) {
  for (const s of spin) {
    s.executor.clearCache();
    s.runs.push(await timed(`spin-${s.spinning}-${i}`, s.executor));
  }
}
const sampler = (s: (typeof spin)[number]) => median(s.runs.map((r) => r.result.timings['7'] ?? 0));
const whole = (s: (typeof spin)[number]) => median(s.runs.map((r) => r.wall));
const [off, on] = spin as [(typeof spin)[number], (typeof spin)[number]];
console.log(`thread spinning (median of ${RUNS} alternated warm runs): sampler off ${sampler(off).toFixed(1)} ms, on ${sampler(on).toFixed(1)} ms (on/off ${(sampler(on) / sampler(off)).toFixed(2)}×); whole run off ${whole(off).toFixed(1)} ms, on ${whole(on).toFixed(1)} ms (on/off ${(whole(on) / whole(off)).toFixed(2)}×)`);
for (const s of spin) await s.pack.context.store.releaseAll();
await rm(root, { recursive: true, force: true });

if (process.env['BENCH_SD15'] === '1') {
  const dir = process.env['BENCH_SD15_DIR'] ?? join(tmpdir(), 'piagraph-sd15-random');
  const paths = await ensureFullSizeRandomModels(dir);
  const loadStarted = performance.now();
  const models = await loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir: join(dir, '.cache'), parts: ['unet'] });
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const [b, f, h, w] = [2, 16, 32, 32];
  const sample = { data: randn(b * 9 * f * h * w, 1), dims: [b, 9, f, h, w] };
  const text = { data: randn(b * 77 * sd15.unet.crossAttentionDim, 2), dims: [b, 77, sd15.unet.crossAttentionDim] };
  await models.unet!.run(sample, 961, text);
  const started = performance.now();
  await models.unet!.run(sample, 921, text);
  console.log(`sd15 U-Net, one step at 256×256, 16 frames, batch 2: ${((performance.now() - started) / 1000).toFixed(2)} s (load ${loadSeconds.toFixed(1)} s)`);
  console.log(`peak RSS with sd15: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  await models.release();
} else {
  console.log('sd15 step time: skipped (set BENCH_SD15=1; writes ~6 GB of random full-size weights once)');
}
