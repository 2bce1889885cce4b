/**
 * Load LoRA (`LoraLoader`) and its model-only form (`LoraLoaderModelOnly`): a LoRA from models/loras added to the
 * MODEL and CLIP recipes with a strength each. Nothing is merged here: the model store applies the patches when a
 * sampler or encoder opens the network: the cached graph of the base weights is never rebuilt, and on the CPU a new
 * strength only re-merges the LoRA's layers inside the open session.
 */
import { join } from 'node:path';
import { defineNode } from '@piagraph/graph-core';
import { fileStamp } from '../../pipeline/model-folders.js';
import { withLora } from '../../pipeline/recipes.js';
import type { PackContext } from '../pack-context.js';
import { MODEL_HANDLE_BYTES } from '../socket-values.js';

const STRENGTH = { type: 'FLOAT', default: 1.0, min: -100.0, max: 100.0, step: 0.01 } as const;

async function loraFingerprint(pack: PackContext, literals: Readonly<Record<string, unknown>>): Promise<string> {
  const name = String(literals['lora_name']);
  await pack.prepareModels('loras', name);
  return fileStamp(join(pack.settings.modelsDir, 'loras', name));
}

/** The `LoraLoader` node. */
export function loraLoaderNode(pack: PackContext) {
  return defineNode({
    classType: 'LoraLoader',
    displayName: 'Load LoRA',
    category: 'loaders',
    description:
      'Applies a LoRA (kohya/A1111 or diffusers/PEFT file in models/loras) to the diffusion model and the text encoder. ' +
      'Strengths may be negative; 0 leaves that network unchanged.',
    inputs: {
      required: {
        model: { type: 'MODEL', tooltip: 'The diffusion model the LoRA will be applied to.' },
        clip: { type: 'CLIP', tooltip: 'The CLIP model the LoRA will be applied to.' },
        lora_name: { type: 'COMBO', options: () => pack.loraFiles(), tooltip: 'The name of the LoRA.' },
        strength_model: { ...STRENGTH, tooltip: 'How strongly to modify the diffusion model. This value can be negative.' },
        strength_clip: { ...STRENGTH, tooltip: 'How strongly to modify the CLIP model. This value can be negative.' },
      },
    },
    outputs: [
      { type: 'MODEL', tooltip: 'The modified diffusion model.' },
      { type: 'CLIP', tooltip: 'The modified CLIP model.' },
    ],
    fingerprint: (literals) => loraFingerprint(pack, literals),
    async run({ model, clip, lora_name, strength_model, strength_clip }) {
      const file = await pack.store.lora(lora_name, model.config);
      return {
        outputs: [
          { ...model, loras: withLora(model.loras, { file, strength: strength_model }) },
          { ...clip, loras: withLora(clip.loras, { file, strength: strength_clip }) },
        ],
        sizeBytes: 2 * MODEL_HANDLE_BYTES,
      };
    },
  });
}

/** The `LoraLoaderModelOnly` node. */
export function loraLoaderModelOnlyNode(pack: PackContext) {
  return defineNode({
    classType: 'LoraLoaderModelOnly',
    displayName: 'LoraLoaderModelOnly',
    category: 'loaders',
    description: 'Applies a LoRA to the diffusion model only.',
    inputs: {
      required: {
        model: { type: 'MODEL' },
        lora_name: { type: 'COMBO', options: () => pack.loraFiles() },
        strength_model: { ...STRENGTH },
      },
    },
    outputs: [{ type: 'MODEL' }],
    fingerprint: (literals) => loraFingerprint(pack, literals),
    async run({ model, lora_name, strength_model }) {
      const file = await pack.store.lora(lora_name, model.config);
      return { outputs: [{ ...model, loras: withLora(model.loras, { file, strength: strength_model }) }], sizeBytes: MODEL_HANDLE_BYTES };
    },
  });
}
