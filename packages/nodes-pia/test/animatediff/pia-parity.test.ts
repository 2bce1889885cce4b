/**
 * piagraph's own PIA sampler and PIA through AnimateDiff-Evolved's path (motion model applied with the image, KSampler
 * `ddim` on `ddim_uniform`, `sqrt_linear` betas) give the same frames where their semantics agree.
 *
 * What agrees: PIA's "linear" betas are ComfyUI's `sqrt_linear`; 25 `ddim_uniform` steps are PIA's leading timesteps
 * 961…1; ComfyUI's `ddim` (Euler on σ) is DDIM with eta 0; CFG on the denoised equals CFG on the noise; the U-Net input
 * is 4 | 1 | 4 channels; the condition latent is the VAE posterior mean × 0.18215 with `use_mean`.
 * What does not, and is aligned by hand here: PIA draws its noise as `[1, 4, F, h, w]` where ComfyUI draws
 * `[F, 4, h, w]`, and PIA starts DDIM at x_T = ε (diffusers' `init_noise_sigma` 1) where ComfyUI starts at σ_T·ε; the test
 * gives KSampler PIA's noise transposed and scaled by √(1 + σ_T²)/σ_T. ADE's GroupNorm hack also normalises the spatial
 * transformers and motion modules across frames where PIA's code does not; on the demo models neither reaches the
 * output (their hand-set path), so the frames must agree to float precision.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motionModelInfo } from '../../src/motion/bind.js';
import { adeFrameNorms } from '../../src/motion/motion-model.js';
import { betaScheduleSampling } from '../../src/motion/beta-schedules.js';
import { piaInputValues } from '../../src/motion/pia-presets.js';
import type { PiaInputValue } from '../../src/motion/settings.js';
import { createPiaPack, type PiaPack } from '../../src/pack.js';
import { encodeConditionLatent, loadImageFrames, prepareConditionPixels } from '../../src/pipeline/condition-image.js';
import { DEMO_CHECKPOINT, DEMO_IMAGE, DEMO_PIA, ensureDemoImage } from '../../src/pipeline/demo-assets.js';
import { sampleVideo } from '../../src/pipeline/sampler.js';
import { motionSampling } from '../../src/pipeline/video-sampling.js';
import { TorchCpuGenerator } from '../../src/random/torch-generator.js';
import { ksamplerSigmas, runKSampler } from '../../src/samplers/index.js';
import { randn } from '../models/naive/tensor.js';

let root: string;
let pack: PiaPack;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'piagraph-pia-parity-'));
  pack = createPiaPack({ modelsDir: join(root, 'models'), inputDir: join(root, 'input'), outputDir: join(root, 'output'), tempDir: join(root, 'temp'), threads: 2 });
}, 60_000);
afterAll(async () => {
  await pack?.release();
  await rm(root, { recursive: true, force: true });
});

/** `[1, C, F, h, w]` ↔ `[F, C, h, w]`. */
function framesFirst(x: Float32Array, c: number, f: number, plane: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < f; i++) out.set(x.subarray((ch * f + i) * plane, (ch * f + i + 1) * plane), (i * c + ch) * plane);
  return out;
}

describe("PIA's sampler and ADE's PIA path", { timeout: 240_000 }, () => {
  it('give the same frames for the same image, affinity, prompts, seed and 25 DDIM steps', async () => {
    const store = pack.context.store;
    const image = await loadImageFrames(await ensureDemoImage(join(root, 'input')), DEMO_IMAGE);
    const [, , height, width] = image.dims; // 96×64, a multiple of 8: neither path resizes it
    const [h, w, frames, seed, cfg] = [height / 8, width / 8, 8, 1234, 7.5];
    const input: PiaInputValue = { kind: 'paper-preset', preset: 'Animation (Medium Motion)', index: 0, mult: 1 };
    const mask = piaInputValues(input, frames);
    const text = (s: number) => ({ data: randn([1, 77, 32], s).data, dims: [1, 77, 32] as const, text: '' });
    const [positive, negative] = [text(1), text(2)];

    // piagraph's PIA: Load Checkpoint (PIA), PIA Condition (use_mean, exact size), DDIM Sampler (PIA).
    const pia = await pack.context.checkpointRecipes(DEMO_CHECKPOINT, DEMO_PIA);
    const vae = await store.vae(pia.vae);
    const pixels = await prepareConditionPixels(image, { mode: 'crop', width, height });
    const condition = await encodeConditionLatent(vae, pixels, { mode: 'mean', seed: 0 });
    const own = await sampleVideo({
      unet: await store.unet(pia.model),
      positive: positive.data,
      negative: negative.data,
      textDims: [77, 32],
      conditionLatent: condition.latent,
      mask,
      height: h,
      width: w,
      seed,
      steps: 25,
      cfg,
    });

    // ADE: a plain checkpoint's MODEL with the PIA motion model applied with the image, KSampler ddim / ddim_uniform.
    const plain = await pack.context.checkpointRecipes(DEMO_CHECKPOINT);
    const file = await store.motionModelFile(DEMO_PIA);
    const info = await motionModelInfo(file.path);
    const recipe = {
      ...plain.model,
      betaSchedule: 'sqrt_linear (AnimateDiff)' as const,
      motion: { file, info, norms: adeFrameNorms(info), loras: [], scale: 1, effect: 1, startPercent: 0, endPercent: 1, pia: { image, vae: plain.vae, input } },
    };
    const ms = betaScheduleSampling('sqrt_linear (AnimateDiff)');
    const latent = { samples: new Float32Array(frames * 4 * h * w), dims: [frames, 4, h, w] as const };
    const { model } = await motionSampling(store, recipe, latent, { positive, negative }, ms, seed, { step: () => 0, totalSteps: 25 });
    const sigma0 = ksamplerSigmas({ modelSampling: ms, scheduler: 'ddim_uniform', sampler: 'ddim', steps: 25 })[0]!;
    const piaNoise = framesFirst(new TorchCpuGenerator(BigInt(seed)).randn(4 * frames * h * w), 4, frames, h * w);
    const noise = piaNoise.map((v) => v * (Math.sqrt(1 + sigma0 * sigma0) / sigma0));
    const ade = await runKSampler({
      model,
      modelSampling: ms,
      seed,
      steps: 25,
      cfg,
      samplerName: 'ddim',
      scheduler: 'ddim_uniform',
      latent: latent.samples,
      shape: latent.dims,
      latentScale: 1,
      noise,
    });

    const expected = framesFirst(own, 4, frames, h * w);
    const scale = Math.max(...Array.from(expected, Math.abs));
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(ade.samples[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-4 * scale);
    // The frames move away from the condition image as their affinity falls: the comparison is not between constants.
    const frameMean = (f: number) => expected.subarray(f * 4 * h * w, f * 4 * h * w + h * w).reduce((a, b) => a + b, 0) / (h * w);
    expect(Math.abs(frameMean(frames - 1) - frameMean(0))).toBeGreaterThan(0.01);
  });
});
