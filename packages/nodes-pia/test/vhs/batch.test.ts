/** VHS's batch utilities and Load Images, on batches whose frames are numbered by their first value. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageValue, MaskValue } from '../../src/nodes/socket-values.js';
import { createPiaPack, type PiaPack } from '../../src/pack.js';
import { runNode } from './helpers.js';

let root: string;
let pack: PiaPack;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'piagraph-vhs-batch-'));
  pack = createPiaPack({ modelsDir: join(root, 'models'), inputDir: join(root, 'input'), outputDir: join(root, 'output'), tempDir: join(root, 'temp'), demo: false });
  const dir = join(root, 'input', 'shots');
  await mkdir(dir, { recursive: true });
  // Two 16×8 frames, one 8×8 frame (resized to the common size), one with alpha; a text file that is skipped.
  await sharp({ create: { width: 16, height: 8, channels: 3, background: { r: 10, g: 0, b: 0 } } }).png().toFile(join(dir, 'a.png'));
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 20, g: 0, b: 0 } } }).png().toFile(join(dir, 'b.png'));
  await sharp({ create: { width: 16, height: 8, channels: 4, background: { r: 30, g: 0, b: 0, alpha: 0.25 } } }).png().toFile(join(dir, 'c.png'));
  await sharp({ create: { width: 16, height: 8, channels: 3, background: { r: 40, g: 0, b: 0 } } }).png().toFile(join(dir, 'd.png'));
}, 60_000);
afterAll(async () => {
  await pack?.release();
  await rm(root, { recursive: true, force: true });
});

/** A batch of `n` 2×2 frames, frame i filled with i. */
function numbered(n: number, h = 2, w = 2): ImageValue {
  const per = 3 * h * w;
  const data = new Float32Array(n * per);
  for (let i = 0; i < n; i++) data.fill(i, i * per, (i + 1) * per);
  return { data, dims: [n, 3, h, w] };
}
const ids = (img: unknown) => {
  const v = img as ImageValue;
  const per = v.dims[1] * v.dims[2] * v.dims[3];
  return Array.from({ length: v.dims[0] }, (_, i) => v.data[i * per]!);
};

describe('VHS batch utilities', () => {
  it('splits before an index (negative from the end)', async () => {
    const [a, na, b, nb] = await runNode(pack, 'VHS_SplitImages', { images: numbered(5), split_index: -2 });
    expect([ids(a), na, ids(b), nb]).toEqual([[0, 1, 2], 3, [3, 4], 2]);
  });

  it('selects every n-th after skipping, counts, and repeats the whole batch', async () => {
    const [sel, count] = await runNode(pack, 'VHS_SelectEveryNthImage', { images: numbered(7), select_every_nth: 3, skip_first_images: 1 });
    expect([ids(sel), count]).toEqual([[1, 4], 2]);
    expect(await runNode(pack, 'VHS_GetImageCount', { images: numbered(7) })).toEqual([7]);
    const [rep, n] = await runNode(pack, 'VHS_DuplicateImages', { images: numbered(2), multiply_by: 3 });
    expect([ids(rep), n]).toEqual([[0, 1, 0, 1, 0, 1], 6]);
  });

  it('selects by index text: indexes, ranges with steps, negatives', async () => {
    const [sel] = await runNode(pack, 'VHS_SelectImages', { image: numbered(8), indexes: '0, 2:6:2, -1', err_if_missing: true, err_if_empty: true });
    expect(ids(sel)).toEqual([0, 2, 4, 7]);
    await expect(runNode(pack, 'VHS_SelectImages', { image: numbered(3), indexes: '5', err_if_missing: true, err_if_empty: true })).rejects.toThrow('index 5 is out of range for 3 images');
  });

  it("merges two batches, scaling B to A's size when matching A", async () => {
    const [merged, count] = await runNode(pack, 'VHS_MergeImages', {
      images_A: numbered(2, 4, 4),
      images_B: numbered(3, 2, 2),
      merge_strategy: 'match A',
      scale_method: 'nearest-exact',
      crop: 'disabled',
    });
    expect((merged as ImageValue).dims).toEqual([5, 3, 4, 4]);
    expect([ids(merged), count]).toEqual([[0, 1, 0, 1, 2], 5]);
  });
});

describe('VHS_LoadImages', () => {
  it("loads a folder sorted by name at its most common size, the mask from alpha (1 − alpha)", async () => {
    const [image, mask, count] = (await runNode(pack, 'VHS_LoadImages', { directory: 'shots' })) as [ImageValue, MaskValue, number];
    expect(count).toBe(4);
    expect(image.dims).toEqual([4, 3, 8, 16]);
    const plane = 8 * 16;
    expect([0, 1, 2, 3].map((i) => Math.round(image.data[i * 3 * plane + 20]! * 255))).toEqual([10, 20, 30, 40]);
    expect(mask.dims).toEqual([4, 8, 16]);
    expect(mask.data[2 * plane + 5]).toBeCloseTo(1 - 64 / 255, 5);
    expect(mask.data[0]).toBe(0);
  });

  it('skips, keeps every n-th and caps', async () => {
    const [image, , count] = (await runNode(pack, 'VHS_LoadImages', { directory: 'shots', skip_first_images: 1, select_every_nth: 2, image_load_cap: 1 })) as [ImageValue, MaskValue, number];
    expect(count).toBe(1);
    expect(Math.round(image.data[20]! * 255)).toBe(20);
  });
});
