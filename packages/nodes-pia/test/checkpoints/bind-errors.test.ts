import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/checkpoints/errors.js';
import { openMotionCheckpoint, openSdCheckpoint } from '../../src/checkpoints/resolve.js';
import { ldmCheckpointTensors, motionFileTensors } from '../../src/demo/generate.js';
import { tiny } from '../../src/models/config.js';
import { writeSafetensors } from '../../src/weights/safetensors-write.js';
import type { TensorToWrite } from '../../src/weights/tensor-input.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-bind-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeEdited(name: string, edit: (t: [string, TensorToWrite][]) => [string, TensorToWrite][], motion = false): Promise<string> {
  const path = join(dir, name);
  const base = motion ? motionFileTensors(tiny, 'original') : ldmCheckpointTensors(tiny);
  await writeSafetensors(path, edit(base));
  return path;
}

async function failure(promise: Promise<unknown>): Promise<CheckpointError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CheckpointError) return err;
    throw err;
  }
  throw new Error('expected a CheckpointError');
}

const f32 = (shape: number[]): TensorToWrite => ({ dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

describe('binding checkpoint files', () => {
  it('names the missing key, the file and the expected shape', async () => {
    const key = 'model.diffusion_model.middle_block.1.proj_in.weight';
    const path = await writeEdited('missing.safetensors', (t) => t.filter(([k]) => k !== key));
    const err = await failure(openSdCheckpoint(path));
    expect(err.code).toBe('missing-tensor');
    expect(err.message).toContain(path);
    expect(err.message).toContain(`'${key}' of shape [64, 64, 1, 1]`);
  });

  it('names a mis-shaped key with its actual and expected shapes', async () => {
    const key = 'first_stage_model.decoder.conv_out.weight';
    const path = await writeEdited('shape.safetensors', (t) => t.map(([k, v]) => (k === key ? [k, f32([3, 16, 1, 1])] : [k, v])));
    const err = await failure(openSdCheckpoint(path));
    expect(err.code).toBe('shape-mismatch');
    expect(err.message).toBe(`${path}: tensor '${key}' has shape [3, 16, 1, 1], expected [3, 16, 3, 3]`);
  });

  it('refuses an unexpected tensor inside a network', async () => {
    const key = 'model.diffusion_model.input_blocks.1.2.weight';
    const path = await writeEdited('extra.safetensors', (t) => [...t, [key, f32([4])]]);
    const err = await failure(openSdCheckpoint(path));
    expect(err.code).toBe('extra-tensor');
    expect(err.message).toContain(`unexpected tensor '${key}'`);
  });

  it('ignores EMA copies and noise-schedule buffers outside the three networks', async () => {
    const path = await writeEdited('ema.safetensors', (t) => [...t, ['model_ema.decay', f32([])], ['alphas_cumprod', f32([1000])]]);
    const sd = await openSdCheckpoint(path);
    expect(sd.config.name).toBe('tiny');
    await sd.close();
  });

  it('refuses an SDXL checkpoint by name', async () => {
    const path = await writeEdited('sdxl.safetensors', (t) => [...t, ['conditioner.embedders.0.transformer.text_model.final_layer_norm.weight', f32([4])]]);
    const err = await failure(openSdCheckpoint(path));
    expect(err.code).toBe('wrong-family');
    expect(err.message).toContain('this is a SDXL checkpoint');
  });

  it('refuses a Stable Diffusion 2 checkpoint by its OpenCLIP text encoder', async () => {
    const path = await writeEdited('sd2.safetensors', (t) => [...t, ['cond_stage_model.model.ln_final.weight', f32([4])]]);
    const err = await failure(openSdCheckpoint(path));
    expect(err.details.family).toBe('Stable Diffusion 2.x');
  });

  it('refuses a Stable Diffusion 2 checkpoint by its 1024-dim cross-attention', async () => {
    const key = 'model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight';
    const path = await writeEdited('sd2-attn.safetensors', (t) => t.map(([k, v]) => (k === key ? [k, f32([32, 1024])] : [k, v])));
    const err = await failure(openSdCheckpoint(path));
    expect(err.message).toContain('Stable Diffusion 2.x (1024-dim cross-attention)');
  });

  it('refuses an AnimateDiff motion module without PIA conv_in', async () => {
    const path = await writeEdited('animatediff.safetensors', (t) => t.filter(([k]) => !k.startsWith('conv_in.')), true);
    const err = await failure(openMotionCheckpoint(path, tiny));
    expect(err.code).toBe('not-motion-module');
    expect(err.message).toContain("no 'conv_in.weight' of shape [32, 9, 3, 3]");
  });

  it('names a missing motion-module key in the original PIA layout', async () => {
    const key = 'up_blocks.1.motion_modules.2.temporal_transformer.transformer_blocks.0.ff_norm.weight';
    const path = await writeEdited('motion-missing.safetensors', (t) => t.filter(([k]) => k !== key), true);
    const err = await failure(openMotionCheckpoint(path, tiny));
    expect(err.message).toContain(`missing motion tensor '${key}' of shape [32]`);
  });
});
