/**
 * ComfyUI's discrete-time model sampling (`ModelSamplingDiscrete` with `EPS` prediction, SD 1.5's): the
 * 1000 training sigmas and the maps between sigma and timestep, with the float32/float64 split ComfyUI has.
 * Betas are built in float64; `sigmas` and `logSigmas` are stored in float32, the log taken in float64 before
 * the cast; `timestep()` and `sigma()` compute in float32.
 */
import { KSamplerError, unknownName } from './errors.js';
import { f, fexp, flog, fsqrt } from './f32.js';
import { torchLinspace } from './torch-linspace.js';

/** ComfyUI's `make_beta_schedule` names (its "linear" is the square of a linspace of square roots). */
export const BETA_SCHEDULE_NAMES = ['linear', 'sqrt_linear', 'sqrt', 'cosine', 'squaredcos_cap_v2'] as const;
export type BetaScheduleName = (typeof BETA_SCHEDULE_NAMES)[number];

/** How a model's betas are made (ComfyUI `sampling_settings`); SD 1.5's defaults when omitted. */
export interface BetaScheduleOptions {
  betaSchedule?: BetaScheduleName;
  linearStart?: number;
  linearEnd?: number;
  timesteps?: number;
  cosineS?: number;
  /** Rescale to zero terminal SNR (ComfyUI's `zsnr`). */
  zsnr?: boolean;
}

/** `make_beta_schedule(schedule, n, linear_start, linear_end, cosine_s)` in float64. */
export function makeBetaSchedule(
  schedule: BetaScheduleName,
  timesteps: number,
  linearStart = 1e-4,
  linearEnd = 2e-2,
  cosineS = 8e-3,
): Float64Array {
  if (!Number.isInteger(timesteps) || timesteps < 2) {
    throw new KSamplerError('invalid_betas', `a beta schedule needs an integer number of timesteps >= 2, got ${timesteps}`, { timesteps });
  }
  switch (schedule) {
    case 'linear':
      return torchLinspace(Math.sqrt(linearStart), Math.sqrt(linearEnd), timesteps, 'float64').map((b) => b * b);
    case 'sqrt_linear':
      return torchLinspace(linearStart, linearEnd, timesteps, 'float64');
    case 'sqrt':
      return torchLinspace(linearStart, linearEnd, timesteps, 'float64').map(Math.sqrt);
    case 'cosine': {
      const alphas = Float64Array.from({ length: timesteps + 1 }, (_, i) => {
        const t = i / timesteps + cosineS;
        return Math.cos(((t / (1 + cosineS)) * Math.PI) / 2) ** 2;
      });
      return Float64Array.from({ length: timesteps }, (_, i) =>
        Math.min(Math.max(1 - alphas[i + 1]! / alphas[0]! / (alphas[i]! / alphas[0]!), 0), 0.999),
      );
    }
    case 'squaredcos_cap_v2': {
      const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
      return Float64Array.from({ length: timesteps }, (_, i) =>
        Math.min(1 - alphaBar((i + 1) / timesteps) / alphaBar(i / timesteps), 0.999),
      );
    }
  }
  throw unknownName('unknown_beta_schedule', String(schedule), 'beta schedule', BETA_SCHEDULE_NAMES);
}

/** σ_t = sqrt((1 - ᾱ_t) / ᾱ_t) from the betas, in float64 (ᾱ a sequential cumulative product). */
export function sigmasFromBetas(betas: ArrayLike<number>): Float64Array {
  const sigmas = new Float64Array(betas.length);
  let cumprod = 1;
  for (let i = 0; i < betas.length; i++) {
    const beta = betas[i]!;
    if (!(beta > 0 && beta < 1)) {
      throw new KSamplerError('invalid_betas', `beta ${i} is ${beta}; betas must lie in (0, 1)`, { index: i, beta });
    }
    cumprod *= 1 - beta;
    sigmas[i] = Math.sqrt((1 - cumprod) / cumprod);
  }
  return sigmas;
}

/** ComfyUI's `rescale_zero_terminal_snr_sigmas` (float64). */
export function rescaleZeroTerminalSnrSigmas(sigmas: ArrayLike<number>): Float64Array {
  const n = sigmas.length;
  const sqrtAbar = Float64Array.from({ length: n }, (_, i) => Math.sqrt(1 / (sigmas[i]! * sigmas[i]! + 1)));
  const first = sqrtAbar[0]!;
  const last = sqrtAbar[n - 1]!;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const shifted = ((sqrtAbar[i]! - last) * first) / (first - last);
    const abar = i === n - 1 ? 4.8973451890853435e-8 : shifted * shifted;
    out[i] = Math.sqrt((1 - abar) / abar);
  }
  return out;
}

/** The noise schedule a KSampler works on: training sigmas, sigma ⇄ timestep, and EPS input/output scaling. */
export class ModelSamplingDiscrete {
  /** The training sigmas, ascending, float32 values. */
  readonly sigmas: Float32Array;
  /** log σ taken in float64, stored as float32. */
  readonly logSigmas: Float32Array;
  readonly sigmaData = 1;

  /** From float64 sigmas (what `set_sigmas` receives); see {@link fromBetas} and {@link fromSchedule}. */
  constructor(sigmas64: ArrayLike<number>) {
    if (sigmas64.length < 2) {
      throw new KSamplerError('invalid_sigmas', `model sampling needs at least 2 sigmas, got ${sigmas64.length}`);
    }
    this.sigmas = Float32Array.from(sigmas64 as ArrayLike<number>);
    this.logSigmas = Float32Array.from(sigmas64 as ArrayLike<number>, (s) => Math.log(s));
  }

  /** From given float64 betas (ComfyUI's `given_betas`). */
  static fromBetas(betas: ArrayLike<number>, zsnr = false): ModelSamplingDiscrete {
    const sigmas = sigmasFromBetas(betas);
    return new ModelSamplingDiscrete(zsnr ? rescaleZeroTerminalSnrSigmas(sigmas) : sigmas);
  }

  /** From `make_beta_schedule` settings; no options = SD 1.5 (linear, 0.00085 → 0.012, 1000 steps). */
  static fromSchedule(options: BetaScheduleOptions = {}): ModelSamplingDiscrete {
    const betas = makeBetaSchedule(
      options.betaSchedule ?? 'linear',
      options.timesteps ?? 1000,
      options.linearStart ?? 0.00085,
      options.linearEnd ?? 0.012,
      options.cosineS ?? 8e-3,
    );
    return ModelSamplingDiscrete.fromBetas(betas, options.zsnr ?? false);
  }

  get numTimesteps(): number {
    return this.sigmas.length;
  }

  get sigmaMin(): number {
    return this.sigmas[0]!;
  }

  get sigmaMax(): number {
    return this.sigmas[this.sigmas.length - 1]!;
  }

  /** The index of the nearest log σ (first on ties), as `timestep(sigma)` returns it. */
  timestep(sigma: number): number {
    return this.nearestIndex(sigma);
  }

  /** The index into {@link sigmas} whose log σ is nearest to log `sigma` (float32 distances, first on ties). */
  protected nearestIndex(sigma: number): number {
    const logSigma = flog(sigma);
    let best = 0;
    let bestDist = Infinity;
    for (let k = 0; k < this.logSigmas.length; k++) {
      const dist = Math.abs(f(logSigma - this.logSigmas[k]!));
      if (dist < bestDist) {
        bestDist = dist;
        best = k;
      }
    }
    return best;
  }

  /** σ at a (fractional) timestep: log-linear interpolation, t clamped to [0, n - 1], all float32. */
  sigma(timestep: number): number {
    return this.interpolate(f(timestep));
  }

  /** exp of the log σ table interpolated at fractional index `t` (clamped), in float32. */
  protected interpolate(index: number): number {
    const t = Math.min(Math.max(index, 0), this.sigmas.length - 1);
    const lo = Math.floor(t);
    const hi = Math.ceil(t);
    const w = f(t - Math.trunc(t));
    const logSigma = f(f(f(1 - w) * this.logSigmas[lo]!) + f(w * this.logSigmas[hi]!));
    return fexp(logSigma);
  }

  /** ComfyUI's `percent_to_sigma`: 0 → 999999999.9, 1 → 0, else σ((1 - p)·999) with t in float32. */
  percentToSigma(percent: number): number {
    if (percent <= 0) return 999999999.9;
    if (percent >= 1) return 0;
    return this.sigma(f((1 - percent) * 999)); // 999 whatever the table length, as ComfyUI writes it
  }

  /** EPS `calculate_input`: the U-Net sees x / sqrt(σ² + σ_data²). */
  calculateInput(sigma: number, x: Float32Array, out: Float32Array = new Float32Array(x.length)): Float32Array {
    const scale = fsqrt(f(f(sigma * sigma) + this.sigmaData * this.sigmaData));
    for (let i = 0; i < x.length; i++) out[i] = x[i]! / scale;
    return out;
  }

  /** EPS `calculate_denoised`: x - ε·σ. */
  calculateDenoised(
    sigma: number,
    eps: Float32Array,
    x: Float32Array,
    out: Float32Array = new Float32Array(x.length),
  ): Float32Array {
    if (eps.length !== x.length) {
      throw new KSamplerError('length_mismatch', `model output has ${eps.length} values but x has ${x.length}`);
    }
    for (let i = 0; i < x.length; i++) out[i] = x[i]! - f(eps[i]! * sigma);
    return out;
  }

  /**
   * EPS `noise_scaling`: the first x of a run. With `maxDenoise` (a full-strength start) the noise is scaled
   * by sqrt(1 + σ²), else by σ; the processed input latent is added.
   */
  noiseScaling(sigma: number, noise: Float32Array, latent: Float32Array | null, maxDenoise: boolean): Float32Array {
    if (latent && latent.length !== noise.length) {
      throw new KSamplerError('length_mismatch', `noise has ${noise.length} values but the latent has ${latent.length}`);
    }
    const scale = maxDenoise ? fsqrt(f(1 + f(sigma * sigma))) : f(sigma);
    const out = new Float32Array(noise.length);
    for (let i = 0; i < noise.length; i++) out[i] = f(noise[i]! * scale) + (latent ? latent[i]! : 0);
    return out;
  }

  /** ComfyUI's `Sampler.max_denoise`: σ₀ within 1e-5 relative of σ_max, or above it. */
  isMaxDenoise(firstSigma: number): boolean {
    const max = this.sigmaMax;
    return Math.abs(max - firstSigma) <= 1e-5 * Math.max(Math.abs(max), Math.abs(firstSigma)) || firstSigma > max;
  }
}

/**
 * ComfyUI's LCM sampling (`ModelSamplingDiscrete` node, sampling "lcm": `ModelSamplingDiscreteDistilled` with
 * the `LCM` prediction): only `originalTimesteps` of the training schedule's timesteps (50 → 19, 39, … 999;
 * AnimateDiff-Evolved's `lcm[100_ots]` takes 100 → 9, 19, … 999), and a denoised output blended with the input by
 * LCM's boundary conditions (σ_data 0.5, timestep scaling 10).
 */
export class ModelSamplingDiscreteDistilled extends ModelSamplingDiscrete {
  static readonly ORIGINAL_TIMESTEPS = 50;
  /** Training timesteps per distilled one (1000 / 50 = 20). */
  readonly skipSteps: number;
  readonly originalTimesteps: number;

  /**
   * The distilled sampling of `base`; `replacedSigmas` (float64, `originalTimesteps` of them) then replace the picked
   * sigmas as ComfyUI's `set_sigmas` does (ADE's averaged LCM schedule), the timestep mapping kept.
   */
  constructor(base: ModelSamplingDiscrete, originalTimesteps = ModelSamplingDiscreteDistilled.ORIGINAL_TIMESTEPS, replacedSigmas?: ArrayLike<number>) {
    const n = base.sigmas.length;
    const count = originalTimesteps;
    const skip = Math.floor(n / count);
    if (!Number.isInteger(count) || count < 2 || skip < 1) {
      throw new KSamplerError('invalid_sigmas', `distilled sampling needs 2 to ${n} original timesteps, got ${count}`, { originalTimesteps: count });
    }
    if (replacedSigmas && replacedSigmas.length !== count) {
      throw new KSamplerError('length_mismatch', `${replacedSigmas.length} replacement sigmas for ${count} distilled timesteps`);
    }
    // ComfyUI re-takes the log of these float32 sigmas in float32; the base constructor's float64 log of a
    // float32 value rounded to float32 is that same number.
    super(replacedSigmas ?? Array.from({ length: count }, (_, k) => base.sigmas[n - 1 - (count - 1 - k) * skip]!));
    this.skipSteps = skip;
    this.originalTimesteps = count;
  }

  /** The training timestep of the nearest distilled sigma: index·20 + 19. */
  override timestep(sigma: number): number {
    return this.nearestIndex(sigma) * this.skipSteps + (this.skipSteps - 1);
  }

  override sigma(timestep: number): number {
    return this.interpolate(f(f(f(timestep) - (this.skipSteps - 1)) / this.skipSteps));
  }

  /** LCM's `calculate_denoised`: c_out·(x - ε·σ) + c_skip·x with t' = 10·timestep, σ_data = 0.5. */
  override calculateDenoised(
    sigma: number,
    eps: Float32Array,
    x: Float32Array,
    out: Float32Array = new Float32Array(x.length),
  ): Float32Array {
    super.calculateDenoised(sigma, eps, x, out);
    const scaled = f(this.timestep(sigma) * 10);
    const sigmaData2 = 0.25;
    const cSkip = f(sigmaData2 / f(f(scaled * scaled) + sigmaData2));
    const cOut = f(scaled / fsqrt(f(f(scaled * scaled) + sigmaData2)));
    for (let i = 0; i < x.length; i++) out[i] = f(cOut * out[i]!) + f(cSkip * x[i]!);
    return out;
  }
}

/** SD 1.5's model sampling (ComfyUI defaults). */
export function sd15ModelSampling(): ModelSamplingDiscrete {
  return ModelSamplingDiscrete.fromSchedule();
}
