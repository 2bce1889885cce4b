/**
 * The video model with context windows: each window is one U-Net call on those frames alone, so a window's frames get
 * exactly what a video of just those frames gets, and overlapping windows average per frame. Checked against
 * window-less runs on the sub-videos (same sessions), then a 40-frame graph past the motion model's 32 positions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motionModelInfo } from '../../src/motion/bind.js';
import { adeFrameNorms } from '../../src/motion/motion-model.js';
import { betaScheduleSampling } from '../../src/motion/beta-schedules.js';
import { videoConditionedModel } from '../../src/pipeline/video-model.js';
import type { ModelRecipe } from '../../src/pipeline/recipes.js';
import type { ContextOptionsValue } from '../../src/samplers/context/options.js';
import type { Harness } from '../e2e/harness.js';
import { randn } from '../models/naive/tensor.js';
import { createAdeHarness, MM, RANDOM, run, textToVideo } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createAdeHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const context = (schedule: ContextOptionsValue['schedule'], length: number, overlap: number): ContextOptionsValue => ({
  kind: 'context-options',
  schedule,
  contextLength: length,
  contextStride: 1,
  contextOverlap: overlap,
  closedLoop: false,
  fuseMethod: 'flat',
  useOnEqualLength: false,
  startPercent: 0,
  guaranteeSteps: 1,
});

describe('the video model over context windows', { timeout: 120_000 }, () => {
  it('gives each window what the video of its frames alone gets, and averages overlapping windows (flat fuse)', async () => {
    const store = h.pack.context.store;
    const base = (await h.pack.context.checkpointRecipes(RANDOM)).model;
    const file = await store.motionModelFile(MM);
    const info = await motionModelInfo(file.path);
    const recipe: ModelRecipe = { ...base, motion: { file, info, norms: adeFrameNorms(info), loras: [], scale: 1, effect: 1, startPercent: 0, endPercent: 1 } };
    const unet = await store.unet(recipe);
    const ms = betaScheduleSampling('sqrt_linear (AnimateDiff)');
    const [frames, c, hh, w] = [16, 4, 6, 6];
    const per = c * hh * w;
    const x = randn([frames, c, hh, w], 5).data;
    const text = (s: number) => ({ data: randn([1, 77, 32], s).data, dims: [1, 77, 32] as const, text: '' });
    const prompts = { positive: text(1), negative: text(2) };
    const progress = { step: () => 0, totalSteps: 1 };
    const sigma = ms.sigma(500);
    const video = (n: number, ctx?: ContextOptionsValue) =>
      videoConditionedModel({ unet, modelSampling: ms, dims: [n, c, hh, w], ...prompts, progress, ...(ctx ? { context: ctx } : {}) });
    /** The window-less prediction of frames [from, from + n). */
    const alone = async (from: number, n: number) => (await video(n)(x.slice(from * per, (from + n) * per), sigma, ['uncond', 'cond']))[1]!;

    const batched = (await video(frames, context('batched', 8, 0))(x, sigma, ['uncond', 'cond']))[1]!;
    const [first, second] = [await alone(0, 8), await alone(8, 8)];
    expect(Array.from(batched.subarray(0, 8 * per))).toEqual(Array.from(first));
    expect(Array.from(batched.subarray(8 * per))).toEqual(Array.from(second));

    // Static windows of 8 with overlap 4 on 16 frames: [0–7], [4–11], [8–15]; frame 5 lies in the first two.
    const fused = (await video(frames, context('standard_static', 8, 4))(x, sigma, ['uncond', 'cond']))[1]!;
    const middle = await alone(4, 8);
    const frame5 = Array.from(first.subarray(5 * per, 6 * per), (v, i) => (v + middle[1 * per + i]!) / 2);
    const got = Array.from(fused.subarray(5 * per, 6 * per));
    expect(Math.max(...got.map((v, i) => Math.abs(v - frame5[i]!)))).toBeLessThan(1e-6);
    expect(Array.from(fused.subarray(0, 4 * per))).toEqual(Array.from(first.subarray(0, 4 * per)));
  });
});

describe('long animations in a graph', { timeout: 300_000 }, () => {
  it('samples 40 frames with a 32-position motion model through 16-frame context windows', async () => {
    const prompt = textToVideo({
      frames: 40,
      edit: (p) => {
        p['30'] = { class_type: 'ADE_StandardUniformContextOptions', inputs: { context_length: 16, context_stride: 1, context_overlap: 4 } };
        (p['10']!.inputs as Record<string, unknown>)['context_options'] = ['30', 0];
      },
    });
    const video = await run(h, prompt);
    expect(video).toHaveLength(40);
  });

  it('refuses a context length above the motion model\'s positions', async () => {
    const prompt = textToVideo({
      frames: 40,
      mm: 'piagraph-demo-mm-v1.ckpt',
      edit: (p) => {
        p['30'] = { class_type: 'ADE_StandardUniformContextOptions', inputs: { context_length: 32, context_stride: 1, context_overlap: 4 } };
        (p['10']!.inputs as Record<string, unknown>)['context_options'] = ['30', 0];
      },
    });
    const { result } = await h.run(prompt);
    expect(result.error?.exception_message).toContain('context_length 32 is above the 24 frames');
  });
});

