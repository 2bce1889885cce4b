import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentKeys } from '../../src/checkpoints/key-map.js';
import { openSdCheckpoint } from '../../src/checkpoints/resolve.js';
import { writeDiffusersFolder } from '../../src/demo/generate.js';
import { tiny } from '../../src/models/config.js';
import { openWeights } from '../../src/weights/open-weights.js';
import { writeSafetensors } from '../../src/weights/safetensors-write.js';
import type { TensorToWrite } from '../../src/weights/tensor-input.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-open-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Rewrites `file` as two shards named as diffusers names them, half of the tensors in each. */
async function shard(file: string): Promise<void> {
  const source = await openWeights(file);
  const tensors: [string, TensorToWrite][] = [];
  for (const key of source.keys()) tensors.push([key, { dtype: 'F32', shape: [...source.info(key).shape], data: await source.read(key, 'f32') }]);
  await source.close();
  const half = Math.ceil(tensors.length / 2);
  const stem = file.replace(/\.safetensors$/, '');
  await writeSafetensors(`${stem}-00001-of-00002.safetensors`, tensors.slice(0, half));
  await writeSafetensors(`${stem}-00002-of-00002.safetensors`, tensors.slice(half));
  await rm(file);
}

describe('opening diffusers folders', () => {
  it('binds a folder whose U-Net is only an fp16 variant and whose VAE is split into shards', async () => {
    const folder = join(dir, 'variant-and-shards');
    await writeDiffusersFolder(folder, tiny);
    await rename(join(folder, 'unet', 'diffusion_pytorch_model.safetensors'), join(folder, 'unet', 'diffusion_pytorch_model.fp16.safetensors'));
    await shard(join(folder, 'vae', 'diffusion_pytorch_model.safetensors'));
    const sd = await openSdCheckpoint(folder);
    try {
      expect(sd.config.name).toBe('tiny');
      expect(sd.vae.size).toBe(componentKeys(tiny, 'vae').specs.length);
      expect(sd.files.map((f) => f.slice(folder.length + 1)).sort()).toEqual([
        'text_encoder/model.safetensors',
        'unet/diffusion_pytorch_model.fp16.safetensors',
        'vae/diffusion_pytorch_model-00001-of-00002.safetensors',
        'vae/diffusion_pytorch_model-00002-of-00002.safetensors',
      ]);
    } finally {
      await sd.close();
    }
  });

  it('prefers the plain weight file to a variant beside it', async () => {
    const folder = join(dir, 'plain-and-variant');
    await writeDiffusersFolder(folder, tiny);
    const unet = join(folder, 'unet', 'diffusion_pytorch_model.safetensors');
    const source = await openWeights(unet);
    const tensors: [string, TensorToWrite][] = source.keys().map((key) => [key, { dtype: 'F32', shape: [1], data: new Float32Array(1) }]);
    await source.close();
    await writeSafetensors(join(folder, 'unet', 'diffusion_pytorch_model.fp16.safetensors'), tensors);
    const sd = await openSdCheckpoint(folder);
    try {
      expect(sd.files).toContain(unet);
    } finally {
      await sd.close();
    }
  });
});
