/** Load AnimateDiff Model (`ADE_LoadAnimateDiffModel`, Gen2): a motion model from `models/animatediff_models/` (or `models/pia/`). */
import { defineNode } from '@piagraph/graph-core';
import type { PackContext } from '../pack-context.js';
import { ADE_CATEGORY } from './categories.js';
import { loadMotionModel, motionModelFingerprint } from './files.js';

/** The `ADE_LoadAnimateDiffModel` node. */
export function loadAnimateDiffModelNode(pack: PackContext) {
  return defineNode({
    classType: 'ADE_LoadAnimateDiffModel',
    displayName: 'Load AnimateDiff Model 🎭🅐🅓②',
    category: ADE_CATEGORY.gen2,
    description:
      'Loads an AnimateDiff motion model (v1, v2, v3) or PIA file, recognised by its keys; SDXL, HotShot-XL and AnimateLCM files are refused by name.',
    inputs: {
      required: {
        model_name: { type: 'COMBO', options: () => pack.motionModels() },
      },
      optional: {
        ad_settings: { type: 'AD_SETTINGS' },
      },
    },
    outputs: [{ type: 'MOTION_MODEL_ADE', name: 'MOTION_MODEL' }],
    fingerprint: (literals) => motionModelFingerprint(pack, literals['model_name']),
    async run({ model_name }) {
      return { outputs: [await loadMotionModel(pack, model_name)] };
    },
  });
}
