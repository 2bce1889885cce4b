import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ValidationErrorItem } from '@piagraph/graph-core';
import { createHarness, promptWith, readExample, type Harness } from '../e2e/harness.js';

let h: Harness;
let loads: ReturnType<typeof vi.spyOn>[];

beforeAll(async () => {
  h = await createHarness();
  const store = h.pack.context.store;
  loads = [vi.spyOn(store, 'unet'), vi.spyOn(store, 'clip'), vi.spyOn(store, 'vae')];
  await mkdir(h.dirs.input, { recursive: true });
  await writeFile(join(h.dirs.input, 'notes.png'), 'this is text, not a picture');
});

afterAll(async () => {
  await h.close();
});

/** Runs the canonical graph with `overrides`; returns the errors of node `id` (the run must fail validation). */
async function errorsOf(id: string, overrides: Record<string, unknown>): Promise<ValidationErrorItem[]> {
  const doc = await readExample('pia-image-to-video.json');
  const { result } = await h.run(promptWith(doc, h.registry, overrides));
  expect(result.status).toBe('error');
  expect(result.error?.exception_type).toBe('ValidationError');
  expect(result.executed).toEqual([]);
  return result.validation?.nodeErrors[id]?.errors ?? [];
}

describe('validation before any model loads', () => {
  it('reports a checkpoint that is not in models/checkpoints as value_not_in_list on ckpt_name', async () => {
    const [error] = await errorsOf('1', { '1.ckpt_name': 'realisticVisionV51_v51VAE.safetensors' });
    expect(error).toMatchObject({ type: 'value_not_in_list', extra_info: { input_name: 'ckpt_name', received_value: 'realisticVisionV51_v51VAE.safetensors' } });
    expect(error!.message).toContain("Value not in list");
  });

  it('reports a PIA file that is not installed on pia_name', async () => {
    const [error] = await errorsOf('1', { '1.pia_name': 'pia.ckpt' });
    expect(error).toMatchObject({ type: 'value_not_in_list', extra_info: { input_name: 'pia_name' } });
  });

  it('reports a file that is not an image as custom_validation_failed on image', async () => {
    const [error] = await errorsOf('4', { '4.image': 'notes.png' });
    expect(error).toMatchObject({ type: 'custom_validation_failed', extra_info: { input_name: 'image' } });
    expect(error!.details).toContain('LoadImage - image: Not a decodable image');
  });

  it('reports more than 1024 frames as value_bigger_than_max on frames', async () => {
    const [error] = await errorsOf('5', { '5.frames': 1025 });
    expect(error).toMatchObject({ type: 'value_bigger_than_max', extra_info: { input_name: 'frames' } });
    expect(error!.message).toBe('Value 1025 bigger than max of 1024');
  });

  it('reports a crop width that is not a multiple of 8 on width', async () => {
    const [error] = await errorsOf('6', { '6.size_policy': 'crop', '6.width': 100 });
    expect(error).toMatchObject({ type: 'custom_validation_failed', extra_info: { input_name: 'width', received_value: 100 } });
    expect(error!.details).toContain('width must be a multiple of 8');
  });

  it('reports an unknown affinity preset as value_not_in_list on preset', async () => {
    const [error] = await errorsOf('5', { '5.preset': 'huge-motion' });
    expect(error).toMatchObject({ type: 'value_not_in_list', extra_info: { input_name: 'preset' } });
  });

  it('reports custom affinity values outside [0, 1] on custom', async () => {
    const [error] = await errorsOf('5', { '5.preset': 'custom', '5.custom': '1, 0.8, 2' });
    expect(error).toMatchObject({ type: 'custom_validation_failed', extra_info: { input_name: 'custom' } });
  });

  it('reports a condition frame beyond the last frame on cond_frame', async () => {
    const [error] = await errorsOf('5', { '5.cond_frame': 8 });
    expect(error).toMatchObject({ type: 'custom_validation_failed', extra_info: { input_name: 'cond_frame' } });
  });

  it('never loaded a model nor built a graph for any of these', () => {
    for (const load of loads) expect(load).not.toHaveBeenCalled();
    expect(existsSync(join(h.dirs.models, '.cache'))).toBe(false);
  });
});

describe('object_info of the pack', () => {
  it('lists the demo files in the model and image combos', () => {
    const info = h.registry.objectInfo();
    const ckpt = info['PIACheckpointLoader']!.input.required!['ckpt_name']!;
    expect(ckpt[0]).toContain('piagraph-demo-sd15.safetensors');
    expect(info['LoadImage']!.input.required!['image']![0]).toContain('piagraph-demo.png');
    expect(info['LoadImage']!.input.required!['image']![1]).toMatchObject({ image_upload: true });
  });

  it('offers a seed up to 2^53 − 1 with control_after_generate on the sampler', () => {
    const seed = h.registry.objectInfo()['PIADDIMSampler']!.input.required!['seed']!;
    expect(seed).toEqual(['INT', expect.objectContaining({ min: 0, max: 2 ** 53 - 1, control_after_generate: true })]);
  });

  it('registers VHS_VideoCombine with the inputs of Save Video and the AnimateDiff prefix', () => {
    const info = h.registry.objectInfo();
    const vhs = info['VHS_VideoCombine']!;
    expect(Object.keys(vhs.input.required!)).toEqual(Object.keys(info['PIASaveVideo']!.input.required!));
    expect(vhs.input.required!['filename_prefix']).toEqual(['STRING', expect.objectContaining({ default: 'AnimateDiff' })]);
    expect(vhs.output_node).toBe(true);
  });
});
