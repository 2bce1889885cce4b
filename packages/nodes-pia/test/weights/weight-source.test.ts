import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../../src/weights/errors.js';
import { openWeights, openWeightsDir, sniffWeightFile } from '../../src/weights/open-weights.js';
import { openSafetensors } from '../../src/weights/safetensors-read.js';
import { writeSafetensors } from '../../src/weights/safetensors-write.js';
import { tensorsFromSource } from '../../src/weights/tensor-input.js';
import { writeTorchCheckpoint } from '../../src/weights/torch-zip-write.js';
import { bytes, errorOf, le, tempDir } from './helpers.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function one(value: number): { dtype: 'F32'; shape: number[]; data: Float32Array } {
  return { dtype: 'F32', shape: [1], data: Float32Array.of(value) };
}

describe('opening weights by content', () => {
  const dir = tempDir();

  it('opens a safetensors file even under a .bin name', async () => {
    const path = join(dir, 'model.bin');
    await writeSafetensors(path, { a: one(1) });
    const src = await openWeights(path);
    expect(src.format).toBe('safetensors');
    expect([...(await src.read('a', 'f32'))]).toEqual([1]);
    await src.close();
  });

  it('opens a PyTorch zip checkpoint under a .safetensors name', async () => {
    const path = join(dir, 'liar.safetensors');
    copyFileSync(join(fixtures, 'python-protocol2.ckpt'), path);
    const src = await openWeights(path);
    expect(src.format).toBe('torch');
    expect(src.has('model.w')).toBe(true);
    await src.close();
  });

  it('recognises the magic numbers of each format', () => {
    expect(sniffWeightFile(bytes('PK\x03\x04'), 100)).toBe('torch-zip');
    expect(sniffWeightFile(bytes('\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19'), 100)).toBe('torch-legacy');
    expect(sniffWeightFile(bytes(le(20, 8), '{"a"'), 100)).toBe('safetensors');
    expect(sniffWeightFile(bytes(le(200, 8), '{"a"'), 100)).toBe('unknown');
    expect(sniffWeightFile(bytes('GIF89a'), 100)).toBe('unknown');
  });

  it('refuses legacy (pre-1.6) torch.save files with advice', async () => {
    const path = join(dir, 'old.pt');
    writeFileSync(path, bytes('\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.'));
    const error = await errorOf(() => openWeights(path));
    expect(error.message).toBe(`${path}: uses the legacy (before PyTorch 1.6) serialization; re-save it with a current torch.save or as .safetensors`);
  });

  it('refuses a file in no known format', async () => {
    const path = join(dir, 'notes.ckpt');
    writeFileSync(path, 'just some text, not weights');
    const error = (await errorOf(() => openWeights(path))) as WeightFileError;
    expect(error.code).toBe('unsupported');
    expect(error.message).toBe(`${path}: is neither a safetensors file nor a PyTorch zip checkpoint`);
  });

  it('names a path that does not exist', async () => {
    const path = join(dir, 'nowhere');
    const error = (await errorOf(() => openWeights(path))) as WeightFileError;
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`${path}: no such file or folder`);
  });

  it('converts a torch checkpoint to safetensors one tensor at a time', async () => {
    const src = await openWeights(join(fixtures, 'python-protocol4.ckpt'));
    const out = join(dir, 'converted.safetensors');
    await writeSafetensors(out, tensorsFromSource(src));
    const converted = await openSafetensors(out);
    for (const key of src.keys()) {
      expect(converted.info(key)).toEqual(src.info(key));
      expect(await converted.read(key, 'raw')).toEqual(await src.read(key, 'raw'));
    }
    await Promise.all([src.close(), converted.close()]);
  });
});

describe('opening a model folder', () => {
  const dir = tempDir();

  async function diffusersFolder(root: string): Promise<void> {
    mkdirSync(join(root, 'unet'), { recursive: true });
    mkdirSync(join(root, 'vae'));
    mkdirSync(join(root, 'text_encoder'));
    mkdirSync(join(root, '.cache'));
    writeFileSync(join(root, 'model_index.json'), '{}');
    await writeSafetensors(join(root, 'unet', 'diffusion_pytorch_model.safetensors'), { 'conv_in.weight': one(1) });
    await writeSafetensors(join(root, 'unet', 'diffusion_pytorch_model.fp16.safetensors'), {
      'conv_in.weight': { dtype: 'F16', shape: [1], data: Uint16Array.of(0x4000) },
    });
    await writeTorchCheckpoint(join(root, 'vae', 'diffusion_pytorch_model.bin'), { 'decoder.conv_out.bias': one(3) });
    await writeSafetensors(join(root, 'text_encoder', 'model.safetensors'), { 'text_model.final_layer_norm.bias': one(4) });
    await writeTorchCheckpoint(join(root, 'text_encoder', 'pytorch_model.bin'), { 'text_model.final_layer_norm.bias': one(-4) });
    await writeSafetensors(join(root, '.cache', 'junk.safetensors'), { junk: one(0) });
  }

  it('prefixes keys with the subfolder and prefers safetensors over pickles', async () => {
    const root = join(dir, 'sd');
    await diffusersFolder(root);
    const src = await openWeights(root);
    expect(src.format).toBe('multi');
    expect(src.keys().sort()).toEqual(['text_encoder.text_model.final_layer_norm.bias', 'unet.conv_in.weight', 'vae.decoder.conv_out.bias']);
    expect([...(await src.read('unet.conv_in.weight', 'f32'))]).toEqual([1]);
    expect([...(await src.read('vae.decoder.conv_out.bias', 'f32'))]).toEqual([3]);
    expect([...(await src.read('text_encoder.text_model.final_layer_norm.bias', 'f32'))]).toEqual([4]);
    expect(src.files).toHaveLength(3);
    await src.close();
  });

  it('picks the requested variant where it exists and the plain files elsewhere', async () => {
    const root = join(dir, 'sd-fp16');
    await diffusersFolder(root);
    const src = await openWeightsDir(root, { variant: 'fp16' });
    expect(src.info('unet.conv_in.weight').dtype).toBe('F16');
    expect([...(await src.read('unet.conv_in.weight', 'f32'))]).toEqual([2]);
    expect([...(await src.read('vae.decoder.conv_out.bias', 'f32'))]).toEqual([3]);
    await src.close();
  });

  it('reads sharded files of one folder as one set of keys', async () => {
    const root = join(dir, 'sharded');
    mkdirSync(join(root, 'unet'), { recursive: true });
    await writeSafetensors(join(root, 'unet', 'diffusion_pytorch_model-00001-of-00002.safetensors'), { a: one(1) });
    await writeSafetensors(join(root, 'unet', 'diffusion_pytorch_model-00002-of-00002.safetensors'), { b: one(2) });
    const src = await openWeights(root);
    expect(src.keys()).toEqual(['unet.a', 'unet.b']);
    await src.close();
  });

  it('takes a dotted file name that only looks like a variant when nothing else is there', async () => {
    const root = join(dir, 'dotted');
    mkdirSync(root);
    await writeSafetensors(join(root, 'sd-v1.5.safetensors'), { w: one(1) });
    const src = await openWeights(root);
    expect(src.keys()).toEqual(['w']);
    await src.close();
  });

  it('refuses two files that hold the same key, naming both', async () => {
    const root = join(dir, 'clash');
    mkdirSync(root);
    await writeSafetensors(join(root, 'one.safetensors'), { w: one(1) });
    await writeSafetensors(join(root, 'two.safetensors'), { w: one(2) });
    const error = await errorOf(() => openWeights(root));
    expect(error.message).toBe(`${root}: tensor "w": the key is in both ${join(root, 'one.safetensors')} and ${join(root, 'two.safetensors')}`);
  });

  it('refuses a folder without weight files', async () => {
    const root = join(dir, 'empty');
    mkdirSync(join(root, 'unet'), { recursive: true });
    writeFileSync(join(root, 'unet', 'config.json'), '{}');
    const error = (await errorOf(() => openWeights(root))) as WeightFileError;
    expect(error.code).toBe('not-found');
    expect(error.message).toBe(`${root}: the folder holds no .safetensors, .bin, .ckpt, .pt or .pth files`);
  });

  it('names the missing key of a folder', async () => {
    const root = join(dir, 'sd-missing');
    await diffusersFolder(root);
    const src = await openWeights(root);
    expect(() => src.info('unet.nope')).toThrow(`${root}: tensor "unet.nope": no such tensor in any file of the folder`);
    await src.close();
  });
});
