/**
 * Sample Settings (`ADE_AnimateDiffSamplingSettings`): how the initial noise is drawn (noise type, seed generator, seed
 * and batch offsets, seed override). Noise layers, iteration options, custom CFG, sigma schedules and image injection
 * come from nodes piagraph does not have; their sockets are declared so ADE's workflows import.
 */
import { defineNode } from '@piagraph/graph-core';
import { NOISE_TYPES, SEED_GENS } from '../../motion/settings.js';
import type { PackContext } from '../pack-context.js';
import { ADE_CATEGORY } from './categories.js';

const BIG = Number.MAX_SAFE_INTEGER;

/** Seed generators drawn by a CUDA generator, whose numbers piagraph cannot reproduce. */
const GPU_GENS = ['comfy [gpu]', 'auto1111 [gpu]'];

/** The `ADE_AnimateDiffSamplingSettings` node. */
export function sampleSettingsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_AnimateDiffSamplingSettings',
    displayName: 'Sample Settings 🎭🅐🅓',
    category: ADE_CATEGORY.root,
    description:
      'Initial noise for AnimateDiff sampling: default (one draw for the batch), constant (one frame for all), empty, repeated_context ' +
      "(the first window's noise repeated), FreeNoise (later windows reuse shuffled earlier frames); comfy draws the batch from one seed, " +
      'auto1111 one seed per frame.',
    inputs: {
      required: {
        batch_offset: { type: 'INT', default: 0, min: 0, max: BIG },
        noise_type: { type: 'COMBO', options: NOISE_TYPES },
        seed_gen: { type: 'COMBO', options: SEED_GENS },
        seed_offset: { type: 'INT', default: 0, min: -BIG, max: BIG },
      },
      optional: {
        noise_layers: { type: 'NOISE_LAYERS' },
        iteration_opts: { type: 'ITERATION_OPTS' },
        seed_override: { type: 'INT', default: 0, min: 0, max: 0xffffffffffffffff, forceInput: true },
        adapt_denoise_steps: { type: 'BOOLEAN', default: false },
        custom_cfg: { type: 'CUSTOM_CFG' },
        sigma_schedule: { type: 'SIGMA_SCHEDULE' },
        image_inject: { type: 'IMAGE_INJECT' },
        ancestral_opts: { type: 'ANCESTRAL_OPTS' },
      },
    },
    outputs: [{ type: 'SAMPLE_SETTINGS', name: 'settings' }],
    validate(literals) {
      const gen = literals['seed_gen'];
      return typeof gen === 'string' && GPU_GENS.includes(gen)
        ? [{ input: 'seed_gen', message: `"${gen}" draws its noise with a CUDA generator, which piagraph cannot reproduce; use "${gen.replace(' [gpu]', '')}"` }]
        : [];
    },
    run(inputs) {
      for (const [name, value] of Object.entries({
        noise_layers: inputs.noise_layers,
        iteration_opts: inputs.iteration_opts,
        custom_cfg: inputs.custom_cfg,
        sigma_schedule: inputs.sigma_schedule,
        image_inject: inputs.image_inject,
        ancestral_opts: inputs.ancestral_opts,
      })) {
        if (value !== undefined) throw new Error(`${name} is not supported by piagraph's sample settings`);
      }
      // adapt_denoise_steps is accepted and, as in ADE (where it is a no-op), changes nothing.
      return {
        outputs: [
          {
            kind: 'sample-settings',
            batchOffset: inputs.batch_offset,
            noiseType: inputs.noise_type,
            seedGen: inputs.seed_gen,
            seedOffset: inputs.seed_offset,
            ...(inputs.seed_override !== undefined ? { seedOverride: inputs.seed_override } : {}),
          },
        ],
      };
    },
  });
}
