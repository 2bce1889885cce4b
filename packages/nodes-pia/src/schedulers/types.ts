/** The contract every sampler-side scheduler meets, so the sampler node can swap DDIM for another later. */

/** How the inference timesteps are spread over the training steps (diffusers `timestep_spacing`). */
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

/** How the betas grow over the training steps (diffusers `beta_schedule`). */
export type BetaSchedule = 'linear' | 'scaled_linear';

/** What the U-Net predicts (diffusers `prediction_type`). */
export type PredictionType = 'epsilon' | 'v_prediction';

/** The noise schedule shared by DDPM-family schedulers, named as in diffusers' configs. */
export interface NoiseScheduleConfig {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
}

/** Where eta > 0 draws its extra noise: a ready buffer, or a function that fills one of the given length. */
export type NoiseSource = Float32Array | ((length: number) => Float32Array);

/** Per-call options of {@link Scheduler.step}. */
export interface StepOptions {
  /** DDIM's stochasticity: 0 is deterministic (PIA), 1 is DDPM-like. */
  eta?: number;
  /** Required when eta > 0. */
  noise?: NoiseSource;
}

/** A denoising scheduler over flat `Float32Array` latents. */
export interface Scheduler {
  /** Scale of the initial noise (1 for DDIM). */
  readonly initNoiseSigma: number;
  /** The timesteps for `numInferenceSteps` steps, largest first. Pure: does not change the scheduler. */
  timesteps(numInferenceSteps: number): number[];
  /** Sets the step count that {@link Scheduler.step} uses and returns its timesteps. */
  setTimesteps(numInferenceSteps: number): number[];
  /** img2img: the tail of `timesteps(steps)` that a partial-noise start runs (diffusers `get_timesteps`). */
  timestepsForStrength(numInferenceSteps: number, strength: number): number[];
  /** Scales the model input for timestep `t` (identity for DDIM). */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  /** One denoising step: from the model output at `t` and `sample` = x_t, returns x_{t-Δ}. */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, options?: StepOptions): Float32Array;
  /** Forward diffusion: x_t = √ᾱ_t·x0 + √(1-ᾱ_t)·noise. */
  addNoise(original: Float32Array, noise: Float32Array, timestep: number): Float32Array;
}
