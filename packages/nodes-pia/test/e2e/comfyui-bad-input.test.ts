/** Bad input to the ComfyUI core nodes: each a validation or node error naming the input, never a crash. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPrompt, RunResult } from '@piagraph/graph-core';
import { decodeLatentBatch, DEMO_CHECKPOINT } from '../../src/pipeline/index.js';
import { writeSafetensors } from '../../src/weights/index.js';
import { createHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** Load Checkpoint → (LoRA) → KSampler → VAE Decode → Save Image at 64×64, with `patch` applied. */
function textToImage(patch: (p: ApiPrompt) => void = () => undefined): ApiPrompt {
  const prompt: ApiPrompt = {
    '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: DEMO_CHECKPOINT } },
    '2': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse', clip: ['1', 1] } },
    '3': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['1', 1] } },
    '4': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
    '5': {
      class_type: 'KSampler',
      inputs: { model: ['1', 0], seed: 1, steps: 2, cfg: 7, sampler_name: 'euler', scheduler: 'normal', positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0], denoise: 1 },
    },
    '6': { class_type: 'VAEDecode', inputs: { samples: ['5', 0], vae: ['1', 2] } },
    '7': { class_type: 'SaveImage', inputs: { images: ['6', 0], filename_prefix: 'bad-input' } },
  };
  patch(prompt);
  return prompt;
}

const set = (p: ApiPrompt, node: string, input: string, value: unknown) => {
  (p[node]!.inputs as Record<string, unknown>)[input] = value;
};

function validationMessages(result: RunResult): string {
  expect(result.status).toBe('error');
  return JSON.stringify(result.validation ?? result.error);
}

describe('bad input to the core nodes', { timeout: 120_000 }, () => {
  it('an unknown sampler or scheduler fails validation naming the input and the value', async () => {
    const { result } = await h.run(textToImage((p) => set(p, '5', 'sampler_name', 'euler_magic')));
    const text = validationMessages(result);
    expect(text).toContain('sampler_name');
    expect(text).toContain('euler_magic');
    const again = await h.run(textToImage((p) => set(p, '5', 'scheduler', 'warp')));
    expect(validationMessages(again.result)).toContain('scheduler');
  });

  it('a LoRA for SDXL fails at Load LoRA, naming the file and the family', async () => {
    await mkdir(join(h.dirs.models, 'loras'), { recursive: true });
    // kohya names of SDXL's U-Net (input_blocks.4.1 is a 640-wide transformer there) and its second text encoder.
    await writeSafetensors(join(h.dirs.models, 'loras', 'sdxl-style.safetensors'), {
      'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_down.weight': { dtype: 'F32', shape: [4, 640], data: new Float32Array(4 * 640) },
      'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_up.weight': { dtype: 'F32', shape: [640, 4], data: new Float32Array(640 * 4) },
      'lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_down.weight': { dtype: 'F32', shape: [4, 1280], data: new Float32Array(4 * 1280) },
      'lora_te2_text_model_encoder_layers_0_mlp_fc1.lora_up.weight': { dtype: 'F32', shape: [5120, 4], data: new Float32Array(5120 * 4) },
    });
    const { result } = await h.run(
      textToImage((p) => {
        p['8'] = { class_type: 'LoraLoader', inputs: { model: ['1', 0], clip: ['1', 1], lora_name: 'sdxl-style.safetensors', strength_model: 1, strength_clip: 1 } };
        set(p, '5', 'model', ['8', 0]);
      }),
    );
    expect(result.status).toBe('error');
    expect(result.error?.node_id).toBe('8');
    expect(result.error?.exception_message).toMatch(/sdxl-style\.safetensors/);
    expect(result.error?.exception_message).toMatch(/SDXL/);
  });

  it('a LoRA whose keys match nothing fails at Load LoRA', async () => {
    await writeSafetensors(join(h.dirs.models, 'loras', 'nothing.safetensors'), {
      'some_other_model.layer.lora_down.weight': { dtype: 'F32', shape: [2, 8], data: new Float32Array(16) },
      'some_other_model.layer.lora_up.weight': { dtype: 'F32', shape: [8, 2], data: new Float32Array(16) },
    });
    const { result } = await h.run(
      textToImage((p) => {
        p['8'] = { class_type: 'LoraLoaderModelOnly', inputs: { model: ['1', 0], lora_name: 'nothing.safetensors', strength_model: 1 } };
        set(p, '5', 'model', ['8', 0]);
      }),
    );
    expect(result.status).toBe('error');
    expect(result.error?.node_id).toBe('8');
    expect(result.error?.exception_message).toMatch(/nothing\.safetensors/);
  });

  it('a MODEL with PIA modules into KSampler is refused, naming the model input', async () => {
    const { result } = await h.run(
      textToImage((p) => {
        p['9'] = { class_type: 'PIACheckpointLoader', inputs: { ckpt_name: DEMO_CHECKPOINT, pia_name: 'piagraph-demo-pia.ckpt' } };
        set(p, '5', 'model', ['9', 0]);
      }),
    );
    expect(result.status).toBe('error');
    expect(result.error?.node_id).toBe('5');
    expect(result.error?.exception_message).toMatch(/PIA/);
  });

  it('a latent of the wrong shape into VAE Decode is refused naming samples', async () => {
    const vae = await h.pack.context.store.vae((await h.pack.context.checkpointRecipes(DEMO_CHECKPOINT)).vae);
    const bad = { samples: new Float32Array(5 * 8 * 8), dims: [1, 5, 8, 8] as const };
    await expect(decodeLatentBatch(vae, bad, 1)).rejects.toMatchObject({ input: 'samples', message: expect.stringMatching(/5 channels/) });
  });
});
