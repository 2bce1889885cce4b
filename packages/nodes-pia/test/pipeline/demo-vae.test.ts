/**
 * The demo model's hand-set VAE, loaded like any checkpoint: the demo picture survives encode → decode as a blurred
 * copy, where the same tiny VAE with random weights gives back something unrelated; the scaled latent is the
 * picture's colour per 8×8 block. References are computed here from the pixels alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoModels } from '../../src/demo/index.js';
import { loadPiaModels, type PiaModels } from '../../src/models/load.js';
import {
  DEMO_IMAGE_SIZE,
  decodeVideoLatent,
  demoModelsCurrent,
  demoPaths,
  encodeConditionLatent,
  ensureDemoImage,
  loadImageFrames,
  prepareConditionPixels,
  writeDemoModels,
} from '../../src/pipeline/index.js';

let dir: string;
let demo: PiaModels;
let random: PiaModels;
let pixels: { data: Float32Array; width: number; height: number };

const { width: W, height: H } = DEMO_IMAGE_SIZE;
const PLANE = W * H;

/** PSNR in dB of `y` against `x`, both `[3, H, W]` in [0, 1]. */
function psnr(x: Float32Array, y: Float32Array): number {
  let se = 0;
  for (let i = 0; i < x.length; i++) se += (x[i]! - y[i]!) ** 2;
  return 10 * Math.log10(x.length / se);
}

/** The picture in [0, 1]. */
function unit(): Float32Array {
  return pixels.data.map((v) => (v + 1) / 2);
}

/** Mean of each 8×8 block of channel `k` of the pixels, in image units ([−1, 1]): `[H/8, W/8]`. */
function blockMeans(k: number): Float32Array {
  const out = new Float32Array((W / 8) * (H / 8));
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[(y >> 3) * (W / 8) + (x >> 3)]! += pixels.data[k * PLANE + y * W + x]! / 64;
  return out;
}

async function roundTrip(models: PiaModels): Promise<{ latent: Float32Array; decoded: Float32Array }> {
  const encoded = await encodeConditionLatent(models.vae!, pixels, { mode: 'sample', seed: 42 });
  const [, c, h, w] = encoded.dims;
  const decoded = await decodeVideoLatent(models.vae!, encoded.latent, [1, c, 1, h, w], 1);
  return { latent: encoded.latent, decoded: decoded.data };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-demo-vae-'));
  const paths = demoPaths(join(dir, 'models'), { checkpoint: 'demo.safetensors', pia: 'demo.ckpt', vae: 'demo-vae.safetensors', lora: 'demo-lora.safetensors' });
  await writeDemoModels(paths);
  const randomPaths = await ensureDemoModels(join(dir, 'random'));
  const cacheDir = join(dir, 'cache');
  demo = await loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir, threads: 2, parts: ['vae'] });
  random = await loadPiaModels({ checkpoint: randomPaths.checkpoint, pia: randomPaths.pia, cacheDir, threads: 2, parts: ['vae'] });
  const frames = await loadImageFrames(await ensureDemoImage(join(dir, 'input')));
  pixels = await prepareConditionPixels(frames, { mode: 'pia', longEdge: W }, 8);
}, 120_000);

afterAll(async () => {
  await demo?.release();
  await random?.release();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the demo VAE', { timeout: 60_000 }, () => {
  it('encodes each 8×8 block to its mean colour as the scaled latent, and 0 in the fourth channel', async () => {
    const { latent } = await roundTrip(demo);
    const blocks = (W / 8) * (H / 8);
    for (let k = 0; k < 3; k++) {
      const expected = blockMeans(k);
      for (let b = 0; b < blocks; b++) expect(latent[k * blocks + b]).toBeCloseTo(expected[b]!, 3);
    }
    for (let b = 0; b < blocks; b++) expect(latent[3 * blocks + b]).toBeCloseTo(0, 5);
  });

  it('gives the demo picture back within 2.5 dB of its 8×8 block means shown as blocks', async () => {
    // What a 12×8 latent of colours can hold: each pixel replaced by its block's mean (nearest upsampling). The
    // demo decoder is bilinear, but its last GroupNorm sets each colour's gain from the picture (about 0.8 dB here)
    // and its zero padding greys the border.
    const x = unit();
    const blocky = new Float32Array(3 * PLANE);
    for (let k = 0; k < 3; k++) {
      const means = blockMeans(k);
      for (let p = 0; p < PLANE; p++) blocky[k * PLANE + p] = (means[(Math.floor(p / W) >> 3) * (W / 8) + ((p % W) >> 3)]! + 1) / 2;
    }
    const { decoded } = await roundTrip(demo);
    expect(psnr(x, decoded)).toBeGreaterThan(psnr(x, blocky) - 2.5);
  });

  it('gives the demo picture back with under half the squared error of flat grey, which the random VAE does not', async () => {
    const x = unit();
    const threshold = psnr(x, new Float32Array(3 * PLANE).fill(0.5)) + 10 * Math.log10(2);
    expect(psnr(x, (await roundTrip(demo)).decoded)).toBeGreaterThan(threshold);
    expect(psnr(x, (await roundTrip(random)).decoded)).toBeLessThan(threshold);
  });

  it('makes a posterior sample equal to the mean', async () => {
    const sample = await encodeConditionLatent(demo.vae!, pixels, { mode: 'sample', seed: 7 });
    const mean = await encodeConditionLatent(demo.vae!, pixels, { mode: 'mean', seed: 7 });
    for (let i = 0; i < mean.latent.length; i++) expect(sample.latent[i]).toBeCloseTo(mean.latent[i]!, 5);
  });
});

describe('demo file versions', () => {
  it('reports files written by writeDemoModels as current', async () => {
    expect(await demoModelsCurrent(demoPaths(join(dir, 'models'), { checkpoint: 'demo.safetensors', pia: 'demo.ckpt', vae: 'demo-vae.safetensors', lora: 'demo-lora.safetensors' }))).toBe(true);
  });

  it('reports unstamped files (as the random-VAE demo wrote them) and missing files as stale', async () => {
    const old = await ensureDemoModels(join(dir, 'random'));
    expect(await demoModelsCurrent({ checkpoint: old.checkpoint, pia: old.pia, tokenizer: old.tokenizer })).toBe(false);
    expect(await demoModelsCurrent(demoPaths(join(dir, 'nowhere'), { checkpoint: 'demo.safetensors', pia: 'demo.ckpt', vae: 'demo-vae.safetensors', lora: 'demo-lora.safetensors' }))).toBe(false);
  });
});
