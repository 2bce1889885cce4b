/**
 * The AnimateDiff examples in examples/ run as they are on the demo models: text to video, PIA through ADE's nodes,
 * 64 PIA frames through 16-frame context windows, and video to video (with a video made here by ffmpeg).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRef } from '@piagraph/graph-core';
import { createHarness, promptWith, readExample, type Harness } from '../e2e/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.pack.ready;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=192x128:rate=24', '-frames:v', '72', '-pix_fmt', 'yuv420p', join(h.dirs.input, 'input.mp4')]);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** Runs an example unchanged; returns the frames and size of the GIF its Video Combine (node 7) wrote. */
async function runExample(name: string): Promise<[number, number, number]> {
  const { result } = await h.run(promptWith(await readExample(name), h.registry));
  expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
  const gif = (result.outputs['7']!['gifs'] as FileRef[])[0]!;
  const meta = await sharp(await readFile(join(h.dirs.output, gif.subfolder, gif.filename)), { animated: true }).metadata();
  return [meta.pages!, meta.width!, meta.pageHeight!];
}

describe('the AnimateDiff examples on the demo models', { timeout: 600_000 }, () => {
  it('animatediff-text-to-video.json: 16 frames of 96×64', async () => {
    expect(await runExample('animatediff-text-to-video.json')).toEqual([16, 96, 64]);
  });

  it('ade-pia-image-to-video.json: 16 frames of the demo picture', async () => {
    expect(await runExample('ade-pia-image-to-video.json')).toEqual([16, 96, 64]);
  });

  it('ade-pia-64-frames.json: 64 frames through 16-frame windows', async () => {
    expect(await runExample('ade-pia-64-frames.json')).toEqual([64, 96, 64]);
  });

  it('video-to-video.json: 16 frames at 8 fps of a 24 fps video, 96 px wide', async () => {
    expect(await runExample('video-to-video.json')).toEqual([16, 96, 64]);
  });
});
