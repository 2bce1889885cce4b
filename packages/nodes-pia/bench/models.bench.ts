/**
 * Model benchmark: graph build time, session creation time and one U-Net step on the CPU, for the tiny demo
 * models and (with `PIAGRAPH_SLOW=1` or `--full`) the full-size `sd15` U-Net from generated random files.
 * Run: `npx -y pnpm@12.21.0 --filter @piagraph/nodes-pia bench` (or `npx tsx bench/models.bench.ts`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoModels } from '../src/demo/demo-models.js';
import { ensureFullSizeRandomModels } from '../src/demo/full-size.js';
import { loadPiaModels, type PiaModels } from '../src/models/load.js';

const s = (seconds: number) => `${seconds.toFixed(2)} s`;

async function timeStep(models: PiaModels, dims: number[], repeats: number): Promise<number> {
  const n = dims.reduce((a, b) => a * b, 1);
  const sample = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const d = models.config.unet.crossAttentionDim;
  const text = { data: Float32Array.from({ length: dims[0]! * 77 * d }, (_, i) => Math.cos(i) * 0.5), dims: [dims[0]!, 77, d] };
  await models.unet!.run({ data: sample, dims }, 961, text);
  const started = performance.now();
  for (let r = 0; r < repeats; r++) await models.unet!.run({ data: sample, dims }, 961 - r, text);
  return (performance.now() - started) / 1000 / repeats;
}

function report(label: string, models: PiaModels): void {
  for (const [graph, g] of Object.entries(models.report.graphs)) {
    console.log(`${label} ${graph.padEnd(12)} build ${g.built ? s(g.buildSeconds) : '(cached)'}  session ${s(g.sessionSeconds)}`);
  }
}

/** Runs the benchmark and prints its figures. */
export async function benchModels(full = process.env.PIAGRAPH_SLOW === '1' || process.argv.includes('--full')): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'piagraph-bench-'));
  try {
    const paths = await ensureDemoModels(join(dir, 'models'));
    const tiny = await loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir: join(dir, 'cache'), threads: 2 });
    report('tiny', tiny);
    const tinyDims = [2, 9, 16, 8, 8];
    const tinyStep = await timeStep(tiny, tinyDims, 5);
    console.log(`tiny U-Net step [${tinyDims.join(', ')}] (16 frames, 64×64 image): ${(tinyStep * 1000).toFixed(1)} ms; 25 steps ≈ ${s(25 * tinyStep)}`);
    const decodeStart = performance.now();
    await tiny.vae!.decode({ data: new Float32Array(16 * 4 * 64).fill(0.1), dims: [16, 4, 8, 8] }, { chunkSize: 4 });
    console.log(`tiny VAE decode of 16 frames at 64×64: ${((performance.now() - decodeStart) * 1).toFixed(1)} ms`);
    await tiny.release();
    if (!full) {
      console.log('full-size sd15: skipped (set PIAGRAPH_SLOW=1 or pass --full; needs ~12 GB of disk and ~10 GB of memory)');
      return;
    }
    const slowDir = process.env.PIAGRAPH_SLOW_DIR ?? join(tmpdir(), 'piagraph-sd15');
    const genStart = performance.now();
    const big = await ensureFullSizeRandomModels(slowDir);
    console.log(`sd15 random files ready in ${s((performance.now() - genStart) / 1000)}`);
    const sd15 = await loadPiaModels({ checkpoint: big.checkpoint, pia: big.pia, cacheDir: join(slowDir, '.cache'), parts: ['unet'], threads: 2 });
    report('sd15', sd15);
    const bigDims = [2, 9, 2, 8, 8];
    const bigStep = await timeStep(sd15, bigDims, 1);
    console.log(`sd15 U-Net step [${bigDims.join(', ')}]: ${s(bigStep)}`);
    const tinySame = await (async () => {
      const t = await loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir: join(dir, 'cache'), threads: 2, parts: ['unet'] });
      try {
        return await timeStep(t, bigDims, 5);
      } finally {
        await t.release();
      }
    })();
    console.log(`step time sd15 / tiny on [${bigDims.join(', ')}]: ${(bigStep / tinySame).toFixed(0)}×`);
    await sd15.release();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await benchModels();
