/**
 * Shared pieces of the AnimateDiff graph tests: a harness with a tiny random-weight checkpoint beside the demo models
 * (the demo checkpoint's hand-set path bypasses its motion modules, a random one lets every layer reach the output), a
 * text-to-video prompt builder, and frame comparisons.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect } from 'vitest';
import type { ApiPrompt, FileRef, RunResult } from '@piagraph/graph-core';
import { writeLdmCheckpoint } from '../../src/demo/generate.js';
import { tiny } from '../../src/models/config.js';
import { tinyClipVocabulary, writeTokenizerFolder } from '../../src/tokenizer/index.js';
import { createHarness, type Harness } from '../e2e/harness.js';

export const RANDOM = 'tiny-random.safetensors';
export const MM = 'piagraph-demo-mm-v2.ckpt';

/** A harness whose models folder also holds the random tiny checkpoint `RANDOM` (with its tokenizer). */
export async function createAdeHarness(): Promise<Harness> {
  const h = await createHarness();
  await mkdir(join(h.dirs.models, 'checkpoints'), { recursive: true });
  await mkdir(join(h.dirs.models, 'animatediff_models'), { recursive: true });
  await mkdir(join(h.dirs.models, 'animatediff_motion_lora'), { recursive: true });
  await writeLdmCheckpoint(join(h.dirs.models, 'checkpoints', RANDOM), tiny);
  await writeTokenizerFolder(join(h.dirs.models, 'checkpoints', 'tiny-random.tokenizer'), tinyClipVocabulary());
  return h;
}

export type Inputs = Record<string, unknown>;

/**
 * Text to video: checkpoint (1) → motion nodes (10: the MODEL KSampler takes; Gen2: 11 load, 12 apply) → KSampler (5)
 * on `frames` empty latents (4) with prompts 2 and 3 → VAE Decode (6) → Save Image (7). `edit` changes the prompt last.
 */
export function textToVideo(options: { ckpt?: string; frames?: number; motion?: 'gen1' | 'gen2' | 'none'; beta?: string; effect?: number; mm?: string; seed?: number; edit?: (p: ApiPrompt) => void } = {}): ApiPrompt {
  const motion = options.motion ?? 'gen1';
  const model = motion === 'none' ? ['1', 0] : ['10', 0];
  const p: ApiPrompt = {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: options.ckpt ?? RANDOM } },
    '2': { class_type: 'CLIPTextEncode', inputs: { text: 'waves on a beach', clip: ['1', 1] } },
    '3': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['1', 1] } },
    '4': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: options.frames ?? 6 } },
    '5': {
      class_type: 'KSampler',
      inputs: { model, seed: options.seed ?? 11, steps: 3, cfg: 6, sampler_name: 'euler', scheduler: 'normal', positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0], denoise: 1 },
    },
    '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    '7': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'ade' } },
  };
  const beta = options.beta ?? 'autoselect';
  const effect: Inputs = options.effect !== undefined ? { effect_multival: ['13', 0] } : {};
  if (options.effect !== undefined) p['13'] = { class_type: 'ADE_MultivalDynamic', inputs: { float_val: options.effect } };
  if (motion === 'gen1') {
    p['10'] = { class_type: 'ADE_AnimateDiffLoaderGen1', inputs: { model: ['1', 0], model_name: options.mm ?? MM, beta_schedule: beta, ...effect } };
  } else if (motion === 'gen2') {
    p['11'] = { class_type: 'ADE_LoadAnimateDiffModel', inputs: { model_name: options.mm ?? MM } };
    p['12'] = { class_type: 'ADE_ApplyAnimateDiffModelSimple', inputs: { motion_model: ['11', 0], ...effect } };
    p['10'] = { class_type: 'ADE_UseEvolvedSampling', inputs: { model: ['1', 0], beta_schedule: beta, m_models: ['12', 0] } };
  }
  options.edit?.(p);
  return p;
}

/** The saved frames' pixels (8-bit RGB, frame after frame). */
export async function frames(h: Harness, result: RunResult): Promise<Buffer[]> {
  expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
  const refs = result.outputs['7']!['images'] as FileRef[];
  return Promise.all(refs.map(async (ref) => sharp(await readFile(join(h.dirs.output, ref.subfolder, ref.filename))).raw().toBuffer()));
}

export async function run(h: Harness, prompt: ApiPrompt): Promise<Buffer[]> {
  return frames(h, (await h.run(prompt)).result);
}

export const maxDiff = (a: Buffer[], b: Buffer[]) => Math.max(...a.map((f, i) => Math.max(...f.map((v, j) => Math.abs(v - b[i]![j]!)))));
export const same = (a: Buffer[], b: Buffer[]) => a.length === b.length && a.every((f, i) => f.equals(b[i]!));

