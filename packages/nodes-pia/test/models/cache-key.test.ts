/**
 * Graph cache keys cover the U-Net config, so a graph built before the motion modules had a group count of their own
 * (8 in the tiny config, from `normGroups`) is never reused for the 32-group modules.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/models/cache.js';
import { tiny } from '../../src/models/config.js';

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-cache-key-'));
  file = join(dir, 'weights.bin');
  await writeFile(file, Buffer.from([1, 2, 3, 4]));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('U-Net graph cache keys', () => {
  const key = (config: unknown) => cacheKey({ graph: 'unet', config, files: [file], precision: 'float32' });

  it('differ between the motion modules in 32 groups and the configs that had none of their own', async () => {
    const { motionNormGroups, ...before } = tiny.unet;
    expect(motionNormGroups).toBe(32);
    const now = await key(tiny.unet);
    expect(now).not.toBe(await key(before));
    expect(now).not.toBe(await key({ ...tiny.unet, motionNormGroups: 8 }));
    expect(now).toBe(await key({ ...tiny.unet }));
  });
});
