/** Long animations on the demo model: past the motion modules' 32 frames with context options, refused without. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiPrompt, FileRef } from '@piagraph/graph-core';
import { DEMO_CHECKPOINT, DEMO_PIA } from '../../src/pipeline/index.js';
import { createHarness, promptWith, readExample, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** The canonical PIA graph at `frames` frames, 2 steps, with Context Options◆Standard Static on the sampler when asked. */
async function longPrompt(frames: number, withContext: boolean): Promise<ApiPrompt> {
  const prompt = promptWith(await readExample('pia-image-to-video.json'), h.registry, { '5.frames': frames, '7.steps': 2, '7.preview': false });
  if (withContext) {
    prompt['20'] = { class_type: 'ADE_StandardStaticContextOptions', inputs: { context_length: 16, context_overlap: 4, fuse_method: 'pyramid' } };
    (prompt['7']!.inputs as Record<string, unknown>)['context_options'] = ['20', 0];
  }
  return prompt;
}

describe('animations longer than the motion modules see at once', { timeout: 300_000 }, () => {
  it('refuses 40 frames without context options, naming context_options', async () => {
    const { result } = await h.run(await longPrompt(40, false));
    expect(result.status).toBe('error');
    expect(result.error?.node_id).toBe('7');
    expect(result.error?.exception_message).toMatch(/at most 32.*context options/);
  });

  it('makes 64 frames in windows of at most 16, each frame from its windows', async () => {
    const unet = await h.pack.context.store.unet((await h.pack.context.checkpointRecipes(DEMO_CHECKPOINT, DEMO_PIA)).model);
    const run = vi.spyOn(unet, 'run');
    // 64 frames keep the suite quick; 256 ran the same way in 70 s on the 2-core box (README, Nodes).
    const { result } = await h.run(await longPrompt(64, true));
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    const framesPerCall = run.mock.calls.map(([sample]) => sample.dims[2]);
    expect(Math.max(...framesPerCall)).toBe(16);
    // 64 frames in windows of 16 stepping by 12: starts 0, 12, 24, 36 and the last shifted to 48; 2 steps.
    expect(framesPerCall).toHaveLength(2 * 5);
    const gif = (result.outputs['9']!['gifs'] as FileRef[])[0]!;
    const meta = await sharp(await readFile(join(h.dirs.output, gif.subfolder, gif.filename)), { pages: -1 }).metadata();
    expect(meta.pages).toBe(64);
    run.mockRestore();
  });
});
