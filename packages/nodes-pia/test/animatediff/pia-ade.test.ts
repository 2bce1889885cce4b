/** PIA through AnimateDiff-Evolved's nodes: the PIA inputs' per-frame affinity, and a PIA graph on the demo models. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPrompt, FileRef } from '@piagraph/graph-core';
import { piaInputValues } from '../../src/motion/pia-presets.js';
import { DEMO_CHECKPOINT, DEMO_IMAGE, DEMO_PIA } from '../../src/pipeline/index.js';
import { createHarness, type Harness } from '../e2e/harness.js';

const preset = (name: string, index: number, frames: number, mult = 1) => piaInputValues({ kind: 'paper-preset', preset: name, index, mult }, frames);

describe("ADE's PIA inputs (values worked out by hand from ADE's rule: frame i takes entry |i − index|)", () => {
  it('extends a preset with its last value and centres it on the condition frame', () => {
    expect(preset('Animation (Small Motion)', 0, 8)).toEqual([1.0, 0.9, 0.85, 0.85, 0.85, 0.8, 0.8, 0.8]);
    expect(preset('Animation (Small Motion)', 2, 5)).toEqual([0.85, 0.9, 1.0, 0.9, 0.85]);
  });

  it('counts a negative index from the end and clamps one past it', () => {
    expect(preset('Animation (Small Motion)', -1, 4)).toEqual([0.85, 0.85, 0.9, 1.0]);
    // [0.5, 0.2] extended to 3 frames is [0.5, 0.2, 0.2]; index 99 clamps to 2, so frames take entries 2, 1, 0.
    expect(preset('Style Transfer (Large Motion)', 99, 3)).toEqual([0.2, 0.2, 0.5]);
  });

  it('mirrors loop presets: even lengths exactly, odd lengths around a middle value', () => {
    expect(preset('Loop (Small Motion)', 0, 8)).toEqual([1.0, 0.9, 0.85, 0.85, 0.85, 0.85, 0.9, 1.0]);
    expect(preset('Loop (Small Motion)', 0, 7)).toEqual([1.0, 0.9, 0.85, 0.85, 0.85, 0.9, 1.0]);
  });

  it('multiplies by mult_multival, and a multival input gives every frame its value', () => {
    expect(preset('Style Transfer (Small Motion)', 0, 3, 2)).toEqual([1.0, 0.8, 0.8]);
    expect(piaInputValues({ kind: 'multival', value: 0.7 }, 3)).toEqual([0.7, 0.7, 0.7]);
  });
});

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** PIA through ADE's Gen2 nodes, as ADE's PIA example wires them. */
function piaGraph(frames: number): ApiPrompt {
  return {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: DEMO_CHECKPOINT } },
    '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse, waves', clip: ['1', 1] } },
    '3': { class_type: 'CLIPTextEncode', inputs: { text: 'worst quality', clip: ['1', 1] } },
    '4': { class_type: 'LoadImage', inputs: { image: DEMO_IMAGE } },
    '5': { class_type: 'ADE_LoadAnimateDiffModel', inputs: { model_name: DEMO_PIA } },
    '6': { class_type: 'ADE_InputPIA_PaperPresets', inputs: { preset: 'Animation (Large Motion)', batch_index: 0 } },
    '7': {
      class_type: 'ADE_ApplyAnimateDiffModelWithPIA',
      inputs: { motion_model: ['5', 0], image: ['4', 0], vae: ['1', 2], start_percent: 0, end_percent: 1, pia_input: ['6', 0] },
    },
    '8': { class_type: 'ADE_UseEvolvedSampling', inputs: { model: ['1', 0], beta_schedule: 'autoselect', m_models: ['7', 0] } },
    '9': { class_type: 'ADE_EmptyLatentImageLarge', inputs: { width: 96, height: 64, batch_size: frames } },
    '10': {
      class_type: 'KSampler',
      inputs: { model: ['8', 0], seed: 7, steps: 12, cfg: 7.5, sampler_name: 'ddim', scheduler: 'ddim_uniform', positive: ['2', 0], negative: ['3', 0], latent_image: ['9', 0], denoise: 1 },
    },
    '11': { class_type: 'VAEDecode', inputs: { samples: ['10', 0], vae: ['1', 2] } },
    '12': { class_type: 'SaveImage', inputs: { images: ['11', 0], filename_prefix: 'ade-pia' } },
  };
}

describe("PIA through ADE's nodes on the demo models", { timeout: 240_000 }, () => {
  it("animates the image: the condition frame keeps its colours and low-affinity frames take the demo model's warm cast", async () => {
    const { result } = await h.run(piaGraph(12));
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    const refs = result.outputs['12']!['images'] as FileRef[];
    expect(refs).toHaveLength(12);
    const meanRed = async (ref: FileRef) => {
      const { data, info } = await sharp(await readFile(join(h.dirs.output, ref.subfolder, ref.filename))).raw().toBuffer({ resolveWithObject: true });
      let sum = 0;
      for (let i = 0; i < data.length; i += info.channels) sum += data[i]!;
      return sum / (data.length / info.channels);
    };
    const original = await sharp(await readFile(join(h.dirs.input, DEMO_IMAGE))).raw().toBuffer({ resolveWithObject: true });
    let red = 0;
    for (let i = 0; i < original.data.length; i += original.info.channels) red += original.data[i]!;
    red /= original.data.length / original.info.channels;
    // Affinity 1 on frame 0, 0.5 on frame 11 (Animation (Large Motion)): the demo path shifts red by 0.7·(1 − m) of the range.
    const first = await meanRed(refs[0]!);
    const last = await meanRed(refs[11]!);
    expect(Math.abs(first - red)).toBeLessThan(25);
    expect(last - first).toBeGreaterThan(20);
  });

  it('refuses an AnimateDiff motion model in the PIA apply node', async () => {
    const prompt = piaGraph(4);
    (prompt['5']!.inputs as Record<string, unknown>)['model_name'] = 'piagraph-demo-mm-v2.ckpt';
    const { result } = await h.run(prompt);
    expect(result.error?.node_id).toBe('7');
    expect(result.error?.exception_message).toContain('is not a PIA model');
  });
});
