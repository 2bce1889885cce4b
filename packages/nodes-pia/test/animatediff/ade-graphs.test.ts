/**
 * AnimateDiff-Evolved graphs on KSampler: Gen1 and Gen2 loaders, beta schedules, the motion modules' effect, and bad
 * inputs, on the tiny random checkpoint and the demo v2 motion model (see helpers.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CHECKPOINT } from '../../src/pipeline/index.js';
import { writeSafetensors } from '../../src/weights/safetensors-write.js';
import type { Harness } from '../e2e/harness.js';
import { createAdeHarness, maxDiff, run, same, textToVideo } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createAdeHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('AnimateDiff-Evolved on KSampler', { timeout: 300_000 }, () => {
  it('samples 16 frames on the demo models through the Gen1 loader', async () => {
    const video = await run(h, textToVideo({ ckpt: DEMO_CHECKPOINT, frames: 16 }));
    expect(video).toHaveLength(16);
  });

  it('gives the same frames through the Gen1 loader and the Gen2 nodes', async () => {
    const gen1 = await run(h, textToVideo({ motion: 'gen1' }));
    const gen2 = await run(h, textToVideo({ motion: 'gen2' }));
    expect(same(gen1, gen2)).toBe(true);
  });

  it('mixes the frames: the motion model changes the video, and its frames are not the independent images', async () => {
    const video = await run(h, textToVideo({ beta: 'use existing' }));
    const images = await run(h, textToVideo({ motion: 'none' }));
    expect(maxDiff(video, images)).toBeGreaterThan(8);
  });

  it('with effect_multival 0 (motion modules off) gives the image U-Net\'s frames (v2 runs its GroupNorms per frame)', async () => {
    const off = await run(h, textToVideo({ beta: 'use existing', effect: 0 }));
    const images = await run(h, textToVideo({ motion: 'none' }));
    // Two graphs, two float orders: at most one 8-bit step apart.
    expect(maxDiff(off, images)).toBeLessThanOrEqual(1);
  });

  it("autoselect picks sqrt_linear: the same frames as 'sqrt_linear (AnimateDiff)', others than SD 1.5's 'linear'", async () => {
    const auto = await run(h, textToVideo({ beta: 'autoselect' }));
    const sqrtLinear = await run(h, textToVideo({ beta: 'sqrt_linear (AnimateDiff)' }));
    const linear = await run(h, textToVideo({ beta: 'linear (HotshotXL/default)' }));
    const existing = await run(h, textToVideo({ beta: 'use existing' }));
    expect(same(auto, sqrtLinear)).toBe(true);
    expect(same(existing, linear)).toBe(true);
    expect(maxDiff(auto, linear)).toBeGreaterThan(2);
  });
});

describe('LCM beta schedules on KSampler', { timeout: 300_000 }, () => {
  it("sample with LCM's distilled sampling: each lcm schedule its own frames, none the sqrt_linear ones", async () => {
    const lcm = (beta: string) => {
      const p = textToVideo({ beta });
      Object.assign(p['5']!.inputs, { sampler_name: 'lcm', cfg: 1.5, steps: 4 });
      return run(h, p);
    };
    const [plain, avg, hundred, sqrt, reference] = await Promise.all(['lcm', 'lcm avg(sqrt_linear,linear)', 'lcm[100_ots]', 'lcm >> sqrt_linear', 'sqrt_linear (AnimateDiff)'].map(lcm));
    for (const video of [plain, avg, hundred, sqrt]) {
      expect(video).toHaveLength(6);
      expect(maxDiff(video, reference!)).toBeGreaterThan(0);
    }
    expect(maxDiff(plain!, sqrt!)).toBeGreaterThan(0);
    expect(maxDiff(plain!, hundred!)).toBeGreaterThan(0);
  });
});

describe('bad AnimateDiff inputs are refused naming the input', { timeout: 120_000 }, () => {
  it('more frames than the motion model takes, without context options', async () => {
    const { result } = await h.run(textToVideo({ frames: 33 }));
    expect(result.status).toBe('error');
    expect(result.error?.node_id).toBe('5');
    expect(result.error?.exception_message).toContain('latent_image has 33 frames');
    expect(result.error?.exception_message).toContain('at most 32');
    expect(result.error?.exception_message).toContain('context options');
  });

  it('an SDXL motion model, at the loader', async () => {
    const zeros = (shape: number[]) => ({ dtype: 'F16' as const, shape, data: new Uint16Array(shape.reduce((a, b) => a * b, 1)) });
    await writeSafetensors(
      join(h.dirs.models, 'animatediff_models', 'mm_sdxl_v10_beta.safetensors'),
      [320, 640, 1280].flatMap((c, b) => [
        [`down_blocks.${b}.motion_modules.0.temporal_transformer.proj_in.weight`, zeros([c, c])] as const,
        [`down_blocks.${b}.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.0.pos_encoder.pe`, zeros([1, 32, c])] as const,
      ]).map(([k, v]) => [k, v]),
    );
    const { result } = await h.run(textToVideo({ mm: 'mm_sdxl_v10_beta.safetensors' }));
    expect(result.error?.node_id).toBe('10');
    expect(result.error?.exception_message).toContain('model_name "mm_sdxl_v10_beta.safetensors"');
    expect(result.error?.exception_message).toContain('SDXL motion model');
  });

  it('a PIA file without the PIA apply node', async () => {
    const { result } = await h.run(textToVideo({ mm: 'piagraph-demo-pia.ckpt' }));
    expect(result.error?.exception_message).toContain('Apply AnimateDiff-PIA Model');
  });

});
