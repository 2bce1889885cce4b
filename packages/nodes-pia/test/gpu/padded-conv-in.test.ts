/**
 * conv_in with its input channels zero-padded (the WebGPU workaround for a 9-channel NHWC Conv that some drivers get
 * wrong, `device-self-check.ts`) computes what the unpadded graph computes: the padded channels add zero products.
 * The reference is the graph without padding, on the CPU; a padded graph that dropped or misplaced channels would
 * differ by the size of the values themselves.
 */
import * as ort from 'onnxruntime-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMotionCheckpoint, openSdCheckpoint, piaUNetWeights } from '../../src/checkpoints/resolve.js';
import { ensureDemoModels } from '../../src/demo/index.js';
import { buildCached } from '../../src/models/cache.js';
import { tiny } from '../../src/models/config.js';
import { UNetHandle, type FloatTensor } from '../../src/models/handles.js';
import { graphKeyOptions, unetBuildOptions, unetKeyOptions, sessionSettings } from '../../src/models/load.js';
import type { ModelWeights } from '../../src/models/tensors.js';
import { buildUNet } from '../../src/models/unet.js';
import { GraphBuilder, OnnxSession } from '../../src/onnx/index.js';
import { randn } from '../models/naive/tensor.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-padded-conv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runGraph(g: GraphBuilder, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await OnnxSession.load('padded-conv', { modelBytes: await g.toBytes(), executionProviders: ['cpu'], threads: 1 });
  try {
    return Float32Array.from((await session.run(feeds)).y!.data as Float32Array);
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('zero-padded convolution input channels', () => {
  it.each([12, 16, 32])('a 3×3 Conv 9 → 32 padded to %i channels equals the plain one', async (channels) => {
    const x = randn([2, 9, 8, 12], 1);
    const w = randn([32, 9, 3, 3], 2);
    const b = randn([32], 3);
    const build = (padTo: number) => {
      const g = new GraphBuilder(`conv-${padTo}`);
      const input = g.input('x', 'float32', [2, 9, 8, 12]);
      const kernel = g.initializer('w', { dtype: 'float32', shape: [32, 9, 3, 3], data: w.data });
      const bias = g.initializer('b', { dtype: 'float32', shape: [32], data: b.data });
      g.output(g.conv(g.padChannels(input, padTo - 9), g.padChannels(kernel, padTo - 9), bias, { pads: [1, 1, 1, 1], strides: [1, 1] }), 'y');
      return g;
    };
    const feeds = { x: new ort.Tensor('float32', x.data, [2, 9, 8, 12]) };
    const plain = await runGraph(build(9), feeds);
    const padded = await runGraph(build(channels), feeds);
    // The same 81 products per output, plus exact zeros.
    expect(maxAbsDiff(plain, padded)).toBeLessThan(1e-5);
  });

  it('the tiny PIA U-Net built with conv_in padded to 16 channels predicts what the unpadded one does', async () => {
    const paths = await ensureDemoModels(join(dir, 'models'));
    const sd = await openSdCheckpoint(paths.checkpoint);
    const pia = await openMotionCheckpoint(paths.pia, tiny);
    try {
      const weights: ModelWeights = piaUNetWeights(sd, pia);
      const sample: FloatTensor = { data: randn([2, 9, 3, 8, 8], 11).data, dims: [2, 9, 3, 8, 8] };
      const text: FloatTensor = { data: randn([2, 77, 32], 12).data, dims: [2, 77, 32] };
      const predict = async (convInChannels?: number) => {
        const graph = await buildCached(join(dir, 'cache'), `unet-${convInChannels ?? 9}`, 'float32', (g) =>
          buildUNet(g, weights, tiny.unet, { precision: 'float32', ...(convInChannels ? { convInChannels } : {}) }),
        );
        const session = await OnnxSession.load(graph.modelPath, { threads: 2 });
        try {
          return (await new UNetHandle(session, tiny).run(sample, 500, text)).data;
        } finally {
          await session.release();
        }
      };
      const plain = await predict();
      const padded = await predict(16);
      let scale = 0;
      for (const v of plain) scale = Math.max(scale, Math.abs(v));
      expect(scale).toBeGreaterThan(0.1);
      expect(maxAbsDiff(plain, padded) / scale).toBeLessThan(1e-5);
    } finally {
      await sd.close();
      await pia.close();
    }
  }, 120_000);
});

describe('session settings with a padded conv_in', () => {
  const base = sessionSettings({ cacheDir: '/tmp/x', device: 'webgpu' });

  it('pass the padding to the U-Net build and key only the U-Net graph by it', () => {
    const padded = { ...base, convInChannels: 16 };
    expect(unetBuildOptions(padded)).toMatchObject({ convInChannels: 16, precision: 'float16' });
    expect(unetBuildOptions(base)).not.toHaveProperty('convInChannels');
    expect(unetKeyOptions(padded, { a: 1 })).toEqual({ a: 1, convInChannels: 16 });
    expect(graphKeyOptions(padded, { a: 1 })).toEqual({ a: 1 });
    // The default forms keep the keys the graphs always had.
    expect(unetKeyOptions(base, { a: 1 })).toEqual({ a: 1 });
    expect(unetKeyOptions({ ...padded, fusedAttention: false })).toEqual({ attention: 'plain', convInChannels: 16 });
  });
});
