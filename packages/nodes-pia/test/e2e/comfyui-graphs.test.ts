/**
 * ComfyUI's own graphs, unchanged except the checkpoint name, and the image examples, run on the demo model:
 * ComfyUI's default workflow (UI format), `script_examples/basic_api_example.py`'s prompt, text to image, image to
 * image, a two-pass hires fix and prompt → picture → animation in one run.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractEmbeddedGraph, toApiPrompt, type ApiPrompt, type FileRef, type RunResult } from '@piagraph/graph-core';
import { DEMO_CHECKPOINT } from '../../src/pipeline/index.js';
import { createHarness, promptWith, readExample, type Harness } from './harness.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/comfyui');

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function fixture(name: string): Promise<unknown> {
  return JSON.parse(await readFile(join(FIXTURES, name), 'utf8'));
}

/** The prompt with every CheckpointLoaderSimple pointed at the demo checkpoint and every KSampler shortened. */
function onDemo(prompt: ApiPrompt, steps = 4): ApiPrompt {
  for (const node of Object.values(prompt)) {
    const inputs = node.inputs as Record<string, unknown>;
    if (node.class_type === 'CheckpointLoaderSimple') inputs['ckpt_name'] = DEMO_CHECKPOINT;
    if (node.class_type === 'KSampler') inputs['steps'] = steps;
    // 512² on the tiny U-Net is seconds per step on two cores: the graph is the point, not the size.
    if (node.class_type === 'EmptyLatentImage') Object.assign(inputs, { width: 64, height: 64 });
  }
  return prompt;
}

function savedImages(result: RunResult, node: string): FileRef[] {
  expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
  return result.outputs[node]!['images'] as FileRef[];
}

async function pngOf(ref: FileRef): Promise<{ width: number; height: number; bytes: Buffer }> {
  const bytes = await readFile(join(ref.type === 'temp' ? h.dirs.temp : h.dirs.output, ref.subfolder, ref.filename));
  const meta = await sharp(bytes).metadata();
  return { width: meta.width!, height: meta.height!, bytes };
}

describe("ComfyUI's own graphs on the demo model", { timeout: 180_000 }, () => {
  it('runs the basic_api_example prompt and saves ComfyUI_00001_.png with the prompt embedded', async () => {
    const prompt = onDemo((await fixture('basic-api-example.json')) as ApiPrompt);
    const { result } = await h.run(prompt);
    const [image] = savedImages(result, '9');
    expect(image).toEqual({ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' });
    const png = await pngOf(image!);
    expect([png.width, png.height]).toEqual([64, 64]);
    expect(extractEmbeddedGraph(png.bytes)?.prompt).toEqual(JSON.parse(JSON.stringify(prompt)));
  });

  it("runs ComfyUI's default workflow (UI format, widgets_values with the seed's control value) as the frontend would queue it", async () => {
    const prompt = onDemo(toApiPrompt(await fixture('default-workflow.json'), h.registry));
    expect(prompt['3']!.inputs).toMatchObject({ seed: 156680208700286, steps: 4, cfg: 8, sampler_name: 'euler', scheduler: 'normal', denoise: 1 });
    const { result } = await h.run(prompt);
    expect(savedImages(result, '9')).toHaveLength(1);
  });

  it('gives the same picture for the same seed, and another for another seed', async () => {
    const prompt = onDemo((await fixture('basic-api-example.json')) as ApiPrompt);
    (prompt['9']!.inputs as Record<string, unknown>)['filename_prefix'] = 'seeds/again';
    const again = await pngOf(savedImages((await h.run(prompt)).result, '9')[0]!);
    const first = await pngOf({ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' });
    const pixels = async (p: { bytes: Buffer }) => sharp(p.bytes).raw().toBuffer();
    expect((await pixels(again)).equals(await pixels(first))).toBe(true);
    (prompt['3']!.inputs as Record<string, unknown>)['seed'] = 5;
    const other = await pngOf(savedImages((await h.run(prompt)).result, '9')[0]!);
    expect((await pixels(other)).equals(await pixels(first))).toBe(false);
  });
});

describe('the image examples', { timeout: 180_000 }, () => {
  it('text-to-image: a 96×64 picture', async () => {
    const { result } = await h.run(promptWith(await readExample('text-to-image.json'), h.registry, { '5.steps': 4 }));
    const png = await pngOf(savedImages(result, '7')[0]!);
    expect([png.width, png.height]).toEqual([96, 64]);
  });

  it('image-to-image: the demo picture repainted at denoise 0.6', async () => {
    const { result } = await h.run(promptWith(await readExample('image-to-image.json'), h.registry, { '5.steps': 4 }));
    const png = await pngOf(savedImages(result, '7')[0]!);
    expect([png.width, png.height]).toEqual([96, 64]);
  });

  it('hires-fix: the second pass is 1.5× the first', async () => {
    const { result } = await h.run(promptWith(await readExample('hires-fix.json'), h.registry, { '5.steps': 3, '10.steps': 4 }));
    const png = await pngOf(savedImages(result, '7')[0]!);
    expect([png.width, png.height]).toEqual([144, 96]);
  });

  it('prompt-to-animation: the KSampler picture, then PIA animates it into a GIF in the same run', async () => {
    const { result } = await h.run(promptWith(await readExample('prompt-to-animation.json'), h.registry, { '12.steps': 3, '7.steps': 3 }));
    expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
    const still = await pngOf(savedImages(result, '14')[0]!);
    expect([still.width, still.height]).toEqual([96, 64]);
    const gif = (result.outputs['9']!['gifs'] as FileRef[])[0]!;
    const meta = await sharp(await readFile(join(h.dirs.output, gif.subfolder, gif.filename)), { pages: -1 }).metadata();
    expect([meta.width, meta.pages]).toEqual([96, 8]);
  });
});
