/**
 * KSampler overhead on the demo model: the time a KSampler step spends outside the U-Net (sigmas, CFG, the
 * sampler's update, noise, packing the batch for the U-Net, latent previews excluded) as a share of the U-Net's
 * own time, per sampler, for one 512×512 image (latent [1, 4, 64, 64]) and a 16-frame batch of 256×256 images.
 * Aim: < 1 %. Run: `npx tsx bench/ksampler.bench.ts` (also part of `pnpm --filter @piagraph/nodes-pia bench`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tiny } from '../src/models/config.js';
import { defaultCacheDir, loadUNet, sessionSettings, type UNetHandle } from '../src/models/index.js';
import { DEMO_CHECKPOINT, ensureDemoModelsFor } from '../src/pipeline/demo-assets.js';
import { imageConditionedModel } from '../src/pipeline/image-model.js';
import { runKSampler, sd15ModelSampling } from '../src/samplers/index.js';

const SAMPLERS = ['euler', 'euler_ancestral', 'dpmpp_2m', 'dpmpp_2m_sde', 'uni_pc'];

const root = await mkdtemp(join(tmpdir(), 'piagraph-ksampler-bench-'));
try {
  const models = join(root, 'models');
  await ensureDemoModelsFor(models, 'checkpoints', DEMO_CHECKPOINT);
  const settings = sessionSettings({ cacheDir: defaultCacheDir(models), threads: 2 });
  const { handle } = await loadUNet({ checkpoint: join(models, 'checkpoints', DEMO_CHECKPOINT) }, settings, tiny);
  let unetSeconds = 0;
  // The U-Net's own time, measured around each session call.
  const timed: UNetHandle = Object.create(handle, {
    run: {
      value: async (...args: Parameters<UNetHandle['run']>) => {
        const started = performance.now();
        try {
          return await handle.run(...args);
        } finally {
          unetSeconds += (performance.now() - started) / 1000;
        }
      },
    },
  });
  const d = tiny.unet.crossAttentionDim;
  const prompt = (v: number) => ({ data: new Float32Array(77 * d).fill(v), dims: [1, 77, d] as const, text: '' });
  const rows: string[] = [];
  // One untimed run per sampler first, so the figures are of JIT-compiled code, as in a server's second job.
  const warm = async (sampler: string) => {
    const ms = sd15ModelSampling();
    const dims = [1, 4, 8, 8] as const;
    await runKSampler({
      model: imageConditionedModel(handle, ms, dims, { positive: prompt(0.1), negative: prompt(-0.1) }),
      modelSampling: ms,
      seed: 1n,
      steps: 4,
      cfg: 7,
      samplerName: sampler,
      scheduler: 'karras',
      latent: new Float32Array(4 * 64),
      shape: dims,
      latentScale: 1,
    });
  };
  for (const sampler of SAMPLERS) await warm(sampler);
  for (const [label, dims] of [
    ['1 × 512²', [1, 4, 64, 64]],
    ['16 × 256²', [16, 4, 32, 32]],
  ] as const) {
    for (const sampler of SAMPLERS) {
      const ms = sd15ModelSampling();
      const latent = new Float32Array(dims.reduce((a, b) => a * b, 1));
      unetSeconds = 0;
      const steps = 10;
      const started = performance.now();
      await runKSampler({
        model: imageConditionedModel(timed, ms, dims, { positive: prompt(0.1), negative: prompt(-0.1) }),
        modelSampling: ms,
        seed: 1n,
        steps,
        cfg: 7,
        samplerName: sampler,
        scheduler: 'karras',
        latent,
        shape: dims,
        latentScale: 1,
      });
      const total = (performance.now() - started) / 1000;
      const overhead = total - unetSeconds;
      rows.push(
        `| ${label} | ${sampler} | ${((unetSeconds / steps) * 1000).toFixed(1)} | ${((overhead / steps) * 1000).toFixed(2)} | ${((overhead / unetSeconds) * 100).toFixed(2)} % |`,
      );
    }
  }
  console.log('\nKSampler overhead on the demo U-Net (tiny config, 2 threads, 10 karras steps, cfg 7)');
  console.log('| latent | sampler | U-Net ms/step | KSampler ms/step | overhead / U-Net |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  await handle.release();
} finally {
  await rm(root, { recursive: true, force: true });
}
