/**
 * Running one of ComfyUI's samplers by name on a prepared sigma list and starting latent.
 */
import type { Seed } from '../random/seed.js';
import { BrownianTreeNoiseSampler } from './brownian-tree.js';
import { freshPredictions, type Denoiser, type GuidedPrediction } from './cfg.js';
import { KSamplerError, unknownName } from './errors.js';
import type { SamplerContext, SamplerFunction } from './k-diffusion/context.js';
import { sampleDpmFast, sampleDpmAdaptive } from './k-diffusion/dpm-solver.js';
import {
  sampleDpmpp2m,
  sampleDpmpp2mSde,
  sampleDpmpp2sAncestral,
  sampleDpmpp3mSde,
  sampleDpmppSde,
} from './k-diffusion/dpmpp.js';
import { sampleDpmpp2mCfgPp, sampleDpmpp2sAncestralCfgPp, sampleEulerAncestralCfgPp } from './k-diffusion/cfg-pp.js';
import {
  sampleDpm2,
  sampleDpm2Ancestral,
  sampleEuler,
  sampleEulerAncestral,
  sampleHeun,
  sampleHeunpp2,
  sampleLms,
} from './k-diffusion/euler-heun.js';
import { sampleDdpm, sampleErSde, sampleLcm, sampleResMultistep } from './k-diffusion/misc.js';
import { sampleDeis, sampleGradientEstimation, sampleIpndm, sampleIpndmV } from './k-diffusion/multistep.js';
import { sampleSaSolver } from './k-diffusion/sa-solver.js';
import { sampleSeeds2, sampleSeeds3 } from './k-diffusion/seeds.js';
import { sampleUniPc } from './k-diffusion/uni-pc.js';
import type { ModelSamplingDiscrete } from './model-sampling.js';
import { defaultNoiseSampler, requireSeed, type NoiseSampler } from './noise.js';
import { SAMPLER_NAMES, isSamplerName, type SamplerName } from './sampler-names.js';

const SAMPLERS: Record<SamplerName, SamplerFunction> = {
  euler: sampleEuler,
  euler_cfg_pp: (c) => sampleEulerAncestralCfgPp(c, 0, 0),
  euler_ancestral: sampleEulerAncestral,
  euler_ancestral_cfg_pp: (c) => sampleEulerAncestralCfgPp(c),
  heun: sampleHeun,
  heunpp2: sampleHeunpp2,
  exp_heun_2_x0: (c) => sampleSeeds2(c, { eta: 0, sNoise: 0, r: 1, solverType: 'phi_2' }),
  exp_heun_2_x0_sde: (c) => sampleSeeds2(c, { eta: 1, sNoise: 1, r: 1, solverType: 'phi_2' }),
  dpm_2: sampleDpm2,
  dpm_2_ancestral: sampleDpm2Ancestral,
  lms: sampleLms,
  dpm_fast: sampleDpmFast,
  dpm_adaptive: sampleDpmAdaptive,
  dpmpp_2s_ancestral: sampleDpmpp2sAncestral,
  dpmpp_2s_ancestral_cfg_pp: sampleDpmpp2sAncestralCfgPp,
  dpmpp_sde: sampleDpmppSde,
  dpmpp_sde_gpu: sampleDpmppSde,
  dpmpp_2m: sampleDpmpp2m,
  dpmpp_2m_cfg_pp: sampleDpmpp2mCfgPp,
  dpmpp_2m_sde: (c) => sampleDpmpp2mSde(c, 'midpoint'),
  dpmpp_2m_sde_gpu: (c) => sampleDpmpp2mSde(c, 'midpoint'),
  dpmpp_2m_sde_heun: (c) => sampleDpmpp2mSde(c, 'heun'),
  dpmpp_2m_sde_heun_gpu: (c) => sampleDpmpp2mSde(c, 'heun'),
  dpmpp_3m_sde: sampleDpmpp3mSde,
  dpmpp_3m_sde_gpu: sampleDpmpp3mSde,
  ddpm: sampleDdpm,
  lcm: sampleLcm,
  ipndm: sampleIpndm,
  ipndm_v: sampleIpndmV,
  deis: sampleDeis,
  res_multistep: (c) => sampleResMultistep(c, 0, false),
  res_multistep_cfg_pp: (c) => sampleResMultistep(c, 0, true),
  res_multistep_ancestral: (c) => sampleResMultistep(c, 1, false),
  res_multistep_ancestral_cfg_pp: (c) => sampleResMultistep(c, 1, true),
  gradient_estimation: (c) => sampleGradientEstimation(c, false),
  gradient_estimation_cfg_pp: (c) => sampleGradientEstimation(c, true),
  er_sde: sampleErSde,
  seeds_2: (c) => sampleSeeds2(c, { eta: 1, sNoise: 1, r: 0.5, solverType: 'phi_1' }),
  seeds_3: sampleSeeds3,
  sa_solver: (c) => sampleSaSolver(c, false),
  sa_solver_pece: (c) => sampleSaSolver(c, true),
  ddim: sampleEuler, // ComfyUI's "ddim" is Euler (its extra noise draw only matters with an inpaint mask)
  uni_pc: (c) => sampleUniPc(c, 'bh1'),
  uni_pc_bh2: (c) => sampleUniPc(c, 'bh2'),
};

/** Called after each sampler step: step index, the guided denoised prediction, the current x, step count. */
export type StepCallback = (i: number, denoised: Float32Array, x: Float32Array, totalSteps: number) => void;

export interface SampleOptions {
  /** The guided model (see {@link cfgDenoiser}). Its outputs are copied, so it may reuse its buffers. */
  denoiser: Denoiser;
  /** The sigma list to sample (e.g. from {@link ksamplerSigmas}), descending. */
  sigmas: ArrayLike<number>;
  /** The starting latent, already noise-scaled (see {@link ModelSamplingDiscrete.noiseScaling}); not modified. */
  x: Float32Array;
  modelSampling: ModelSamplingDiscrete;
  /** The run's seed: ancestral noise uses seed + 1 (ComfyUI on the CPU), SDE noise a Brownian tree of it. */
  seed?: Seed;
  /** Replaces every noise stream the sampler would make (ancestral and SDE alike), e.g. for reference tests. */
  noiseSampler?: NoiseSampler;
  onStep?: StepCallback;
  /** Cancels the run between model evaluations; the promise rejects with a KSamplerError (code `aborted`). */
  signal?: AbortSignal;
}

function checkAborted(signal: AbortSignal | undefined, name: string): void {
  if (signal?.aborted) throw new KSamplerError('aborted', `sampler "${name}" was cancelled`, { sampler: name });
}

function checkSigmas(sigmas: Float32Array): void {
  for (let i = 0; i < sigmas.length; i++) {
    const s = sigmas[i]!;
    if (!(s >= 0) || !Number.isFinite(s)) {
      throw new KSamplerError('invalid_sigmas', `sigma ${i} is ${s}; sigmas must be finite and >= 0`, { index: i, sigma: s });
    }
  }
}

/**
 * Runs sampler `samplerName` over `sigmas` from `x` and resolves to the final latent (model space).
 * Unknown names throw a {@link KSamplerError} listing the valid ones.
 */
export async function sample(samplerName: string, options: SampleOptions): Promise<Float32Array> {
  if (!isSamplerName(samplerName)) throw unknownName('unknown_sampler', samplerName, 'sampler', SAMPLER_NAMES);
  const sigmas = Float32Array.from(options.sigmas);
  checkSigmas(sigmas);
  const { denoiser, signal, onStep } = options;
  const length = options.x.length;
  const name = samplerName;
  /**
   * Samplers keep predictions across steps; a model that hands back one buffer every time would corrupt them,
   * so each output is copied (a memcpy per model call) unless cfgDenoiser made it for this call alone.
   */
  const owned = (out: Float32Array): Float32Array => {
    if (out.length !== length) {
      throw new KSamplerError('length_mismatch', `the denoiser returned ${out.length} values for a latent of ${length}`);
    }
    return freshPredictions.has(out) ? out : out.slice();
  };
  let ancestral: NoiseSampler | null = null;
  const ctx: SamplerContext = {
    name,
    sigmas,
    x: options.x,
    modelSampling: options.modelSampling,
    async model(x, sigma) {
      checkAborted(signal, name);
      return owned(await denoiser(x, sigma));
    },
    async modelWithUncond(x, sigma): Promise<GuidedPrediction> {
      checkAborted(signal, name);
      if (!denoiser.withUncond) {
        throw new KSamplerError('missing_uncond', `sampler "${name}" (CFG++) needs a denoiser with withUncond (see cfgDenoiser)`, {
          sampler: name,
        });
      }
      const { denoised, uncond } = await denoiser.withUncond(x, sigma);
      return { denoised: owned(denoised), uncond: uncond.slice() };
    },
    noise() {
      if (options.noiseSampler) return options.noiseSampler;
      ancestral ??= defaultNoiseSampler(requireSeed(options.seed, name), length);
      return ancestral;
    },
    brownianNoise(sigmaMin, sigmaMax) {
      if (options.noiseSampler) return options.noiseSampler;
      return new BrownianTreeNoiseSampler(requireSeed(options.seed, name), length, sigmaMin, sigmaMax).sampler();
    },
    callback(i, denoised, x) {
      onStep?.(i, denoised, x, sigmas.length - 1);
    },
  };
  checkAborted(signal, name);
  return SAMPLERS[samplerName](ctx);
}
