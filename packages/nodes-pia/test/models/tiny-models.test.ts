import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureDemoModels, writeDiffusersFolder, writeMotionFile } from '../../src/demo/index.js';
import { tiny } from '../../src/models/config.js';
import { loadPiaModels, type PiaModels } from '../../src/models/load.js';
import type { FloatTensor } from '../../src/models/handles.js';
import { OnnxSession } from '../../src/onnx/index.js';
import { randn } from './naive/tensor.js';

let dir: string;
let ldm: PiaModels;
let diffusers: PiaModels;

const B = 2;
const F = 4;
const h = 8;

/** `[2, 9, F, height, width]` with the same 9-channel latent on every frame when `sameFrames`. */
function unetInput(sameFrames: boolean, frames = F, height = h, width = h): FloatTensor {
  const plane = height * width;
  const perFrame = randn([B, 9, height, width], 5).data;
  const noise = randn([B, 9, frames, height, width], 6).data;
  const data = new Float32Array(B * 9 * frames * plane);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < 9; c++)
      for (let f = 0; f < frames; f++)
        for (let p = 0; p < plane; p++) {
          const i = (((b * 9 + c) * frames + f) * plane) + p;
          data[i] = sameFrames ? perFrame[(b * 9 + c) * plane + p]! : noise[i]!;
        }
  return { data, dims: [B, 9, frames, height, width] };
}

const text: FloatTensor = { data: randn([B, 77, tiny.unet.crossAttentionDim], 7).data, dims: [B, 77, tiny.unet.crossAttentionDim] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-tiny-'));
  const paths = await ensureDemoModels(join(dir, 'models'));
  await writeDiffusersFolder(join(dir, 'sd-diffusers'), tiny);
  ldm = await loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir: join(dir, 'cache'), threads: 2 });
  diffusers = await loadPiaModels({ checkpoint: join(dir, 'sd-diffusers'), pia: paths.piaSafetensors, cacheDir: join(dir, 'cache'), threads: 2 });
}, 120_000);

afterAll(async () => {
  await ldm?.release();
  await diffusers?.release();
  await rm(dir, { recursive: true, force: true });
});

describe('tiny PIA models from generated files', () => {
  it('detects the tiny config from the checkpoint shapes', () => {
    expect(ldm.config.name).toBe('tiny');
  });

  it('predicts finite noise of shape [2, 4, F, h, w] from the LDM checkpoint and pia.ckpt', async () => {
    const out = await ldm.unet!.run(unetInput(false), 961, text);
    expect(out.dims).toEqual([B, 4, F, h, h]);
    expect(out.data.every(Number.isFinite)).toBe(true);
    const rms = Math.sqrt(out.data.reduce((s, x) => s + x * x, 0) / out.data.length);
    expect(rms).toBeGreaterThan(1e-3);
    expect(rms).toBeLessThan(1e3);
  });

  it('predicts noise of the input spatial size at an odd latent size (7×9), where the down blocks round up', async () => {
    const out = await ldm.unet!.run(unetInput(false, F, 7, 9), 961, text);
    expect(out.dims).toEqual([B, 4, F, 7, 9]);
    expect(out.data.every(Number.isFinite)).toBe(true);
  });

  it('gives the same output bits twice for the same inputs', async () => {
    const a = await ldm.unet!.run(unetInput(false), 501, text);
    const b = await ldm.unet!.run(unetInput(false), 501, text);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
  });

  it('gives the same U-Net from the diffusers folder with MotionAdapter names as from the LDM file with original names', async () => {
    const a = await ldm.unet!.run(unetInput(false), 961, text);
    const b = await diffusers.unet!.run(unetInput(false), 961, text);
    let max = 0;
    for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
    expect(max).toBe(0);
  });

  it('makes frames differ through the motion modules even when every frame has the same latent', async () => {
    const out = await ldm.unet!.run(unetInput(true), 961, text);
    const plane = h * h;
    let diff = 0;
    for (let p = 0; p < plane; p++) diff = Math.max(diff, Math.abs(out.data[p]! - out.data[plane + p]!));
    expect(diff).toBeGreaterThan(1e-4);
  });

  it('encodes CLIP ids to finite [B, 77, width] hidden states, identical from both layouts', async () => {
    const ids = { data: Array.from({ length: 2 * 77 }, (_, i) => (i % 77 === 0 ? 49406 : i % 77 < 5 ? 300 + i : 49407)), dims: [2, 77] };
    const a = await ldm.clip!.encode(ids);
    const b = await diffusers.clip!.encode(ids);
    expect(a.dims).toEqual([2, 77, tiny.clip.width]);
    expect(a.data.every(Number.isFinite)).toBe(true);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('encodes a 64×64 image to a [1, 4, 8, 8] latent and decodes frames in chunks to [N, 3, 64, 64]', async () => {
    const image = { data: randn([1, 3, 64, 64], 8, 0.5).data, dims: [1, 3, 64, 64] };
    const latent = await ldm.vae!.encodeLatent(image, { mode: 'sample', seed: 1 });
    expect(latent.dims).toEqual([1, 4, 8, 8]);
    const frames = { data: new Float32Array(3 * 4 * 64), dims: [3, 4, 8, 8] };
    for (let f = 0; f < 3; f++) frames.data.set(latent.data, f * 256);
    const one = await ldm.vae!.decode(frames, { chunkSize: 1 });
    const two = await ldm.vae!.decode(frames, { chunkSize: 2 });
    expect(one.dims).toEqual([3, 3, 64, 64]);
    expect(one.data.every(Number.isFinite)).toBe(true);
    let max = 0;
    for (let i = 0; i < one.data.length; i++) max = Math.max(max, Math.abs(one.data[i]! - two.data[i]!));
    expect(max).toBeLessThan(1e-5);
  });

  it('passes the thread-spinning choice to every session it opens', async () => {
    const load = vi.spyOn(OnnxSession, 'load');
    try {
      const m = await loadPiaModels({ checkpoint: join(dir, 'sd-diffusers'), pia: '', cacheDir: join(dir, 'cache'), threads: 2, parts: ['vae', 'clip'], spinning: true });
      await m.release();
      expect(load).toHaveBeenCalledTimes(3);
      for (const [, options] of load.mock.calls) expect(options?.spinning).toBe(true);
    } finally {
      load.mockRestore();
    }
  });

  it('reuses the cached graphs on a second load', async () => {
    const again = await loadPiaModels({ checkpoint: join(dir, 'models/checkpoints/piagraph-tiny-sd15.safetensors'), pia: join(dir, 'models/pia/piagraph-tiny-pia.ckpt'), cacheDir: join(dir, 'cache'), threads: 2 });
    try {
      expect(Object.values(again.report.graphs).every((g) => !g.built)).toBe(true);
    } finally {
      await again.release();
    }
  });
});

describe('float16 graphs (the CUDA option)', { timeout: 60_000 }, () => {
  it('agree with the float32 U-Net to within fp16 precision', async () => {
    const m = await loadPiaModels({ checkpoint: join(dir, 'sd-diffusers'), pia: join(dir, 'models/pia/piagraph-tiny-pia.safetensors'), cacheDir: join(dir, 'cache'), threads: 2, parts: ['unet'], precision: 'float16' });
    try {
      const half = await m.unet!.run(unetInput(false), 961, text);
      const full = await ldm.unet!.run(unetInput(false), 961, text);
      let max = 0;
      for (let i = 0; i < full.data.length; i++) max = Math.max(max, Math.abs(full.data[i]! - half.data[i]!));
      expect(max).toBeLessThan(2e-2);
    } finally {
      await m.release();
    }
  });
});

describe('the frame structure of the PIA U-Net', () => {
  it.each([
    [h, h],
    [7, 9],
  ])('with zeroed motion modules and one latent on every frame, gives every frame the single-frame output (latent %i×%i)', async (height, width) => {
    const zeroPia = join(dir, 'zero-motion.safetensors');
    await writeMotionFile(zeroPia, tiny, 'diffusers', { motionScale: 0 });
    const m = await loadPiaModels({ checkpoint: join(dir, 'sd-diffusers'), pia: zeroPia, cacheDir: join(dir, 'cache'), threads: 2, parts: ['unet'] });
    try {
      const many = await m.unet!.run(unetInput(true, 5, height, width), 701, text);
      const single = await m.unet!.run(unetInput(true, 1, height, width), 701, text);
      const plane = height * width;
      let max = 0;
      for (let b = 0; b < B; b++)
        for (let c = 0; c < 4; c++)
          for (let f = 0; f < 5; f++)
            for (let p = 0; p < plane; p++) {
              const got = many.data[((b * 4 + c) * 5 + f) * plane + p]!;
              const want = single.data[(b * 4 + c) * plane + p]!;
              max = Math.max(max, Math.abs(got - want));
            }
      expect(max).toBeLessThan(1e-4);
    } finally {
      await m.release();
    }
  });
});
