/**
 * ComfyUI's `common_ksampler` flow end to end (the KSampler and KSamplerAdvanced nodes): sigmas, initial
 * noise, latent format, noise scaling, the sampler, and back to the latent the node returns.
 */
import type { Seed } from '../random/seed.js';
import { cfgDenoiser, type ConditionedModel, type Denoiser } from './cfg.js';
import { KSamplerError } from './errors.js';
import { cutSigmas, ksamplerSigmas, type StepRange } from './ksampler-sigmas.js';
import type { ModelSamplingDiscrete } from './model-sampling.js';
import { prepareNoise, type NoiseSampler } from './noise.js';
import { sample, type StepCallback } from './sample.js';

/** SD 1.5's latent format: the VAE latent is multiplied by 0.18215 for the model and divided on the way out. */
export const SD15_LATENT_SCALE = 0.18215;

export interface KSamplerRequest {
  /** The guided model's cond/uncond predictions; or give `denoiser` directly. */
  model?: ConditionedModel;
  /** A ready denoiser (then `cfg` is not applied here). */
  denoiser?: Denoiser;
  modelSampling: ModelSamplingDiscrete;
  seed: Seed;
  steps: number;
  cfg: number;
  samplerName: string;
  scheduler: string;
  /** The input latent as the LATENT socket holds it (VAE space), row-major. */
  latent: Float32Array;
  /** Its shape, batch first ([B, 4, H, W], or [B, 4, F, H, W] for video). */
  shape: readonly number[];
  denoise?: number;
  /** KSamplerAdvanced `add_noise` (false: zero noise). Default true. */
  addNoise?: boolean;
  /** KSamplerAdvanced's step window. */
  range?: StepRange;
  /** The LATENT's `batch_index`, for per-item noise. */
  batchIndex?: readonly number[];
  /** The initial noise, replacing the seed's (AnimateDiff-Evolved's sample settings); ignored when `addNoise` is false. */
  noise?: Float32Array;
  /** The latent format's scale factor (SD 1.5: 0.18215). */
  latentScale?: number;
  noiseSampler?: NoiseSampler;
  onStep?: StepCallback;
  signal?: AbortSignal;
}

export interface KSamplerResult {
  /** The node's output latent (VAE space). */
  samples: Float32Array;
  /** The sigmas sampled (empty when nothing was sampled). */
  sigmas: Float32Array;
  /** False when the step window or denoise left nothing to do and the input latent came back unchanged. */
  sampled: boolean;
}

/** Runs a KSampler as ComfyUI's `common_ksampler` does. */
export async function runKSampler(request: KSamplerRequest): Promise<KSamplerResult> {
  const { latent, shape, modelSampling } = request;
  const size = shape.reduce((a, b) => a * b, 1);
  if (latent.length !== size) {
    throw new KSamplerError('length_mismatch', `latent has ${latent.length} values but shape [${shape.join(', ')}] needs ${size}`);
  }
  const denoiser = request.denoiser ?? (request.model ? cfgDenoiser(request.model, request.cfg) : undefined);
  if (!denoiser) throw new KSamplerError('missing_model', 'runKSampler needs a model or a denoiser');
  if (request.noise && request.noise.length !== size) {
    throw new KSamplerError('length_mismatch', `the given noise has ${request.noise.length} values but shape [${shape.join(', ')}] needs ${size}`);
  }
  const noise = request.addNoise === false ? new Float32Array(size) : (request.noise ?? prepareNoise(request.seed, shape, request.batchIndex));
  const all = ksamplerSigmas({
    modelSampling,
    scheduler: request.scheduler,
    sampler: request.samplerName,
    steps: request.steps,
    denoise: request.denoise,
  });
  const sigmas = cutSigmas(all, request.range ?? {});
  if (sigmas === null || sigmas.length === 0) return { samples: latent.slice(), sigmas: new Float32Array(0), sampled: false };

  const scale = Math.fround(request.latentScale ?? SD15_LATENT_SCALE);
  const nonZero = latent.some((v) => v !== 0);
  const latentIn = nonZero ? latent.map((v) => v * scale) : null;
  const x = modelSampling.noiseScaling(sigmas[0]!, noise, latentIn, modelSampling.isMaxDenoise(sigmas[0]!));
  const out = await sample(request.samplerName, {
    denoiser,
    sigmas,
    x,
    modelSampling,
    seed: request.seed,
    noiseSampler: request.noiseSampler,
    onStep: request.onStep,
    signal: request.signal,
  });
  return { samples: out.map((v) => v / scale), sigmas, sampled: true };
}
