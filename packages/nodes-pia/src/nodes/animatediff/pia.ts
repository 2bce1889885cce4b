/**
 * PIA through AnimateDiff-Evolved: `ADE_ApplyAnimateDiffModelWithPIA` (a PIA motion model applied with the image to
 * animate and the VAE that encodes it), and the PIA inputs that give each frame its affinity:
 * `ADE_InputPIA_PaperPresets` (PIA's paper presets around a frame) and `ADE_InputPIA_Multival` (one value).
 */
import { defineNode } from '@piagraph/graph-core';
import { PIA_PAPER_PRESET_NAMES, PIA_PAPER_PRESETS, type PiaPaperPreset } from '../../motion/pia-presets.js';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import { appliedMotionModels } from './apply-model.js';
import { scalarMultival } from './attach.js';
import { ADE_CATEGORY } from './categories.js';
import type { AppliedMotionModel } from './values.js';

const PERCENT = { type: 'FLOAT', min: 0.0, max: 1.0, step: 0.001 } as const;
/** ADE's BIGMIN/BIGMAX: the integers a JSON number carries exactly. */
const BIG = Number.MAX_SAFE_INTEGER;

/** The `ADE_ApplyAnimateDiffModelWithPIA` node. */
export function applyAnimateDiffModelWithPiaNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_ApplyAnimateDiffModelWithPIA',
    displayName: 'Apply AnimateDiff-PIA Model 🎭🅐🅓②',
    category: ADE_CATEGORY.pia,
    description:
      'Applies a PIA motion model with the image to animate: it is resized to the latent, VAE-encoded and given to every frame with its ' +
      'affinity (pia_input; default 1.0 for every frame). Use beta_schedule autoselect or sqrt_linear.',
    inputs: {
      required: {
        motion_model: { type: 'MOTION_MODEL_ADE' },
        image: { type: 'IMAGE' },
        vae: { type: 'VAE' },
        start_percent: { ...PERCENT, default: 0.0 },
        end_percent: { ...PERCENT, default: 1.0 },
      },
      optional: {
        pia_input: { type: 'PIA_INPUT' },
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
      const { info, file } = inputs.motion_model;
      if (info.format !== 'PIA') {
        throw new PipelineError('bad-option', `motion model "${file.name}" is not a PIA model (no PIA conv_in); cannot be used with Apply AnimateDiff-PIA Model`, {}, 'motion_model');
      }
      const entry: AppliedMotionModel = {
        model: inputs.motion_model,
        loras: inputs.motion_lora ?? [],
        ...(inputs.scale_multival ? { scale: inputs.scale_multival } : {}),
        ...(inputs.effect_multival ? { effect: inputs.effect_multival } : {}),
        startPercent: inputs.start_percent,
        endPercent: inputs.end_percent,
        pia: { image: inputs.image, vae: inputs.vae, input: inputs.pia_input ?? { kind: 'multival', value: 1 } },
      };
      return { outputs: [appliedMotionModels(entry, inputs.prev_m_models)] };
    },
  });
}

/** The `ADE_InputPIA_PaperPresets` node. */
export function inputPiaPaperPresetsNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_InputPIA_PaperPresets',
    displayName: 'PIA Input [Paper Presets] 🎭🅐🅓②',
    category: ADE_CATEGORY.pia,
    description: "PIA's paper presets: affinity values laid out around the frame batch_index (negative counts from the end); loop presets return to the start.",
    inputs: {
      required: {
        preset: { type: 'COMBO', options: PIA_PAPER_PRESET_NAMES },
        batch_index: { type: 'INT', default: 0, min: -BIG, max: BIG, step: 1 },
      },
      optional: {
        mult_multival: { type: 'MULTIVAL' },
        print_values: { type: 'BOOLEAN', default: false },
      },
    },
    outputs: [{ type: 'PIA_INPUT' }],
    run(inputs, ctx) {
      const preset = inputs.preset as PiaPaperPreset;
      if (inputs.print_values) ctx.text(`PIA Preset '${preset}': [${PIA_PAPER_PRESETS[preset].join(', ')}]`);
      return { outputs: [{ kind: 'paper-preset', preset, index: inputs.batch_index, mult: scalarMultival(inputs.mult_multival, 'mult_multival') }] };
    },
  });
}

/** The `ADE_InputPIA_Multival` node. */
export function inputPiaMultivalNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_InputPIA_Multival',
    displayName: 'PIA Input [Multival] 🎭🅐🅓②',
    category: ADE_CATEGORY.pia,
    description: 'One affinity value for every frame (1.0: as close to the image as PIA allows).',
    inputs: {
      required: {
        multival: { type: 'MULTIVAL' },
      },
    },
    outputs: [{ type: 'PIA_INPUT' }],
    run({ multival }) {
      return { outputs: [{ kind: 'multival', value: scalarMultival(multival, 'multival') }] };
    },
  });
}
