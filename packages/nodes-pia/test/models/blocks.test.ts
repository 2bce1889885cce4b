import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { motionKeys, unetKeys, vaeKeys } from '../../src/checkpoints/key-table.js';
import { tiny, timeEmbedDim } from '../../src/models/config.js';
import { downsample, resnet, spatialTransformer, upsample, vaeDownsample } from '../../src/models/layers.js';
import { motionModule } from '../../src/models/motion-module.js';
import { Params } from '../../src/models/tensors.js';
import { timeEmbedding } from '../../src/models/unet.js';
import { vaeAttention } from '../../src/models/vae.js';
import * as naive from './naive/blocks.js';
import { randn, maxAbsDiff } from './naive/tensor.js';
import { f32, randomWeights, runGraph } from './helpers/graph-harness.js';

const cfg = tiny.unet;
const unet = [...unetKeys(cfg), ...motionKeys(cfg)];
const frames = (f: number) => new ort.Tensor('int64', BigInt64Array.from([BigInt(f)]), [1]);

describe.each([true, false])('U-Net building blocks (fused attention: %s)', (fused) => {
  it('computes a resnet whose GroupNorm statistics span all frames of a sample, as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(unet, 'down_blocks.1.resnets.0.', 1);
    const x = randn([2 * 3, 32, 4, 4], 10);
    const temb = randn([1, timeEmbedDim(cfg)], 11);
    const out = await runGraph(
      (g) => {
        const p = new Params(g, weights);
        const F = g.input('frames', 'int64', [1]);
        const y = resnet(p, '', g.input('x', 'float32', x.dims), g.input('temb', 'float32', temb.dims), { groups: 8, eps: 1e-5, frames: F });
        g.output(y, 'y', { dtype: 'float32' });
      },
      { x: f32(x), temb: f32(temb), frames: frames(3) },
    );
    const expected = naive.resnet(x, temb, w, 8, 1e-5, 3);
    expect(maxAbsDiff(out.y!.data as Float32Array, expected.data)).toBeLessThan(1e-4);
  });

  it('computes a spatial transformer with self- and cross-attention as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(unet, 'down_blocks.0.attentions.0.', 2);
    const x = randn([3, 32, 4, 4], 20);
    const ctx = randn([3, 7, cfg.crossAttentionDim], 21);
    const out = await runGraph(
      (g) => {
        const p = new Params(g, weights);
        const y = spatialTransformer(p, '', g.input('x', 'float32', x.dims), g.input('ctx', 'float32', ctx.dims), 8, 2, { fused });
        g.output(y, 'y', { dtype: 'float32' });
      },
      { x: f32(x), ctx: f32(ctx) },
    );
    const expected = naive.spatialTransformer(x, ctx, w, 8, 2);
    expect(maxAbsDiff(out.y!.data as Float32Array, expected.data)).toBeLessThan(1e-4);
  });

  it('computes a motion module with its position encoding, attending across frames, as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(unet, 'up_blocks.0.motion_modules.1.', 3);
    const x = randn([2 * 5, 64, 3, 2], 30);
    const out = await runGraph(
      (g) => {
        const p = new Params(g, weights);
        const F = g.input('frames', 'int64', [1]);
        const y = motionModule(p, '', g.input('x', 'float32', x.dims), F, { groups: 8, heads: 2, maxFrames: 32, fused });
        g.output(y, 'y', { dtype: 'float32' });
      },
      { x: f32(x), frames: frames(5) },
    );
    const expected = naive.motionModule(x, 5, w, 8, 2);
    expect(maxAbsDiff(out.y!.data as Float32Array, expected.data)).toBeLessThan(1e-4);
  });
});

describe('resampling and embeddings', () => {
  it('downsamples with a stride-2 conv as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(unet, 'down_blocks.0.downsamplers.0.', 4, true);
    const x = randn([2, 32, 6, 6], 40);
    const out = await runGraph(
      (g) => g.output(downsample(new Params(g, weights), 'down_blocks.0.downsamplers.0', g.input('x', 'float32', x.dims)), 'y', { dtype: 'float32' }),
      { x: f32(x) },
    );
    expect(maxAbsDiff(out.y!.data as Float32Array, naive.downsample(x, w).data)).toBeLessThan(1e-4);
  });

  it('downsamples an odd-sized image to ⌈h/2⌉ × ⌈w/2⌉ as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(unet, 'down_blocks.0.downsamplers.0.', 4, true);
    const x = randn([2, 32, 7, 9], 41);
    const out = await runGraph(
      (g) => g.output(downsample(new Params(g, weights), 'down_blocks.0.downsamplers.0', g.input('x', 'float32', x.dims)), 'y', { dtype: 'float32' }),
      { x: f32(x) },
    );
    expect(out.y!.dims).toEqual([2, 32, 4, 5]);
    expect(maxAbsDiff(out.y!.data as Float32Array, naive.downsample(x, w).data)).toBeLessThan(1e-4);
  });

  it("upsamples to the skip tensor's odd size (nearest, then a conv) as the naive reference", async () => {
    const { weights, naive: w } = randomWeights(unet, 'up_blocks.0.upsamplers.0.', 5, true);
    const x = randn([2, 64, 4, 5], 51);
    const skip = randn([2, 32, 7, 9], 52);
    const out = await runGraph(
      (g) => {
        const y = upsample(new Params(g, weights), 'up_blocks.0.upsamplers.0', g.input('x', 'float32', x.dims), g.input('skip', 'float32', skip.dims));
        g.output(y, 'y', { dtype: 'float32' });
      },
      { x: f32(x), skip: f32(skip) },
    );
    expect(out.y!.dims).toEqual([2, 64, 7, 9]);
    expect(maxAbsDiff(out.y!.data as Float32Array, naive.upsample(x, w, [7, 9]).data)).toBeLessThan(1e-4);
  });

  it('upsamples by nearest ×2 and a conv as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(unet, 'up_blocks.0.upsamplers.0.', 5, true);
    const x = randn([2, 64, 3, 2], 50);
    const out = await runGraph(
      (g) => g.output(upsample(new Params(g, weights), 'up_blocks.0.upsamplers.0', g.input('x', 'float32', x.dims)), 'y', { dtype: 'float32' }),
      { x: f32(x) },
    );
    expect(maxAbsDiff(out.y!.data as Float32Array, naive.upsample(x, w).data)).toBeLessThan(1e-4);
  });

  it('embeds a timestep with flipped sinusoids and two linears as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(unet, 'time_embedding.', 6, true);
    const out = await runGraph(
      (g) => {
        g.output(timeEmbedding(new Params(g, weights), g.input('t', 'float32', [1]), 32), 'y', { dtype: 'float32' });
      },
      { t: new ort.Tensor('float32', Float32Array.from([961]), [1]) },
    );
    expect(maxAbsDiff(out.y!.data as Float32Array, naive.timeEmbedding(961, 32, w).data)).toBeLessThan(1e-4);
  });
});

describe('VAE building blocks', () => {
  const vae = vaeKeys(tiny.vae);

  it('computes the mid-block attention as the naive single-head reference', async () => {
    const { weights, naive: w } = randomWeights(vae, 'encoder.mid_block.attentions.0.', 7);
    const x = randn([2, 32, 3, 3], 70);
    const out = await runGraph(
      (g) => g.output(vaeAttention(new Params(g, weights), '', g.input('x', 'float32', x.dims), 8, { fused: true }), 'y', { dtype: 'float32' }),
      { x: f32(x) },
    );
    expect(maxAbsDiff(out.y!.data as Float32Array, naive.vaeAttention(x, w, 8).data)).toBeLessThan(1e-4);
  });

  it('computes a per-image resnet with a shortcut conv as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(vae, 'encoder.down_blocks.1.resnets.0.', 8);
    const x = randn([2, 16, 4, 4], 80);
    const out = await runGraph(
      (g) => g.output(resnet(new Params(g, weights), '', g.input('x', 'float32', x.dims), undefined, { groups: 8, eps: 1e-6 }), 'y', { dtype: 'float32' }),
      { x: f32(x) },
    );
    expect(maxAbsDiff(out.y!.data as Float32Array, naive.resnet(x, undefined, w, 8, 1e-6).data)).toBeLessThan(1e-4);
  });

  it('downsamples with right/bottom padding as the naive reference', async () => {
    const { weights, naive: w } = randomWeights(vae, 'encoder.down_blocks.0.downsamplers.0.', 9, true);
    const x = randn([1, 16, 8, 8], 90);
    const out = await runGraph(
      (g) => g.output(vaeDownsample(new Params(g, weights), 'encoder.down_blocks.0.downsamplers.0', g.input('x', 'float32', x.dims)), 'y', { dtype: 'float32' }),
      { x: f32(x) },
    );
    expect(maxAbsDiff(out.y!.data as Float32Array, naive.vaeDownsample(x, w).data)).toBeLessThan(1e-4);
  });
});
