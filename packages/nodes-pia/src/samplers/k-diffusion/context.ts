/**
 * What every sampler function receives, and the small float32 tensor helpers they share. A sampler mirrors
 * ComfyUI's `sample_*` function: same model calls, same noise calls in the same order, same float32 operation
 * order (each tensor operation rounded to float32), so its output reproduces ComfyUI's to float32 noise.
 */
import type { GuidedPrediction } from '../cfg.js';
import { f, fsqrt } from '../f32.js';
import type { ModelSamplingDiscrete } from '../model-sampling.js';
import type { NoiseSampler } from '../noise.js';

export interface SamplerContext {
  /** The sampler's name (for error messages). */
  readonly name: string;
  /** The sigma schedule, float32 values, descending. */
  readonly sigmas: Float32Array;
  /** The starting latent (noise already scaled by {@link ModelSamplingDiscrete.noiseScaling}). Not modified. */
  readonly x: Float32Array;
  readonly modelSampling: ModelSamplingDiscrete;
  /** One guided model evaluation: the denoised prediction. */
  model(x: Float32Array, sigma: number): Promise<Float32Array>;
  /** One guided model evaluation that also returns the uncond prediction (CFG++). */
  modelWithUncond(x: Float32Array, sigma: number): Promise<GuidedPrediction>;
  /** The ancestral noise stream (ComfyUI's `default_noise_sampler`), created on first use. */
  noise(): NoiseSampler;
  /** The SDE noise (ComfyUI's `BrownianTreeNoiseSampler` over [sigmaMin, sigmaMax]), created on first use. */
  brownianNoise(sigmaMin: number, sigmaMax: number): NoiseSampler;
  /** ComfyUI's per-step callback: step index, denoised prediction, current x. */
  callback(i: number, denoised: Float32Array, x: Float32Array): void;
}

/** A k-diffusion sampler: returns the final x (model space). */
export type SamplerFunction = (ctx: SamplerContext) => Promise<Float32Array>;

/**
 * `get_ancestral_step(sigma_from, sigma_to, eta)` on 0-d float32 tensors: the σ to step down to and the σ of
 * fresh noise to add so that the total is σ_to. eta = 0 gives (σ_to, 0).
 */
export function ancestralStep(sigmaFrom: number, sigmaTo: number, eta = 1): [down: number, up: number] {
  if (!eta) return [sigmaTo, 0];
  const to2 = f(sigmaTo * sigmaTo);
  const from2 = f(sigmaFrom * sigmaFrom);
  const inner = f(f(to2 * f(from2 - to2)) / from2);
  const up = Math.min(sigmaTo, f(f(eta) * fsqrt(inner)));
  const down = fsqrt(f(to2 - f(up * up)));
  return [down, up];
}

/** `to_d`: the ODE derivative (x - denoised) / σ. */
export function toD(x: Float32Array, sigma: number, denoised: Float32Array, out = new Float32Array(x.length)): Float32Array {
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! - denoised[i]!) / sigma;
  return out;
}

/** x + d·c (float32 ops: the product rounded, then the sum). */
export function addScaled(x: Float32Array, d: Float32Array, c: number, out = new Float32Array(x.length)): Float32Array {
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + f(d[i]! * c);
  return out;
}

/** a·x - b·y. */
export function scaledDiff(a: number, x: Float32Array, b: number, y: Float32Array, out = new Float32Array(x.length)): Float32Array {
  for (let i = 0; i < x.length; i++) out[i] = f(a * x[i]!) - f(b * y[i]!);
  return out;
}

/** a·x + b·y. */
export function scaledSum(a: number, x: Float32Array, b: number, y: Float32Array, out = new Float32Array(x.length)): Float32Array {
  for (let i = 0; i < x.length; i++) out[i] = f(a * x[i]!) + f(b * y[i]!);
  return out;
}

/** -log σ on a float32 σ (k-diffusion's `t_fn`, and the half-logSNR of an EPS model). */
export function tOfSigma(sigma: number): number {
  return -f(Math.log(sigma));
}

/** exp(-t) (k-diffusion's `sigma_fn`). */
export function sigmaOfT(t: number): number {
  return f(Math.exp(-t));
}
