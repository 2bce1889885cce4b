/**
 * Use Evolved Sampling (`ADE_UseEvolvedSampling`, Gen2): attaches applied motion models, context options, sample
 * settings and a beta schedule to a MODEL, which KSampler then samples as a video.
 */
import { defineNode } from '@piagraph/graph-core';
import { BETA_SCHEDULES } from '../../motion/beta-schedules.js';
import type { PackContext } from '../pack-context.js';
import { MODEL_HANDLE_BYTES } from '../socket-values.js';
import { attachMotion, singleMotionModel, validateBetaSchedule } from './attach.js';
import { ADE_CATEGORY } from './categories.js';

/** The `ADE_UseEvolvedSampling` node. */
export function useEvolvedSamplingNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_UseEvolvedSampling',
    displayName: 'Use Evolved Sampling 🎭🅐🅓②',
    category: ADE_CATEGORY.gen2,
    description:
      'Makes KSampler sample the latent batch as one video with the applied motion model, context windows and sample settings. ' +
      'beta_schedule autoselect picks the motion model\'s (sqrt_linear for SD 1.5 AnimateDiff and PIA).',
    inputs: {
      required: {
        model: { type: 'MODEL' },
        beta_schedule: { type: 'COMBO', options: BETA_SCHEDULES, default: 'autoselect' },
      },
      optional: {
        m_models: { type: 'M_MODELS' },
        context_options: { type: 'CONTEXT_OPTIONS' },
        sample_settings: { type: 'SAMPLE_SETTINGS' },
      },
    },
    outputs: [{ type: 'MODEL' }],
    validate: validateBetaSchedule,
    async run(inputs) {
      const model = await attachMotion(inputs.model, singleMotionModel(inputs.m_models, 'm_models'), {
        betaSchedule: inputs.beta_schedule,
        motionInput: 'm_models',
        ...(inputs.context_options ? { context: inputs.context_options } : {}),
        ...(inputs.sample_settings ? { sampleSettings: inputs.sample_settings } : {}),
      });
      return { outputs: [model], sizeBytes: MODEL_HANDLE_BYTES };
    },
  });
}
