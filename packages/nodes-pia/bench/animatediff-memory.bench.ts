/**
 * Memory and time of long animations through context windows: the same motion U-Net (the tiny config with random
 * weights and the demo v2 motion model, at a 512×512 latent so that its activations outweigh the process) sampling
 * 16 frames and 128 frames, both with 16-frame windows (overlap 4), 4 euler steps, cfg 7. Each run is a fresh process,
 * so its peak RSS (`maxRSS`) is its own. Printed: peak RSS, seconds per frame, and the 128/16 ratios.
 * Run: `npx tsx bench/animatediff-memory.bench.ts` (from packages/nodes-pia).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLdmCheckpoint } from '../src/demo/generate.js';
import { tiny } from '../src/models/config.js';
import { motionModelInfo } from '../src/motion/bind.js';
import { adeFrameNorms } from '../src/motion/motion-model.js';
import { betaScheduleSampling } from '../src/motion/beta-schedules.js';
import { createPiaPack } from '../src/pack.js';
import { motionSampling } from '../src/pipeline/video-sampling.js';
import type { ModelRecipe } from '../src/pipeline/recipes.js';
import { runKSampler } from '../src/samplers/index.js';
import type { ContextOptionsValue } from '../src/samplers/context/options.js';
import { contextWindows } from '../src/samplers/context/windows.js';
import { tinyClipVocabulary, writeTokenizerFolder } from '../src/tokenizer/index.js';

const CHECKPOINT = 'bench-tiny.safetensors';
const MM = 'piagraph-demo-mm-v2.ckpt';
const SIZE = 64; // latent side: 512×512 pixels
const STEPS = 4;

const context: ContextOptionsValue = {
  kind: 'context-options',
  schedule: 'standard_uniform',
  contextLength: 16,
  contextStride: 1,
  contextOverlap: 4,
  closedLoop: false,
  fuseMethod: 'pyramid',
  useOnEqualLength: false,
  startPercent: 0,
  guaranteeSteps: 1,
};

/** One sampling run in this process; prints its figures as JSON on the last line. */
async function child(modelsDir: string, frames: number): Promise<void> {
  const pack = createPiaPack({ modelsDir, inputDir: join(modelsDir, 'in'), outputDir: join(modelsDir, 'out'), tempDir: join(modelsDir, 'tmp'), demo: true, threads: 2 });
  const store = pack.context.store;
  const base = (await pack.context.checkpointRecipes(CHECKPOINT)).model;
  const file = await store.motionModelFile(MM);
  const info = await motionModelInfo(file.path);
  const recipe: ModelRecipe = { ...base, context, motion: { file, info, norms: adeFrameNorms(info), loras: [], scale: 1, effect: 1, startPercent: 0, endPercent: 1 } };
  const text = (v: number) => ({ data: new Float32Array(77 * 32).fill(v), dims: [1, 77, 32] as const, text: '' });
  const ms = betaScheduleSampling('sqrt_linear (AnimateDiff)');
  const dims = [frames, 4, SIZE, SIZE] as const;
  const latent = { samples: new Float32Array(frames * 4 * SIZE * SIZE), dims };
  await store.unet(recipe);
  let step = 0;
  const started = performance.now();
  const { model } = await motionSampling(store, recipe, latent, { positive: text(0.1), negative: text(-0.1) }, ms, 1, { step: () => step, totalSteps: STEPS });
  await runKSampler({ model, modelSampling: ms, seed: 1, steps: STEPS, cfg: 7, samplerName: 'euler', scheduler: 'normal', latent: latent.samples, shape: dims, latentScale: 1, onStep: (i) => (step = i + 1) });
  const seconds = (performance.now() - started) / 1000;
  await pack.release();
  console.log(JSON.stringify({ frames, maxRssMiB: process.resourceUsage().maxRSS / 1024, seconds }));
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'piagraph-ade-bench-'));
  try {
    await mkdir(join(dir, 'checkpoints'), { recursive: true });
    await writeLdmCheckpoint(join(dir, 'checkpoints', CHECKPOINT), tiny);
    await writeTokenizerFolder(join(dir, 'checkpoints', 'bench-tiny.tokenizer'), tinyClipVocabulary());
    const self = fileURLToPath(import.meta.url);
    const runChild = (frames: number) => {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', dir, String(frames)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      return JSON.parse(out.trim().split('\n').pop()!) as { frames: number; maxRssMiB: number; seconds: number };
    };
    runChild(16); // builds and caches the graph, so neither measured run pays for it
    const short = runChild(16);
    const long = runChild(128);
    console.log('animatediff context windows (tiny U-Net + demo v2 motion model, 512×512, 16-frame windows, overlap 4, 4 steps, cfg 7)');
    for (const r of [short, long]) console.log(`  ${String(r.frames).padStart(3)} frames: peak RSS ${r.maxRssMiB.toFixed(0)} MiB, ${(r.seconds / r.frames).toFixed(3)} s/frame (${r.seconds.toFixed(1)} s)`);
    // Overlapping windows evaluate some frames twice: the share of extra U-Net work the time per frame should show.
    const evaluated = contextWindows(128, context, 0, STEPS).reduce((n, w) => n + w.length, 0) / 128;
    console.log(`  128/16: peak RSS ×${(long.maxRssMiB / short.maxRssMiB).toFixed(2)}, time per frame ×${(long.seconds / long.frames / (short.seconds / short.frames)).toFixed(2)} (windows evaluate ${evaluated.toFixed(3)} frames per frame)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1]!, Number(process.argv[at + 2]));
else await main();
