/**
 * Apply AnimateDiff Model (`ADE_ApplyAnimateDiffModelSimple`, and the advanced `ADE_ApplyAnimateDiffModel` with a step
 * range and a previous M_MODELS): a motion model with its motion LoRAs and scale/effect multivals → M_MODELS, for
 * `ADE_UseEvolvedSampling`. Nothing is loaded here; the sessions open when a KSampler runs.
 */
import { defineNode } from '@piagraph/graph-core';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import { ADE_CATEGORY } from './categories.js';
import type { AppliedMotionModel, MotionModelsValue } from './values.js';

const PERCENT = { type: 'FLOAT', min: 0.0, max: 1.0, step: 0.001 } as const;

/** Checks a step range and returns the applied entry added in front of `prev`, as ADE orders them. */
export function appliedMotionModels(entry: AppliedMotionModel, prev: MotionModelsValue | undefined): MotionModelsValue {
  if (!(entry.startPercent <= entry.endPercent)) {
    throw new PipelineError('bad-option', `start_percent ${entry.startPercent} is after end_percent ${entry.endPercent}`, {}, 'start_percent');
  }
  return [entry, ...(prev ?? [])];
}

/** The `ADE_ApplyAnimateDiffModelSimple` node. */
export function applyAnimateDiffModelSimpleNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ApplyAnimateDiffModelSimple',
    displayName: 'Apply AnimateDiff Model 🎭🅐🅓②',
    category: ADE_CATEGORY.gen2,
    description: 'Applies a motion model over the whole sampling, with optional motion LoRAs and scale/effect multivals.',
    inputs: {
      required: {
        motion_model: { type: 'MOTION_MODEL_ADE' },
      },
      optional: {
        motion_lora: { type: 'MOTION_LORA' },
        scale_multival: { type: 'MULTIVAL' },
        effect_multival: { type: 'MULTIVAL' },
        ad_keyframes: { type: 'AD_KEYFRAMES' },
        per_block: { type: 'PER_BLOCK' },
      },
    },
    outputs: [{ type: 'M_MODELS' }],
    run(inputs) {
      const entry: AppliedMotionModel = {
        model: inputs.motion_model,
        loras: inputs.motion_lora ?? [],
        ...(inputs.scale_multival ? { scale: inputs.scale_multival } : {}),
        ...(inputs.effect_multival ? { effect: inputs.effect_multival } : {}),
        startPercent: 0,
        endPercent: 1,
      };
      return { outputs: [appliedMotionModels(entry, undefined)] };
    },
  });
}

/** The `ADE_ApplyAnimateDiffModel` node. */
export function applyAnimateDiffModelNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ApplyAnimateDiffModel',
    displayName: 'Apply AnimateDiff Model (Adv.) 🎭🅐🅓②',
    category: ADE_CATEGORY.gen2,
    description: 'Applies a motion model from start_percent to end_percent of the sampling (the motion modules are off outside it).',
    inputs: {
      required: {
        motion_model: { type: 'MOTION_MODEL_ADE' },
        start_percent: { ...PERCENT, default: 0.0 },
        end_percent: { ...PERCENT, default: 1.0 },
      },
      optional: {
        motion_lora: { type: 'MOTION_LORA' },
        scale_multival: { type: 'MULTIVAL' },
        effect_multival: { type: 'MULTIVAL' },
        ad_keyframes: { type: 'AD_KEYFRAMES' },
        prev_m_models: { type: 'M_MODELS' },
        per_block: { type: 'PER_BLOCK' },
      },
    },
    outputs: [{ type: 'M_MODELS' }],
    run(inputs) {
      const entry: AppliedMotionModel = {
        model: inputs.motion_model,
        loras: inputs.motion_lora ?? [],
        ...(inputs.scale_multival ? { scale: inputs.scale_multival } : {}),
        ...(inputs.effect_multival ? { effect: inputs.effect_multival } : {}),
        startPercent: inputs.start_percent,
        endPercent: inputs.end_percent,
      };
      return { outputs: [appliedMotionModels(entry, inputs.prev_m_models)] };
    },
  });
}
