/** A diffusers folder whose later part cannot be opened must not leave the parts opened before it open. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSdCheckpoint } from '../../src/checkpoints/resolve.js';
import { writeDiffusersFolder } from '../../src/demo/generate.js';
import { tiny } from '../../src/models/config.js';
import { openWeights } from '../../src/weights/open-weights.js';
import type { WeightSource } from '../../src/weights/weight-source.js';

/** Every source `openDiffusersPart` handed out, with its part, so the test can look at them afterwards. */
const opened = vi.hoisted(() => [] as { part: string; source: WeightSource; close: ReturnType<typeof vi.fn> }[]);

vi.mock('../../src/checkpoints/open.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/checkpoints/open.js')>();
  return {
    ...actual,
    openDiffusersPart: async (folder: string, part: Parameters<typeof actual.openDiffusersPart>[1]) => {
      const source = await actual.openDiffusersPart(folder, part);
      const close = vi.fn(() => source.close());
      opened.push({ part, source, close });
      return Object.assign(Object.create(source) as WeightSource, { close });
    },
  };
});

const GARBAGE = 'this is not a safetensors file, nor a zip';
let dir: string;
let folder: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-close-'));
  folder = join(dir, 'pipeline');
  await writeDiffusersFolder(folder, tiny);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  opened.length = 0;
});

/** What opening `file` on its own throws: the error the folder must report unchanged. */
async function errorOpening(file: string): Promise<unknown> {
  return openWeights(file).then(
    async (s) => {
      await s.close();
      throw new Error(`${file} opened`);
    },
    (e: unknown) => e,
  );
}

async function corrupt(part: string, file: string): Promise<{ path: string; restore(): Promise<void> }> {
  const path = join(folder, part, file);
  const original = await readFile(path);
  await writeFile(path, GARBAGE);
  return { path, restore: () => writeFile(path, original) };
}

describe('opening a diffusers folder with a corrupt part', () => {
  it('reports the corrupt VAE with the error opening that file gives, and closes the U-Net opened before it', async () => {
    const vae = await corrupt('vae', 'diffusion_pytorch_model.safetensors');
    try {
      const expected = (await errorOpening(vae.path)) as Error & { code: string };
      await expect(openSdCheckpoint(folder)).rejects.toMatchObject({ name: expected.name, code: expected.code, message: expected.message });
      expect(opened.map((o) => o.part)).toEqual(['unet']);
      expect(opened[0]!.close).toHaveBeenCalledTimes(1);
      const key = opened[0]!.source.keys()[0]!;
      await expect(opened[0]!.source.read(key, 'f32')).rejects.toMatchObject({ code: 'closed' });
    } finally {
      await vae.restore();
    }
  });

  it('closes both the U-Net and the VAE when the text encoder is the corrupt part', async () => {
    const clip = await corrupt('text_encoder', 'model.safetensors');
    try {
      const expected = (await errorOpening(clip.path)) as Error;
      await expect(openSdCheckpoint(folder)).rejects.toThrow(expected.message);
      expect(opened.map((o) => [o.part, o.close.mock.calls.length])).toEqual([
        ['unet', 1],
        ['vae', 1],
      ]);
    } finally {
      await clip.restore();
    }
  });

  it('keeps the parts open when every part opens, until the checkpoint is closed', async () => {
    const sd = await openSdCheckpoint(folder);
    expect(opened.map((o) => o.close.mock.calls.length)).toEqual([0, 0, 0]);
    await sd.close();
    expect(opened.map((o) => o.close.mock.calls.length)).toEqual([1, 1, 1]);
  });
});
