/**
 * DDIM (Song et al. 2020) as diffusers' `DDIMScheduler` computes it, configured by default exactly as PIA's
 * `example/config/base.yaml`: linear betas 0.00085→0.012 over 1000 steps, leading spacing, offset 1,
 * `set_alpha_to_one`, epsilon prediction, no sample clipping, eta 0.
 */
import { SchedulerError } from './errors.js';
import { alphasCumprod, betasFor } from './noise-schedule.js';
import type {
  NoiseScheduleConfig,
  NoiseSource,
  PredictionType,
  Scheduler,
  StepOptions,
  TimestepSpacing,
} from './types.js';

/** diffusers' `DDIMScheduler` options that PIA's pipeline can reach. */
export interface DdimConfig extends NoiseScheduleConfig {
  stepsOffset: number;
  /** The "previous" ᾱ of the last step: 1 when true, else ᾱ_0. */
  setAlphaToOne: boolean;
  timestepSpacing: TimestepSpacing;
  predictionType: PredictionType;
  clipSample: boolean;
  clipSampleRange: number;
}

/** PIA's DDIM configuration (pia-model.md §4). */
export const PIA_DDIM_CONFIG: Readonly<DdimConfig> = Object.freeze({
  numTrainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'linear',
  stepsOffset: 1,
  setAlphaToOne: true,
  timestepSpacing: 'leading',
  predictionType: 'epsilon',
  clipSample: false,
  clipSampleRange: 1,
});

/** numpy's `round`: halves go to the even neighbour, which `Math.round` does not do. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function checkSteps(numInferenceSteps: number, numTrainTimesteps: number): void {
  if (!Number.isInteger(numInferenceSteps) || numInferenceSteps < 1 || numInferenceSteps > numTrainTimesteps) {
    throw new SchedulerError(
      'invalid_steps',
      `number of inference steps must be an integer from 1 to ${numTrainTimesteps}, got ${numInferenceSteps}`,
      { numInferenceSteps },
    );
  }
}

/** diffusers `DDIMScheduler.set_timesteps` for each `timestep_spacing`, largest first. */
export function ddimTimesteps(config: DdimConfig, numInferenceSteps: number): number[] {
  const train = config.numTrainTimesteps;
  checkSteps(numInferenceSteps, train);
  const n = numInferenceSteps;
  const idx = Array.from({ length: n }, (_, i) => i);
  switch (config.timestepSpacing) {
    case 'leading': {
      const ratio = Math.floor(train / n);
      return idx.map((i) => (n - 1 - i) * ratio + config.stepsOffset);
    }
    case 'trailing': {
      const ratio = train / n;
      return idx.map((i) => roundHalfEven(train - i * ratio) - 1);
    }
    case 'linspace': {
      const step = n > 1 ? (train - 1) / (n - 1) : 0;
      return idx.map((i) => roundHalfEven((n - 1 - i) * step));
    }
  }
  throw new SchedulerError('invalid_config', `unknown timestepSpacing "${String(config.timestepSpacing)}"`);
}

/**
 * diffusers img2img `get_timesteps`: `init = min(int(steps·strength), steps)`, start at `steps - init`,
 * so strength 1 runs every step and strength 0 none.
 */
export function timestepsForStrength(allTimesteps: readonly number[], strength: number): number[] {
  if (!(strength >= 0 && strength <= 1)) {
    throw new SchedulerError('invalid_strength', `strength must be in [0, 1], got ${strength}`, { strength });
  }
  const steps = allTimesteps.length;
  const init = Math.min(Math.floor(steps * strength), steps);
  return allTimesteps.slice(Math.max(steps - init, 0));
}

/** DDIM's σ_t² for eta 1 (eq. 16): (1-ᾱ_prev)/(1-ᾱ_t) · (1 - ᾱ_t/ᾱ_prev). */
export function ddimVariance(alphaProdT: number, alphaProdPrev: number): number {
  return ((1 - alphaProdPrev) / (1 - alphaProdT)) * (1 - alphaProdT / alphaProdPrev);
}

function drawNoise(source: NoiseSource | undefined, length: number): Float32Array {
  if (!source) {
    throw new SchedulerError('missing_noise', 'eta > 0 needs a noise source (options.noise)');
  }
  const noise = typeof source === 'function' ? source(length) : source;
  if (noise.length !== length) {
    throw new SchedulerError(
      'length_mismatch',
      `noise has ${noise.length} values but the sample has ${length}`,
      { noise: noise.length, sample: length },
    );
  }
  return noise;
}

function checkSameLength(a: Float32Array, aName: string, b: Float32Array, bName: string): void {
  if (a.length !== b.length) {
    throw new SchedulerError(
      'length_mismatch',
      `${aName} has ${a.length} values but ${bName} has ${b.length}`,
      { [aName]: a.length, [bName]: b.length },
    );
  }
}

/** DDIM over flat float32 latents; immutable apart from the step count remembered by `setTimesteps`. */
export class DdimScheduler implements Scheduler {
  /** {@link PIA_DDIM_CONFIG} with the constructor's overrides. */
  readonly config: Readonly<DdimConfig>;
  /** β_t for every training step, float32. */
  readonly betas: Float32Array;
  /** ᾱ_t for every training step, float32. */
  readonly alphasCumprod: Float32Array;
  /** ᾱ "before" step 0, used by the last denoising step. */
  readonly finalAlphaCumprod: number;
  readonly initNoiseSigma = 1;
  private numInferenceSteps: number | undefined;

  constructor(config: Partial<DdimConfig> = {}) {
    this.config = Object.freeze({ ...PIA_DDIM_CONFIG, ...config });
    this.betas = betasFor(this.config);
    this.alphasCumprod = alphasCumprod(this.betas);
    this.finalAlphaCumprod = this.config.setAlphaToOne ? 1 : this.alphasCumprod[0]!;
  }

  timesteps(numInferenceSteps: number): number[] {
    return ddimTimesteps(this.config, numInferenceSteps);
  }

  setTimesteps(numInferenceSteps: number): number[] {
    const timesteps = this.timesteps(numInferenceSteps);
    this.numInferenceSteps = numInferenceSteps;
    return timesteps;
  }

  timestepsForStrength(numInferenceSteps: number, strength: number): number[] {
    return timestepsForStrength(this.timesteps(numInferenceSteps), strength);
  }

  scaleModelInput(sample: Float32Array, _timestep: number): Float32Array {
    return sample;
  }

  /** ᾱ at timestep `t`, validated as an integer training step. */
  alphaAt(timestep: number): number {
    if (!Number.isInteger(timestep) || timestep < 0 || timestep >= this.config.numTrainTimesteps) {
      throw new SchedulerError(
        'invalid_timestep',
        `timestep must be an integer from 0 to ${this.config.numTrainTimesteps - 1}, got ${timestep}`,
        { timestep },
      );
    }
    return this.alphasCumprod[timestep]!;
  }

  /**
   * The scalars of one step, `x_prev = sqrtAPrev·x0 + dirCoef·ε + std·noise` with `x0 = (x − sqrtBT·ε) / sqrtAT`
   * (ε-prediction), in double precision: {@link step} uses them, and the device-resident sampler feeds them to its
   * step graph so both compute the same numbers.
   */
  stepCoefficients(timestep: number, eta = 0): { sqrtAT: number; sqrtBT: number; sqrtAPrev: number; dirCoef: number; std: number } {
    const steps = this.numInferenceSteps;
    if (steps === undefined) {
      throw new SchedulerError('timesteps_not_set', 'call setTimesteps(numInferenceSteps) before step()');
    }
    if (!(eta >= 0)) throw new SchedulerError('invalid_eta', `eta must be >= 0, got ${eta}`, { eta });
    const prevTimestep = timestep - Math.floor(this.config.numTrainTimesteps / steps);
    const aT = this.alphaAt(timestep);
    const aPrev = prevTimestep >= 0 ? this.alphasCumprod[prevTimestep]! : this.finalAlphaCumprod;
    const std = eta > 0 ? eta * Math.sqrt(ddimVariance(aT, aPrev)) : 0;
    return { sqrtAT: Math.sqrt(aT), sqrtBT: Math.sqrt(1 - aT), sqrtAPrev: Math.sqrt(aPrev), dirCoef: Math.sqrt(Math.max(1 - aPrev - std * std, 0)), std };
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options: StepOptions = {}): Float32Array {
    checkSameLength(modelOutput, 'modelOutput', sample, 'sample');
    const eta = options.eta ?? 0;
    const { sqrtAT, sqrtBT, sqrtAPrev, dirCoef, std } = this.stepCoefficients(timestep, eta);
    const noise = eta > 0 ? drawNoise(options.noise, sample.length) : undefined;
    const isV = this.config.predictionType === 'v_prediction';
    const clip = this.config.clipSample ? this.config.clipSampleRange : Infinity;

    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i]!;
      const m = modelOutput[i]!;
      let x0 = isV ? sqrtAT * x - sqrtBT * m : (x - sqrtBT * m) / sqrtAT;
      const eps = isV ? sqrtAT * m + sqrtBT * x : m;
      if (x0 > clip) x0 = clip;
      else if (x0 < -clip) x0 = -clip;
      out[i] = sqrtAPrev * x0 + dirCoef * eps + (noise ? std * noise[i]! : 0);
    }
    return out;
  }

  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
    checkSameLength(original, 'original', noise, 'noise');
    const a = this.alphaAt(timestep);
    const sa = Math.sqrt(a);
    const sb = Math.sqrt(1 - a);
    const out = new Float32Array(original.length);
    for (let i = 0; i < original.length; i++) out[i] = sa * original[i]! + sb * noise[i]!;
    return out;
  }
}
