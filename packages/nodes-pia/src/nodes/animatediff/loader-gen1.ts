/**
 * AnimateDiff Loader (`ADE_AnimateDiffLoaderGen1`, Gen1: load, apply and attach in one node) and the legacy
 * `ADE_AnimateDiffLoaderWithContext` that older shared workflows still use (its `motion_scale` is the scale multival,
 * its `apply_v2_models_properly` chooses v2's GroupNorms).
 */
import { defineNode } from '@piagraph/graph-core';
import { BETA_SCHEDULES } from '../../motion/beta-schedules.js';
import type { PackContext } from '../pack-context.js';
import { MODEL_HANDLE_BYTES } from '../socket-values.js';
import { attachMotion, validateBetaSchedule } from './attach.js';
import { ADE_CATEGORY } from './categories.js';
import { loadMotionModel, motionModelFingerprint } from './files.js';

/** The `ADE_AnimateDiffLoaderGen1` node. */
export function animateDiffLoaderGen1Node(pack: PackContext) {
  return defineNode({
    classType: 'ADE_AnimateDiffLoaderGen1',
    displayName: 'AnimateDiff Loader 🎭🅐🅓①',
    category: ADE_CATEGORY.gen1,
    description:
      'Injects a motion model into the MODEL: KSampler then samples the latent batch as the frames of one video. Connect context ' +
      'options for more frames than the motion model takes at once (16–32).',
    inputs: {
      required: {
        model: { type: 'MODEL' },
        model_name: { type: 'COMBO', options: () => pack.motionModels() },
        beta_schedule: { type: 'COMBO', options: BETA_SCHEDULES, default: 'autoselect' },
      },
      optional: {
        context_options: { type: 'CONTEXT_OPTIONS' },
        motion_lora: { type: 'MOTION_LORA' },
        ad_settings: { type: 'AD_SETTINGS' },
        ad_keyframes: { type: 'AD_KEYFRAMES' },
        sample_settings: { type: 'SAMPLE_SETTINGS' },
        scale_multival: { type: 'MULTIVAL' },
        effect_multival: { type: 'MULTIVAL' },
        per_block: { type: 'PER_BLOCK' },
      },
    },
    outputs: [{ type: 'MODEL' }],
    validate: validateBetaSchedule,
    fingerprint: (literals) => motionModelFingerprint(pack, literals['model_name']),
    async run(inputs) {
      const motion = await loadMotionModel(pack, inputs.model_name);
      const applied = {
        model: motion,
        loras: inputs.motion_lora ?? [],
        ...(inputs.scale_multival ? { scale: inputs.scale_multival } : {}),
        ...(inputs.effect_multival ? { effect: inputs.effect_multival } : {}),
        startPercent: 0,
        endPercent: 1,
      };
      const model = await attachMotion(inputs.model, applied, {
        betaSchedule: inputs.beta_schedule,
        motionInput: 'model_name',
        ...(inputs.context_options ? { context: inputs.context_options } : {}),
        ...(inputs.sample_settings ? { sampleSettings: inputs.sample_settings } : {}),
      });
      return { outputs: [model], sizeBytes: MODEL_HANDLE_BYTES };
    },
  });
}

/** The legacy `ADE_AnimateDiffLoaderWithContext` node. */
export function animateDiffLoaderWithContextNode(pack: PackContext) {
  return defineNode({
    classType: 'ADE_AnimateDiffLoaderWithContext',
    displayName: 'AnimateDiff Loader [Legacy] 🎭🅐🅓①',
    category: ADE_CATEGORY.gen1,
    description: 'Deprecated in ADE (use AnimateDiff Loader); kept so older shared workflows run.',
    inputs: {
      required: {
        model: { type: 'MODEL' },
        model_name: { type: 'COMBO', options: () => pack.motionModels() },
        beta_schedule: { type: 'COMBO', options: BETA_SCHEDULES, default: 'autoselect' },
      },
      optional: {
        context_options: { type: 'CONTEXT_OPTIONS' },
        motion_lora: { type: 'MOTION_LORA' },
        ad_settings: { type: 'AD_SETTINGS' },
        sample_settings: { type: 'SAMPLE_SETTINGS' },
        motion_scale: { type: 'FLOAT', default: 1.0, min: 0.0, step: 0.001 },
        apply_v2_models_properly: { type: 'BOOLEAN', default: true },
        ad_keyframes: { type: 'AD_KEYFRAMES' },
      },
    },
    outputs: [{ type: 'MODEL' }],
    validate: validateBetaSchedule,
    fingerprint: (literals) => motionModelFingerprint(pack, literals['model_name']),
    async run(inputs) {
      const motion = await loadMotionModel(pack, inputs.model_name);
      const applied = {
        model: motion,
        loras: inputs.motion_lora ?? [],
        scale: { kind: 'multival' as const, value: inputs.motion_scale ?? 1 },
        startPercent: 0,
        endPercent: 1,
      };
      const model = await attachMotion(inputs.model, applied, {
        betaSchedule: inputs.beta_schedule,
        motionInput: 'model_name',
        // ADE's legacy node defaults to false when the input is missing from an old workflow.
        applyV2Properly: inputs.apply_v2_models_properly ?? false,
        ...(inputs.context_options ? { context: inputs.context_options } : {}),
        ...(inputs.sample_settings ? { sampleSettings: inputs.sample_settings } : {}),
      });
      return { outputs: [model], sizeBytes: MODEL_HANDLE_BYTES };
    },
  });
}
