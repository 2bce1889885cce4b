/**
 * AnimateDiff-Evolved graphs on KSampler: Gen1 and Gen2 loaders, beta schedules, the motion modules' effect, and bad
 * inputs. The demo checkpoint's hand-set colour path bypasses its motion modules, so the comparisons run on a tiny
 * checkpoint with random weights (where every layer reaches the output) and the demo v2 motion model.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPrompt, FileRef, RunResult } from '@piagraph/graph-core';
import { writeLdmCheckpoint } from '../../src/demo/generate.js';
import { tiny } from '../../src/models/config.js';
import { DEMO_CHECKPOINT } from '../../src/pipeline/index.js';
import { tinyClipVocabulary, writeTokenizerFolder } from '../../src/tokenizer/index.js';
import { writeSafetensors } from '../../src/weights/safetensors-write.js';
import { createHarness, type Harness } from '../e2e/harness.js';

const RANDOM = 'tiny-random.safetensors';
const MM = 'piagraph-demo-mm-v2.ckpt';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await mkdir(join(h.dirs.models, 'checkpoints'), { recursive: true });
  await mkdir(join(h.dirs.models, 'animatediff_models'), { recursive: true });
  await writeLdmCheckpoint(join(h.dirs.models, 'checkpoints', RANDOM), tiny);
  await writeTokenizerFolder(join(h.dirs.models, 'checkpoints', 'tiny-random.tokenizer'), tinyClipVocabulary());
}, 120_000);
afterAll(async () => {
  await h?.close();
});

type Inputs = Record<string, unknown>;

/** Text to video: checkpoint → (motion nodes) → KSampler on `frames` empty latents → VAE Decode → Save Image. */
function textToVideo(options: { ckpt?: string; frames?: number; motion?: 'gen1' | 'gen2' | 'none'; beta?: string; effect?: number; mm?: string; seed?: number } = {}): ApiPrompt {
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
  return p;
}

/** The saved frames' pixels (8-bit RGB, frame after frame). */
async function frames(result: RunResult): Promise<Buffer[]> {
  expect(result.status, JSON.stringify(result.error ?? null)).toBe('success');
  const refs = result.outputs['7']!['images'] as FileRef[];
  return Promise.all(refs.map(async (ref) => sharp(await readFile(join(h.dirs.output, ref.subfolder, ref.filename))).raw().toBuffer()));
}

async function run(prompt: ApiPrompt): Promise<Buffer[]> {
  return frames((await h.run(prompt)).result);
}

const maxDiff = (a: Buffer[], b: Buffer[]) => Math.max(...a.map((f, i) => Math.max(...f.map((v, j) => Math.abs(v - b[i]![j]!)))));
const same = (a: Buffer[], b: Buffer[]) => a.length === b.length && a.every((f, i) => f.equals(b[i]!));

describe('AnimateDiff-Evolved on KSampler', { timeout: 300_000 }, () => {
  it('samples 16 frames on the demo models through the Gen1 loader', async () => {
    const video = await run(textToVideo({ ckpt: DEMO_CHECKPOINT, frames: 16 }));
    expect(video).toHaveLength(16);
  });

  it('gives the same frames through the Gen1 loader and the Gen2 nodes', async () => {
    const gen1 = await run(textToVideo({ motion: 'gen1' }));
    const gen2 = await run(textToVideo({ motion: 'gen2' }));
    expect(same(gen1, gen2)).toBe(true);
  });

  it('mixes the frames: the motion model changes the video, and its frames are not the independent images', async () => {
    const video = await run(textToVideo({ beta: 'use existing' }));
    const images = await run(textToVideo({ motion: 'none' }));
    expect(maxDiff(video, images)).toBeGreaterThan(8);
  });

  it('with effect_multival 0 (motion modules off) gives the image U-Net\'s frames (v2 runs its GroupNorms per frame)', async () => {
    const off = await run(textToVideo({ beta: 'use existing', effect: 0 }));
    const images = await run(textToVideo({ motion: 'none' }));
    // Two graphs, two float orders: at most one 8-bit step apart.
    expect(maxDiff(off, images)).toBeLessThanOrEqual(1);
  });

  it("autoselect picks sqrt_linear: the same frames as 'sqrt_linear (AnimateDiff)', others than SD 1.5's 'linear'", async () => {
    const auto = await run(textToVideo({ beta: 'autoselect' }));
    const sqrtLinear = await run(textToVideo({ beta: 'sqrt_linear (AnimateDiff)' }));
    const linear = await run(textToVideo({ beta: 'linear (HotshotXL/default)' }));
    const existing = await run(textToVideo({ beta: 'use existing' }));
    expect(same(auto, sqrtLinear)).toBe(true);
    expect(same(existing, linear)).toBe(true);
    expect(maxDiff(auto, linear)).toBeGreaterThan(2);
  });
});

describe('bad AnimateDiff inputs are refused naming the input', { timeout: 120_000 }, () => {
  it('more frames than the motion model takes, without context options', async () => {
    const { result } = await h.run(textToVideo({ frames: 33 }));
    expect(result.status).toBe('error');
    expect(result.error?.node_id).toBe('5');
    expect(result.error?.exception_message).toContain('latent_image has 33 frames');
    expect(result.error?.exception_message).toContain('at most 32');
    expect(result.error?.exception_message).toContain('context options');
  });

  it('an SDXL motion model, at the loader', async () => {
    const zeros = (shape: number[]) => ({ dtype: 'F16' as const, shape, data: new Uint16Array(shape.reduce((a, b) => a * b, 1)) });
    await writeSafetensors(
      join(h.dirs.models, 'animatediff_models', 'mm_sdxl_v10_beta.safetensors'),
      [320, 640, 1280].flatMap((c, b) => [
        [`down_blocks.${b}.motion_modules.0.temporal_transformer.proj_in.weight`, zeros([c, c])] as const,
        [`down_blocks.${b}.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.0.pos_encoder.pe`, zeros([1, 32, c])] as const,
      ]).map(([k, v]) => [k, v]),
    );
    const { result } = await h.run(textToVideo({ mm: 'mm_sdxl_v10_beta.safetensors' }));
    expect(result.error?.node_id).toBe('10');
    expect(result.error?.exception_message).toContain('model_name "mm_sdxl_v10_beta.safetensors"');
    expect(result.error?.exception_message).toContain('SDXL motion model');
  });

  it('a PIA file without the PIA apply node', async () => {
    const { result } = await h.run(textToVideo({ mm: 'piagraph-demo-pia.ckpt' }));
    expect(result.error?.exception_message).toContain('Apply AnimateDiff-PIA Model');
  });

  it('an LCM beta schedule, before anything runs', async () => {
    const { result } = await h.run(textToVideo({ beta: 'lcm' }));
    expect(result.status).toBe('error');
    expect(JSON.stringify(result.validation)).toContain('beta_schedule');
    expect(JSON.stringify(result.validation)).toContain('LCM');
  });
});
