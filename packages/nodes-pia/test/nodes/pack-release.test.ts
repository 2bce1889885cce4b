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

async function frames(result: RunResult): Promise<Buffer> {
  const ref = result.outputs['9']!['gifs']![0] as FileRef;
  return sharp(await readFile(join(h.dirs.output, ref.subfolder, ref.filename)), { pages: -1 }).raw().toBuffer();
}

describe('PiaPack.release', { timeout: 120_000 }, () => {
  it('releases the loaded sessions, and the next run loads them again and computes the same frames', async () => {
    const first = (await h.run(prompt)).result;
    expect(first.status).toBe('success');
    const loaded = await h.pack.context.store.get(DEMO_CHECKPOINT, DEMO_PIA);
    const release = vi.spyOn(loaded.models, 'release');

    await h.pack.release();
    expect(release).toHaveBeenCalledOnce();

    const second = (await h.run(prompt)).result;
    expect(second.status).toBe('success');
    // The loader and everything reading a model re-run; Load Image (4) and Affinity Schedule (5) stay cached.
    expect([...second.executed].sort()).toEqual(['1', '2', '3', '6', '7', '8', '9']);
    expect([...second.cached].sort()).toEqual(['4', '5']);
    const reloaded = await h.pack.context.store.get(DEMO_CHECKPOINT, DEMO_PIA);
    expect(reloaded.models).not.toBe(loaded.models);
    expect((await frames(second)).equals(await frames(first))).toBe(true);
  });

  it('leaves the output cache usable when nothing was released in between', async () => {
    const { result } = await h.run(prompt);
    expect(result.executed).toEqual([]);
  });
});
