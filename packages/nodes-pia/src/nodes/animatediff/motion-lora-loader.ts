/** Load AnimateDiff LoRA (`ADE_AnimateDiffLoRALoader`): a motion LoRA from `models/animatediff_motion_lora/` with a strength, chained. */
import { join } from 'node:path';
import { defineNode } from '@piagraph/graph-core';
import { fileStamp } from '../../pipeline/model-folders.js';
import type { PackContext } from '../pack-context.js';
import { ADE_CATEGORY } from './categories.js';

/** The `ADE_AnimateDiffLoRALoader` node. */
export function animateDiffLoraLoaderNode(pack: PackContext) {
  return defineNode({
    classType: 'ADE_AnimateDiffLoRALoader',
    displayName: 'Load AnimateDiff LoRA 🎭🅐🅓',
    category: ADE_CATEGORY.root,
    description: "A motion LoRA (camera moves such as zoom or pan) for the motion model; it is checked against the motion model where that is applied.",
    inputs: {
      required: {
        name: { type: 'COMBO', options: () => pack.motionLoras() },
        strength: { type: 'FLOAT', default: 1.0, min: 0.0, max: 10.0, step: 0.001 },
      },
      optional: {
        prev_motion_lora: { type: 'MOTION_LORA' },
      },
    },
    outputs: [{ type: 'MOTION_LORA' }],
    fingerprint: (literals) => fileStamp(join(pack.settings.modelsDir, 'animatediff_motion_lora', String(literals['name']))),
    async run({ name, strength, prev_motion_lora }) {
      const file = await pack.store.file('animatediff_motion_lora', name, 'name');
      return { outputs: [[...(prev_motion_lora ?? []), { file, strength }]] };
    },
  });
}
