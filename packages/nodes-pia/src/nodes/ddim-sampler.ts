/**
 * DDIM Sampler (PIA): MODEL + prompts + PIA_CONDITION → LATENT `[1, 4, F, h, w]`, pia-model.md §1.2 steps 3, 7, 8,
 * with a progress event per step, an optional latent preview, and interruption between steps.
 */
import { defineNode } from '@piagraph/graph-core';
import { MAX_AFFINITY_FRAMES } from '../affinity/index.js';
import { framesFirst } from '../pipeline/decode.js';
import { PipelineError } from '../pipeline/errors.js';
import { latentPreview } from '../pipeline/preview.js';
import { NOISE_GENERATORS, sampleVideo } from '../pipeline/sampler.js';
import type { PackContext } from './pack-context.js';

/**
 * The widget's seed range: 0 … 2^53 − 1, the integers a JSON number (and so a prompt) carries exactly. The noise
 * generator itself takes 64-bit seeds; larger seeds from PIA's configs are reduced (see examples/README.md).
 */
export const MAX_WIDGET_SEED = Number.MAX_SAFE_INTEGER;

/** The `PIADDIMSampler` node. */
export function ddimSamplerNode(pack: PackContext) {
  return defineNode({
    classType: 'PIADDIMSampler',
    displayName: 'DDIM Sampler (PIA)',
    category: 'pia/sampling',
    description:
      "Denoises a video latent with PIA's DDIM (linear betas, leading spacing, eta 0 by default) and classifier-free " +
      'guidance (negative prompt first). PIA uses 25 steps, cfg 7.5.',
    inputs: {
      required: {
        model: { type: 'MODEL' },
        positive: { type: 'CONDITIONING' },
        negative: { type: 'CONDITIONING' },
        pia_condition: { type: 'PIA_CONDITION' },
        seed: { type: 'INT', default: 0, min: 0, max: MAX_WIDGET_SEED, control_after_generate: true, tooltip: 'Noise seed, 0 … 2^53 − 1.' },
        steps: { type: 'INT', default: 25, min: 1, max: 1000 },
        cfg: { type: 'FLOAT', default: 7.5, min: 0, max: 30, step: 0.1, round: 0.01, tooltip: 'Guidance scale; at most 1 skips the negative prompt.' },
        frames: { type: 'INT', default: 0, min: 0, max: MAX_AFFINITY_FRAMES, tooltip: '0: as many as the affinity schedule has; otherwise it must match it.' },
        eta: { type: 'FLOAT', default: 0, min: 0, max: 1, step: 0.01, tooltip: 'DDIM eta (PIA: 0, deterministic).' },
        denoise: { type: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01, tooltip: 'Strength: below 1 starts from the noised condition image.' },
      },
      optional: {
        preview: { type: 'BOOLEAN', default: true, tooltip: 'Send a latent preview of every step.' },
        context_options: {
          type: 'CONTEXT_OPTIONS',
          tooltip: 'Sample in overlapping windows of frames (AnimateDiff-Evolved context options): needed past 32 frames.',
        },
        noise: {
          type: 'COMBO',
          options: NOISE_GENERATORS,
          default: 'torch_cpu',
          tooltip: "torch_cpu: PyTorch's CPU generator, the same start as PIA's and diffusers' pipelines for a seed; philox: piagraph's counter-based stream.",
        },
      },
    },
    outputs: [{ type: 'LATENT' }],
    async run(inputs, ctx) {
      const condition = inputs.pia_condition;
      const frames = condition.mask.length;
      if (inputs.frames !== 0 && inputs.frames !== frames) {
        throw new PipelineError(
          'frame-mismatch',
          `frames is ${inputs.frames} but the affinity schedule has ${frames}; set frames to 0 or to ${frames}`,
          { frames: inputs.frames, schedule: frames },
          'frames',
        );
      }
      const [, , h, w] = condition.latentDims;
      const [, length, width] = inputs.positive.dims;
      if (!inputs.model.pia) {
        throw new PipelineError('bad-option', 'this MODEL has no PIA modules: load it with Load Checkpoint (PIA), or use KSampler for images', {}, 'model');
      }
      const unet = await pack.store.unet(inputs.model);
      const samples = await sampleVideo({
        unet,
        positive: inputs.positive.data,
        negative: inputs.negative.data,
        textDims: [length, width],
        conditionLatent: condition.latent,
        mask: condition.mask,
        height: h,
        width: w,
        seed: inputs.seed,
        noise: inputs.noise ?? 'torch_cpu',
        ...(inputs.context_options ? { context: inputs.context_options } : {}),
        steps: inputs.steps,
        cfg: inputs.cfg,
        eta: inputs.eta,
        strength: inputs.denoise,
        signal: ctx.signal,
        onStep: async (step) => {
          const preview = inputs.preview === false ? undefined : await latentPreview(step.denoised, step.shape);
          ctx.progress(step.step, step.total, preview ? { format: preview.format, data: preview.data } : undefined);
        },
      });
      const channels = inputs.model.config.unet.latentChannels;
      // ComfyUI's layout: the frames are the batch.
      const batch = framesFirst(samples, channels, frames, h * w);
      return { outputs: [{ samples: batch, dims: [frames, channels, h, w] }], sizeBytes: batch.byteLength };
    },
  });
}
