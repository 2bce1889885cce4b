/**
 * Which sigmas a KSampler / KSamplerAdvanced run samples (ComfyUI's `KSampler.set_steps` and the cuts in
 * `KSampler.sample`).
 */
import { KSamplerError, unknownName } from './errors.js';
import type { ModelSamplingDiscrete } from './model-sampling.js';
import { DISCARD_PENULTIMATE_SIGMA_SAMPLERS, SAMPLER_NAMES, isSamplerName } from './sampler-names.js';
import { computeSigmas } from './schedulers.js';

export interface KSamplerSigmasOptions {
  modelSampling: ModelSamplingDiscrete;
  scheduler: string;
  sampler: string;
  steps: number;
  /** 1 = full run; 0 < d < 1 keeps the last steps + 1 of int(steps / d); <= 0 gives no sigmas. */
  denoise?: number;
}

/** `calculate_sigmas` plus the penultimate-sigma discard for dpm_2, dpm_2_ancestral, uni_pc, uni_pc_bh2. */
function samplerSigmas(options: KSamplerSigmasOptions, steps: number): Float32Array {
  const discard = DISCARD_PENULTIMATE_SIGMA_SAMPLERS.has(options.sampler);
  const sigmas = computeSigmas(options.modelSampling, options.scheduler, discard ? steps + 1 : steps);
  if (!discard) return sigmas;
  const out = new Float32Array(sigmas.length - 1);
  out.set(sigmas.subarray(0, sigmas.length - 2));
  out[out.length - 1] = sigmas[sigmas.length - 1]!;
  return out;
}

/** `KSampler(model, steps, sampler, scheduler, denoise).sigmas`. */
export function ksamplerSigmas(options: KSamplerSigmasOptions): Float32Array {
  const { steps } = options;
  if (!isSamplerName(options.sampler)) throw unknownName('unknown_sampler', options.sampler, 'sampler', SAMPLER_NAMES);
  if (!Number.isInteger(steps) || steps < 1 || steps > 10000) {
    throw new KSamplerError('invalid_steps', `steps must be an integer from 1 to 10000, got ${steps}`, { steps });
  }
  const denoise = options.denoise ?? 1;
  if (!Number.isFinite(denoise) || denoise > 1) {
    throw new KSamplerError('invalid_denoise', `denoise must be a number <= 1, got ${denoise}`, { denoise });
  }
  if (denoise > 0.9999) return samplerSigmas(options, steps);
  if (denoise <= 0) return new Float32Array(0);
  const sigmas = samplerSigmas(options, Math.trunc(steps / denoise));
  return sigmas.slice(Math.max(sigmas.length - (steps + 1), 0));
}

export interface StepRange {
  /** KSamplerAdvanced `start_at_step` (omit for KSampler). */
  startStep?: number;
  /** KSamplerAdvanced `end_at_step` (omit for KSampler). */
  lastStep?: number;
  /** KSamplerAdvanced `return_with_leftover_noise == "disable"`: the cut list ends at σ = 0. */
  forceFullDenoise?: boolean;
}

/**
 * The cuts of `KSampler.sample`: keep up to `lastStep` (its σ set to 0 with `forceFullDenoise`), then from
 * `startStep`. Returns null when `startStep` leaves nothing to sample (ComfyUI returns the input latent).
 */
export function cutSigmas(sigmas: Float32Array, range: StepRange): Float32Array | null {
  let out = sigmas;
  const { startStep, lastStep } = range;
  for (const [name, value] of [['startStep', startStep], ['lastStep', lastStep]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new KSamplerError('invalid_steps', `${name} must be a non-negative integer, got ${value}`, { [name]: value });
    }
  }
  if (lastStep !== undefined && lastStep < out.length - 1) {
    out = out.slice(0, lastStep + 1);
    if (range.forceFullDenoise) out[out.length - 1] = 0;
  }
  if (startStep !== undefined) {
    if (startStep < out.length - 1) out = out.slice(startStep);
    else return null;
  }
  return out;
}
