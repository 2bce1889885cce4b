/**
 * ComfyUI UI workflows as AnimateDiff-Evolved's and VideoHelperSuite's examples wire them (fixtures/, hand-written
 * after ADE's README examples and VHS's `tests/simple.json`: positional widgets_values with the seed's control value,
 * VHS's dict widgets_values with their preview state), imported and run on the demo models with only the model and
 * input file names changed (and sizes and steps cut so they run in seconds on two cores).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiPrompt, type ApiPrompt, type FileRef } from '@piagraph/graph-core';
import { DEMO_CHECKPOINT, DEMO_IMAGE, DEMO_PIA } from '../../src/pipeline/index.js';
import { probeVideo } from '../../src/video/load-video.js';
import type { Harness } from '../e2e/harness.js';
import { createAdeHarness, MM } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createAdeHarness();
  await h.pack.ready;
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=8', '-frames:v', '12', '-pix_fmt', 'yuv420p', join(h.dirs.input, 'clip.mp4')]);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function fixture(name: string): Promise<unknown> {
  return JSON.parse(await readFile(join(import.meta.dirname, 'fixtures', name), 'utf8'));
}

/** The imported prompt pointed at the demo files, latents shrunk and steps cut. */
function onDemo(prompt: ApiPrompt, size: { width: number; height: number }, steps: number): ApiPrompt {
  for (const node of Object.values(prompt)) {
    const inputs = node.inputs as Record<string, unknown>;
    if (node.class_type === 'CheckpointLoaderSimple') inputs['ckpt_name'] = DEMO_CHECKPOINT;
    if (typeof inputs['model_name'] === 'string' && node.class_type.startsWith('ADE_')) inputs['model_name'] = inputs['model_name'] === 'pia.ckpt' ? DEMO_PIA : MM;
    if (node.class_type === 'LoadImage') inputs['image'] = DEMO_IMAGE;
    if (node.class_type === 'EmptyLatentImage' || node.class_type === 'ADE_EmptyLatentImageLarge') Object.assign(inputs, size);
    if (node.class_type === 'KSampler') inputs['steps'] = steps;
  }
  return prompt;
}

/** The first file Video Combine reports under `gifs`. */
function combined(outputs: Record<string, Record<string, unknown>>, node: string): FileRef {
  const gifs = outputs[node]!['gifs'] as FileRef[];
  expect(gifs.length).toBeGreaterThan(0);
  return gifs[0]!;
}

describe("ADE's and VHS's example workflows on the demo models", { timeout: 300_000 }, () => {
  it('imports and runs the Gen2 text-to-video workflow (context options, autoselect) to a 16-frame GIF', async () => {
    const prompt = onDemo(toApiPrompt(await fixture('ade-txt2vid-gen2.json'), h.registry), { width: 64, height: 64 }, 3);
    expect(prompt['3']!.inputs).toMatchObject({ seed: 888888889, cfg: 7.5, sampler_name: 'euler_ancestral', scheduler: 'normal', denoise: 1 });
    expect(prompt['22']!.inputs).toMatchObject({ context_length: 16, context_stride: 1, context_overlap: 4, fuse_method: 'pyramid' });
    expect(prompt['30']!.inputs).toMatchObject({ frame_rate: 8, loop_count: 0, filename_prefix: 'AnimateDiff', format: 'image/gif' });
    const { result } = await h.run(prompt);
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    const gif = combined(result.outputs, '30');
    const meta = await sharp(await readFile(join(h.dirs.output, gif.subfolder, gif.filename)), { animated: true }).metadata();
    expect([meta.pages, meta.width, meta.pageHeight]).toEqual([16, 64, 64]);
  });

  it('imports and runs the PIA workflow built from ADE\'s PIA nodes', async () => {
    const prompt = onDemo(toApiPrompt(await fixture('ade-pia.json'), h.registry), { width: 96, height: 64 }, 6);
    expect(prompt['24']!.inputs).toMatchObject({ preset: 'Animation (Medium Motion)', batch_index: 0, print_values: false });
    expect(prompt['21']!.inputs).toMatchObject({ start_percent: 0, end_percent: 1 });
    const { result } = await h.run(prompt);
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    const gif = combined(result.outputs, '30');
    const meta = await sharp(await readFile(join(h.dirs.output, gif.subfolder, gif.filename)), { animated: true }).metadata();
    expect([meta.pages, meta.width, meta.pageHeight]).toEqual([16, 96, 64]);
  });

  it('imports and runs the prompt travel workflow: four keyframed seasons over 32 frames in 16-frame windows', async () => {
    const prompt = onDemo(toApiPrompt(await fixture('ade-prompt-travel.json'), h.registry), { width: 64, height: 64 }, 3);
    expect(prompt['12']!.inputs).toMatchObject({ print_schedule: false, tensor_interp: 'lerp' });
    expect(String(prompt['12']!.inputs['prompts'])).toContain('"24": "autumn meadow, falling leaves"');
    expect(prompt['20']!.inputs).toMatchObject({ beta_schedule: 'sqrt_linear (AnimateDiff)' });
    const { result } = await h.run(prompt);
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    const gif = combined(result.outputs, '30');
    const meta = await sharp(await readFile(join(h.dirs.output, gif.subfolder, gif.filename)), { animated: true }).metadata();
    expect(meta.pages).toBe(32);
  });

  it('imports and runs the two-pass upscale workflow: the video sampled again at 1.5× and denoise 0.5', async () => {
    const prompt = onDemo(toApiPrompt(await fixture('ade-two-pass-upscale.json'), h.registry), { width: 64, height: 64 }, 3);
    expect(prompt['11']!.inputs).toMatchObject({ upscale_method: 'nearest-exact', scale_by: 1.5 });
    expect(prompt['12']!.inputs).toMatchObject({ denoise: 0.5 });
    const { result } = await h.run(prompt);
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    const gif = combined(result.outputs, '30');
    const meta = await sharp(await readFile(join(h.dirs.output, gif.subfolder, gif.filename)), { animated: true }).metadata();
    expect([meta.pages, meta.width, meta.pageHeight]).toEqual([16, 96, 96]);
  });

  it("imports VHS's load → combine workflow (dict widgets_values) and writes the loaded frames as MP4", async () => {
    const prompt = toApiPrompt(await fixture('vhs-load-combine.json'), h.registry);
    expect(prompt['1']!.inputs).toMatchObject({ video: 'clip.mp4', force_rate: 0, frame_load_cap: 0, select_every_nth: 1, format: 'AnimateDiff' });
    expect(prompt['2']!.inputs).toMatchObject({ format: 'video/h264-mp4', crf: 19 });
    const { result } = await h.run(prompt);
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    const mp4 = combined(result.outputs, '2');
    const probe = await probeVideo(join(h.dirs.output, mp4.subfolder, mp4.filename), 'video');
    expect([probe.frameCount, probe.width, probe.height, probe.fps]).toEqual([12, 64, 48, 8]);
  });
});
