/** LoRA in a graph: Load LoRA on the demo model changes the picture, strength 0 does not, and a new strength reuses the built graph. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPrompt, FileRef, RunResult } from '@piagraph/graph-core';
import { DEMO_CHECKPOINT, DEMO_LORA } from '../../src/pipeline/index.js';
import { createHarness, promptWith, readExample, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** Text to image through Load LoRA (model and clip strengths), or without it when `strengths` is undefined. */
function prompt(strengths?: { model: number; clip: number }): ApiPrompt {
  const model = strengths ? ['8', 0] : ['1', 0];
  const clip = strengths ? ['8', 1] : ['1', 1];
  const p: ApiPrompt = {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: DEMO_CHECKPOINT } },
    '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse at dusk', clip } },
    '3': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip } },
    '4': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '5': {
      class_type: 'KSampler',
      inputs: { model, seed: 3, steps: 3, cfg: 7, sampler_name: 'euler', scheduler: 'normal', positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0], denoise: 1 },
    },
    '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    '7': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'lora' } },
  };
  if (strengths) {
    p['8'] = { class_type: 'LoraLoader', inputs: { model: ['1', 0], clip: ['1', 1], lora_name: DEMO_LORA, strength_model: strengths.model, strength_clip: strengths.clip } };
  }
  return p;
}

async function pixels(result: RunResult): Promise<Buffer> {
  expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
  const ref = (result.outputs['7']!['images'] as FileRef[])[0]!;
  return sharp(await readFile(join(h.dirs.output, ref.subfolder, ref.filename))).raw().toBuffer();
}

const builtGraphs = async () => (await readdir(join(h.dirs.models, '.cache'))).filter((d) => !d.includes('.tmp-')).sort();

describe('Load LoRA in a graph', { timeout: 180_000 }, () => {
  it('changes the picture at strength 1, leaves it as without the LoRA at strength 0, and never builds another graph for a strength', async () => {
    const base = await pixels((await h.run(prompt())).result);
    const graphs = await builtGraphs();
    const zero = await pixels((await h.run(prompt({ model: 0, clip: 0 }))).result);
    expect(zero.equals(base)).toBe(true);
    const full = await pixels((await h.run(prompt({ model: 1, clip: 1 }))).result);
    expect(full.equals(base)).toBe(false);
    const half = await pixels((await h.run(prompt({ model: 0.5, clip: 1 }))).result);
    expect(half.equals(full)).toBe(false);
    // The LoRA runs opened the U-Net and text-encoder graphs built for the base weights, with patched weights.
    expect(await builtGraphs()).toEqual(graphs);
  });

  it("patches PIA's U-Net too: the canonical PIA graph through Load LoRA gives other frames than without it", async () => {
    const doc = await readExample('pia-image-to-video.json');
    const plain = promptWith(doc, h.registry, { '7.steps': 2 });
    const withLora = promptWith(doc, h.registry, { '7.steps': 2 });
    withLora['20'] = { class_type: 'LoraLoaderModelOnly', inputs: { model: ['1', 0], lora_name: DEMO_LORA, strength_model: 1 } };
    (withLora['7']!.inputs as Record<string, unknown>)['model'] = ['20', 0];
    const frames = async (p: ApiPrompt) => {
      const { result } = await h.run(p);
      expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
      const gif = (result.outputs['9']!['gifs'] as FileRef[])[0]!;
      return sharp(await readFile(join(h.dirs.output, gif.subfolder, gif.filename)), { pages: -1 }).raw().toBuffer();
    };
    expect((await frames(withLora)).equals(await frames(plain))).toBe(false);
  });
});
