import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/checkpoints/errors.js';
import { motionKeys } from '../../src/checkpoints/key-table.js';
import { writeLdmCheckpoint, writeMotionFile } from '../../src/demo/generate.js';
import { sd15, tiny } from '../../src/models/config.js';
import { openMotionModel, recogniseMotionModel } from '../../src/motion/index.js';
import { DEMO_MOTION_MODELS, ensureDemoMotionModel, motionModelTensors } from '../../src/pipeline/demo-motion.js';
import { openWeights } from '../../src/weights/open-weights.js';
import { writeSafetensors } from '../../src/weights/safetensors-write.js';
import type { TensorToWrite } from '../../src/weights/tensor-input.js';
import { writeTorchCheckpoint } from '../../src/weights/torch-zip-write.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-mm-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const zeros = (shape: number[]): TensorToWrite => ({ dtype: 'F16', shape, data: new Uint16Array(shape.reduce((a, b) => a * b, 1)) });

async function recognised(path: string) {
  const source = await openWeights(path);
  try {
    return recogniseMotionModel(source);
  } finally {
    await source.close();
  }
}

async function refusal(path: string): Promise<CheckpointError> {
  try {
    await openMotionModel(path);
  } catch (err) {
    if (err instanceof CheckpointError) return err;
    throw err;
  }
  throw new Error('expected a CheckpointError');
}

describe('motion model files', () => {
  it('recognises AnimateDiff v1 (24 positions, no mid block), v2 (mid block) and v3 (32 positions)', async () => {
    const expected = {
      v1: { midBlock: false, maxFrames: 24 },
      v2: { midBlock: true, maxFrames: 32 },
      v3: { midBlock: false, maxFrames: 32 },
    } as const;
    for (const [version, layout] of Object.entries(expected)) {
      const path = join(dir, `mm-${version}.ckpt`);
      await writeTorchCheckpoint(path, motionModelTensors(tiny, layout));
      expect(await recognised(path)).toEqual({ format: 'AnimateDiff', version, ...layout, layout: 'original', configName: 'tiny' });
    }
  });

  it("recognises PIA's file by its conv_in (32 positions: ADE counts it as v3)", async () => {
    const path = join(dir, 'pia.ckpt');
    await writeMotionFile(path, tiny, 'original');
    const file = await openMotionModel(path);
    try {
      expect(file.info).toEqual({ format: 'PIA', version: 'v3', maxFrames: 32, midBlock: false, layout: 'original', configName: 'tiny' });
      expect(file.convIn?.shape).toEqual([32, 9, 3, 3]);
    } finally {
      await file.close();
    }
  });

  it('binds a v2 file with its mid-block module under diffusers names', async () => {
    const path = join(dir, 'bind-v2.ckpt');
    await writeTorchCheckpoint(path, motionModelTensors(tiny, DEMO_MOTION_MODELS['piagraph-demo-mm-v2.ckpt']));
    const file = await openMotionModel(path);
    try {
      // tiny's last block is 64 wide: the mid block's module works at that width.
      expect(file.motion.get('mid_block.motion_modules.0.proj_in.weight')?.shape).toEqual([64, 64]);
      expect(file.motion.get('mid_block.motion_modules.0.transformer_blocks.0.attn2.to_k.weight')?.shape).toEqual([64, 64]);
      // 2 down blocks × 2 + 2 up blocks × 3 + the mid block = 11 modules of 26 weights: norm 2, proj_in 2, two attentions
      // of q/k/v + to_out weight and bias (10), their norms 4, feed-forward 4, ff_norm 2, proj_out 2 (pe buffers are not bound).
      expect(file.motion.size).toBe(11 * 26);
    } finally {
      await file.close();
    }
  });

  it('the SD 1.5 v2 key table has the parameter count of mm_sd_v15_v2 (22·C² + 21·C per module, about 453 M)', () => {
    // Widths of the 21 modules: down 2×(320, 640, 1280, 1280), mid 1280, up 3×(1280, 1280, 640, 320).
    const widths = [320, 320, 640, 640, 1280, 1280, 1280, 1280, 1280, 1280, 1280, 1280, 1280, 1280, 1280, 640, 640, 640, 320, 320, 320];
    const byHand = widths.reduce((sum, c) => sum + 22 * c * c + 21 * c, 0);
    const specs = motionKeys(sd15.unet, { midBlock: true });
    expect(specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0)).toBe(byHand);
    expect(byHand).toBeGreaterThan(452e6);
    expect(byHand).toBeLessThan(454e6);
  });

  it('writes the demo motion models on first use, each recognised as its release', async () => {
    const models = join(dir, 'models');
    for (const name of Object.keys(DEMO_MOTION_MODELS)) await ensureDemoMotionModel(models, name);
    expect((await recognised(join(models, 'animatediff_models', 'piagraph-demo-mm-v1.ckpt'))).version).toBe('v1');
    expect((await recognised(join(models, 'animatediff_models', 'piagraph-demo-mm-v2.ckpt'))).version).toBe('v2');
    expect((await recognised(join(models, 'animatediff_models', 'piagraph-demo-mm-v3.ckpt'))).version).toBe('v3');
  });
});

describe('files that are not SD 1.5 motion models are refused by name', () => {
  it('an SDXL motion model, by its three down blocks of widths 320, 640, 1280', async () => {
    const path = join(dir, 'mm_sdxl_v10_beta.safetensors');
    const tensors: [string, TensorToWrite][] = [320, 640, 1280].flatMap((c, b) => [
      [`down_blocks.${b}.motion_modules.0.temporal_transformer.proj_in.weight`, zeros([c, c])],
      [`down_blocks.${b}.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.0.pos_encoder.pe`, zeros([1, 32, c])],
    ]);
    await writeSafetensors(path, tensors);
    const err = await refusal(path);
    expect(err.code).toBe('unsupported-motion-module');
    expect(err.message).toContain('SDXL motion model');
    expect(err.details.family).toBe('SDXL');
  });

  it('HotShot-XL, by its temporal_attentions keys', async () => {
    const path = join(dir, 'hsxl_temporal_layers.safetensors');
    await writeSafetensors(path, [['down_blocks.0.temporal_attentions.0.pos_encoder.positional_encoding', zeros([1, 8, 320])]]);
    const err = await refusal(path);
    expect(err.message).toContain('HotShot-XL');
  });

  it('AnimateLCM, by its missing position encodings', async () => {
    const path = join(dir, 'AnimateLCM_sd15_t2v.ckpt');
    await writeTorchCheckpoint(path, motionModelTensors(tiny, { midBlock: false, maxFrames: 32 }).filter(([k]) => !k.endsWith('.pe')));
    const err = await refusal(path);
    expect(err.message).toContain('AnimateLCM');
  });

  it('a motion LoRA, pointing to its folder', async () => {
    const path = join(dir, 'v2_lora_ZoomIn.ckpt');
    await writeTorchCheckpoint(path, [['down_blocks.0.motion_modules.0.temporal_transformer.transformer_blocks.0.attention_blocks.0.processor.to_q_lora.down.weight', zeros([4, 32])]]);
    const err = await refusal(path);
    expect(err.code).toBe('not-motion-module');
    expect(err.message).toContain('animatediff_motion_lora');
  });

  it('a Stable Diffusion checkpoint', async () => {
    const path = join(dir, 'sd.safetensors');
    await writeLdmCheckpoint(path, tiny);
    const err = await refusal(path);
    expect(err.code).toBe('not-motion-module');
    expect(err.message).toContain('Stable Diffusion checkpoint');
  });

  it('a motion model missing a module tensor, naming it and its shape', async () => {
    const key = 'up_blocks.1.motion_modules.2.temporal_transformer.proj_out.weight';
    const path = join(dir, 'incomplete.ckpt');
    await writeTorchCheckpoint(path, motionModelTensors(tiny, { midBlock: false, maxFrames: 32 }).filter(([k]) => k !== key));
    const err = await refusal(path);
    expect(err.code).toBe('missing-tensor');
    expect(err.message).toContain(`'${key}' of shape [32, 32]`);
  });
});
