/** Releasing the pack's models between runs, as the server's `POST /free` and shutdown do, on the demo model. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiPrompt, FileRef, RunResult } from '@piagraph/graph-core';
import { DEMO_CHECKPOINT, DEMO_PIA } from '../../src/pipeline/index.js';
import { createHarness, promptWith, readExample, type Harness } from '../e2e/harness.js';

let h: Harness;
let prompt: ApiPrompt;

beforeAll(async () => {
  h = await createHarness();
  prompt = promptWith(await readExample('pia-image-to-video.json'), h.registry, { '7.steps': 2 });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function frames(result: RunResult, harness: Harness = h): Promise<Buffer> {
  const ref = result.outputs['9']!['gifs']![0] as FileRef;
  return sharp(await readFile(join(harness.dirs.output, ref.subfolder, ref.filename)), { pages: -1 }).raw().toBuffer();
}

/** The U-Net the example's loader describes, as the store opens it. */
async function exampleUNet() {
  return h.pack.context.store.unet((await h.pack.context.checkpointRecipes(DEMO_CHECKPOINT, DEMO_PIA)).model);
}

describe('PiaPack.release', { timeout: 120_000 }, () => {
  it('releases the loaded sessions; a later run that samples opens them again and computes the frames a fresh pack computes', async () => {
    const first = (await h.run(prompt)).result;
    expect(first.status).toBe('success');
    const loaded = await exampleUNet();
    const release = vi.spyOn(loaded, 'release');

    await h.pack.release();
    expect(release).toHaveBeenCalledOnce();

    // MODEL, CLIP and VAE are recipes, not sessions: the cached outputs stay valid, and only what a change reaches runs.
    const reseeded = promptWith(await readExample('pia-image-to-video.json'), h.registry, { '7.steps': 2, '7.seed': 7 });
    const second = (await h.run(reseeded)).result;
    expect(second.status).toBe('success');
    expect([...second.executed].sort()).toEqual(['7', '8', '9']);
    expect(await exampleUNet()).not.toBe(loaded);

    const fresh = await createHarness();
    try {
      const reference = (await fresh.run(promptWith(await readExample('pia-image-to-video.json'), fresh.registry, { '7.steps': 2, '7.seed': 7 }))).result;
      expect((await frames(second)).equals(await frames(reference, fresh))).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('leaves the output cache usable when nothing was released in between', async () => {
    const { result } = await h.run(prompt);
    expect(result.executed).toEqual([]);
  });
});
