/**
 * KSampler and KSamplerAdvanced: ComfyUI's sampling nodes on the image U-Net, with its sampler and scheduler names,
 * its sigmas, its CFG and its noise seed for seed (PyTorch's CPU generator). The latent batch is sampled as ComfyUI
 * does (one noise draw of the whole batch; `batch_index` honoured). A MODEL with an AnimateDiff-Evolved motion model
 * samples the batch as the frames of one video (`pipeline/video-sampling.ts`), with the MODEL's beta schedule.
 */
import { defineNode, type RunContext } from '@piagraph/graph-core';
import { PipelineError } from '../../pipeline/errors.js';
import { imageConditionedModel } from '../../pipeline/image-model.js';
import { latentPreview } from '../../pipeline/preview.js';
import { betaScheduleSampling } from '../../motion/beta-schedules.js';
import { motionSampling } from '../../pipeline/video-sampling.js';
import {
  cutSigmas,
  isSamplerName,
  isSchedulerName,
  ksamplerSigmas,
  runKSampler,
  SAMPLER_NAMES,
  SCHEDULER_NAMES,
  sd15ModelSampling,
  type ConditionedModel,
  type StepRange,
} from '../../samplers/index.js';
import type { PackContext } from '../pack-context.js';
import type { ConditioningValue, LatentValue, ModelValue } from '../socket-values.js';

/** The seed widget's range: ComfyUI's 0 … 2^64 − 1 (JSON numbers carry integers exactly up to 2^53). */
const MAX_SEED = 0xffffffffffffffff;

/** What both nodes pass to the sampler. */
interface SamplingRequest {
  readonly model: ModelValue;
  readonly seed: number;
  readonly steps: number;
  readonly cfg: number;
  readonly samplerName: string;
  readonly scheduler: string;
  readonly positive: ConditioningValue;
  readonly negative: ConditioningValue;
  readonly latent: LatentValue;
  readonly denoise?: number;
  readonly addNoise?: boolean;
  readonly range?: StepRange;
}

/** Latent `[B, C, h, w]` → channel-major `[C, B, h, w]`, the layout the preview tiles as frames. */
function channelMajor(latent: Float32Array, b: number, c: number, plane: number): Float32Array {
  const out = new Float32Array(latent.length);
  for (let i = 0; i < b; i++) for (let ch = 0; ch < c; ch++) out.set(latent.subarray((i * c + ch) * plane, (i * c + ch + 1) * plane), (ch * b + i) * plane);
  return out;
}

/** A seed as the torch generator takes it (64-bit): integral, non-negative, exact. */
function seedOf(seed: number, input: string): bigint {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new PipelineError('bad-option', `${input} must be a whole number from 0 to 2^53 − 1 (exact in JSON), got ${seed}`, { seed }, input);
  }
  return BigInt(seed);
}

async function sampleLatent(pack: PackContext, request: SamplingRequest, ctx: RunContext, seedInput: string): Promise<LatentValue> {
  const { model, latent } = request;
  if (model.pia) {
    throw new PipelineError(
      'unsupported',
      "this MODEL carries PIA's modules, which the PIA DDIM Sampler drives (with a PIA condition); connect a Load Checkpoint MODEL here",
      {},
      'model',
    );
  }
  const [b, c, h, w] = latent.dims;
  if (c !== model.config.unet.latentChannels) {
    throw new PipelineError('shape-mismatch', `latent_image has ${c} channels [${latent.dims.join(', ')}]; this model denoises ${model.config.unet.latentChannels}`, {}, 'latent_image');
  }
  const ms = model.betaSchedule ? betaScheduleSampling(model.betaSchedule) : sd15ModelSampling();
  // Steps completed so far: context schedules that move per step (looped uniform) read it.
  let completed = 0;
  let conditioned: ConditionedModel;
  let noise: Float32Array | undefined;
  if (model.motion) {
    const sigmas = cutSigmas(
      ksamplerSigmas({ modelSampling: ms, scheduler: request.scheduler, sampler: request.samplerName, steps: request.steps, denoise: request.denoise }),
      request.range ?? {},
    );
    const progress = { step: () => completed, totalSteps: sigmas ? Math.max(0, sigmas.length - 1) : 0 };
    const prepared = await motionSampling(pack.store, model, latent, request, ms, request.seed, progress);
    conditioned = prepared.model;
    noise = prepared.noise;
  } else {
    conditioned = imageConditionedModel(await pack.store.unet(model), ms, latent.dims, request);
  }
  let previews = Promise.resolve();
  const result = await runKSampler({
    model: conditioned,
    modelSampling: ms,
    seed: seedOf(request.seed, seedInput),
    steps: request.steps,
    cfg: request.cfg,
    samplerName: request.samplerName,
    scheduler: request.scheduler,
    latent: latent.samples,
    shape: latent.dims,
    // LATENT holds the scaled latent already.
    latentScale: 1,
    ...(request.denoise !== undefined ? { denoise: request.denoise } : {}),
    ...(request.addNoise !== undefined ? { addNoise: request.addNoise } : {}),
    ...(request.range ? { range: request.range } : {}),
    ...(latent.batchIndex ? { batchIndex: latent.batchIndex } : {}),
    ...(noise ? { noise } : {}),
    signal: ctx.signal,
    onStep: (i, denoised, _x, total) => {
      completed = i + 1;
      const shape = { channels: c, frames: b, height: h, width: w };
      const grid = channelMajor(denoised, b, c, h * w);
      // Previews are encoded off the sampling path and reported in step order.
      previews = previews.then(async () => {
        const preview = await latentPreview(grid, shape);
        ctx.progress(i + 1, total, { format: preview.format, data: preview.data });
      });
    },
  });
  await previews;
  return { samples: result.samples, dims: latent.dims, ...(latent.batchIndex ? { batchIndex: latent.batchIndex } : {}) };
}

const COMMON_INPUTS = {
  steps: { type: 'INT', default: 20, min: 1, max: 10000, tooltip: 'The number of steps used in the denoising process.' },
  cfg: {
    type: 'FLOAT',
    default: 8.0,
    min: 0.0,
    max: 100.0,
    step: 0.1,
    round: 0.01,
    tooltip: 'The Classifier-Free Guidance scale balances creativity and adherence to the prompt.',
  },
  sampler_name: { type: 'COMBO', options: SAMPLER_NAMES, tooltip: 'The algorithm used when sampling.' },
  scheduler: { type: 'COMBO', options: SCHEDULER_NAMES, tooltip: 'The scheduler controls how noise is gradually removed to form the image.' },
  positive: { type: 'CONDITIONING', tooltip: 'The conditioning describing the attributes you want to include in the image.' },
  negative: { type: 'CONDITIONING', tooltip: 'The conditioning describing the attributes you want to exclude from the image.' },
  latent_image: { type: 'LATENT', tooltip: 'The latent image to denoise.' },
} as const;

/** The fields both nodes read from their inputs under the same names. */
function commonRequest(inputs: {
  model: ModelValue;
  steps: number;
  cfg: number;
  sampler_name: string;
  scheduler: string;
  positive: ConditioningValue;
  negative: ConditioningValue;
  latent_image: LatentValue;
}) {
  return {
    model: inputs.model,
    steps: inputs.steps,
    cfg: inputs.cfg,
    samplerName: inputs.sampler_name,
    scheduler: inputs.scheduler,
    positive: inputs.positive,
    negative: inputs.negative,
    latent: inputs.latent_image,
  };
}

/** Names outside the lists fail validation (a prompt may carry any string), naming the input and the valid names. */
function validateNames(literals: Readonly<Record<string, unknown>>) {
  const errors: { input: string; message: string }[] = [];
  const sampler = literals['sampler_name'];
  if (typeof sampler === 'string' && !isSamplerName(sampler)) errors.push({ input: 'sampler_name', message: `unknown sampler "${sampler}"` });
  const scheduler = literals['scheduler'];
  if (typeof scheduler === 'string' && !isSchedulerName(scheduler)) errors.push({ input: 'scheduler', message: `unknown scheduler "${scheduler}"` });
  return errors;
}

/** The `KSampler` node. */
export function ksamplerNode(pack: PackContext) {
  return defineNode({
    classType: 'KSampler',
    displayName: 'KSampler',
    category: 'sampling',
    description: 'Uses the provided model, positive and negative conditioning to denoise the latent image.',
    inputs: {
      required: {
        model: { type: 'MODEL', tooltip: 'The model used for denoising the input latent.' },
        seed: {
          type: 'INT',
          default: 0,
          min: 0,
          max: MAX_SEED,
          control_after_generate: true,
          tooltip: 'The random seed used for creating the noise.',
        },
        ...COMMON_INPUTS,
        denoise: {
          type: 'FLOAT',
          default: 1.0,
          min: 0.0,
          max: 1.0,
          step: 0.01,
          tooltip: 'The amount of denoising applied, lower values will maintain the structure of the initial image allowing for image to image sampling.',
        },
      },
    },
    outputs: [{ type: 'LATENT', tooltip: 'The denoised latent.' }],
    validate: validateNames,
    async run(inputs, ctx) {
      const samples = await sampleLatent(pack, { ...commonRequest(inputs), seed: inputs.seed, denoise: inputs.denoise }, ctx, 'seed');
      return { outputs: [samples], sizeBytes: samples.samples.byteLength };
    },
  });
}

/** The `KSamplerAdvanced` node. */
export function ksamplerAdvancedNode(pack: PackContext) {
  return defineNode({
    classType: 'KSamplerAdvanced',
    displayName: 'KSampler (Advanced)',
    category: 'sampling',
    description: 'KSampler over a window of the schedule: start/end step, noise on or off, leftover noise kept for a later pass.',
    inputs: {
      required: {
        model: { type: 'MODEL' },
        add_noise: { type: 'COMBO', options: ['enable', 'disable'] },
        noise_seed: { type: 'INT', default: 0, min: 0, max: MAX_SEED, control_after_generate: true },
        ...COMMON_INPUTS,
        start_at_step: { type: 'INT', default: 0, min: 0, max: 10000 },
        end_at_step: { type: 'INT', default: 10000, min: 0, max: 10000 },
        return_with_leftover_noise: { type: 'COMBO', options: ['disable', 'enable'] },
      },
    },
    outputs: [{ type: 'LATENT' }],
    validate: validateNames,
    async run(inputs, ctx) {
      const samples = await sampleLatent(
        pack,
        {
          ...commonRequest(inputs),
          seed: inputs.noise_seed,
          addNoise: inputs.add_noise === 'enable',
          range: { startStep: inputs.start_at_step, lastStep: inputs.end_at_step, forceFullDenoise: inputs.return_with_leftover_noise === 'disable' },
        },
        ctx,
        'noise_seed',
      );
      return { outputs: [samples], sizeBytes: samples.samples.byteLength };
    },
  });
}
