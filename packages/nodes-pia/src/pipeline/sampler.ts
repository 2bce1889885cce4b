/**
 * PIA's denoising loop (pia-model.md §1.2 steps 3, 7, 8): seeded Gaussian noise `[1, 4, F, h, w]`, then for each
 * DDIM timestep one U-Net call on `[2, 9, F, h, w]` (unconditional half first), classifier-free guidance and a DDIM
 * step. Interruption is checked before every step, so an aborted run stops within one U-Net call.
 */
import type { UNetHandle } from '../models/index.js';
import type { Device, OnnxSession } from '../onnx/index.js';
import { NormalGenerator, TorchCpuGenerator, type Seed } from '../random/index.js';
import { DdimScheduler } from '../schedulers/index.js';
import { applyGuidance, assembleUNetInput, conditionOnEveryFrame, predictOriginal, stackEmbeddings, type LatentShape } from './conditioning.js';
import { sampleVideoOnDevice } from './device-loop.js';
import { PipelineError } from './errors.js';
import { activeContextOptions, chainExtras, planWindowCalls, seededRandom, windowsApply, type ContextOptionsValue, type WindowCall } from '../samplers/context/index.js';

/** What one finished step reports. */
export interface StepInfo {
  /** 1-based step number. */
  readonly step: number;
  readonly total: number;
  readonly timestep: number;
  /** x_{t−Δ} after the step (the host loop only: the device loop keeps it on the device). */
  readonly latents?: Float32Array;
  /** The step's estimate of the clean latent, for previews (on the device loop only when `previews` is on). */
  readonly denoised?: Float32Array;
  readonly shape: LatentShape;
}

/** Inputs of {@link sampleVideo}. */
export interface SampleVideoOptions {
  readonly unet: UNetHandle;
  /** `[1, L, D]` prompt embedding. */
  readonly positive: Float32Array;
  /** `[1, L, D]` negative-prompt embedding (used when `cfg > 1`). */
  readonly negative: Float32Array;
  /** `[L, D]` of one embedding. */
  readonly textDims: readonly [number, number];
  /** Scaled condition latent `[1, 4, h, w]`. */
  readonly conditionLatent: Float32Array;
  /** One affinity value per frame; its length is the frame count. */
  readonly mask: readonly number[];
  readonly height: number;
  readonly width: number;
  readonly seed: Seed;
  /** Where the noise comes from (default `torch_cpu`). */
  readonly noise?: NoiseGeneratorName;
  readonly steps: number;
  /** Guidance scale; at most 1 runs the prompt alone (no unconditional half), as diffusers does. */
  readonly cfg: number;
  /** DDIM eta (0 = deterministic, PIA's choice). */
  readonly eta?: number;
  /** img2img strength: 1 starts from pure noise (PIA's default); below 1 noises the condition latent. */
  readonly strength?: number;
  /** Sample in overlapping windows of frames (needed beyond the motion modules' frame limit). */
  readonly context?: ContextOptionsValue;
  readonly signal?: AbortSignal;
  readonly onStep?: (info: StepInfo) => void | Promise<void>;
  /**
   * `host`: tensors come back to JavaScript at every step; `device`: they stay on the U-Net's device
   * (`device-loop.ts`). Default: `device` when the U-Net runs on a GPU and no context windows are asked for.
   */
  readonly loop?: 'host' | 'device';
  /** Whether the device loop reads the clean-latent estimate back at each step for `onStep` (default true). */
  readonly previews?: boolean;
}

/**
 * Where the sampler's Gaussian noise comes from. `torch_cpu`: PyTorch's CPU generator, bit for bit (the start
 * latent is `torch.randn([1, 4, F, h, w])` after `manual_seed(seed)`, as PIA's and diffusers' pipelines draw it with a
 * CPU generator, so the same seed gives the same start as they do); `philox`: piagraph's counter-based stream, which
 * a GPU can draw in place.
 */
export type NoiseGeneratorName = 'torch_cpu' | 'philox';

/** The noise sources, default first. */
export const NOISE_GENERATORS: readonly NoiseGeneratorName[] = ['torch_cpu', 'philox'];

/** A stream of standard normal draws: each call continues where the last ended. */
export type NoiseStream = (count: number) => Float32Array;

/** The stream of `source` for `seed`. */
export function noiseStream(source: NoiseGeneratorName, seed: Seed): NoiseStream {
  if (source === 'philox') {
    const generator = new NormalGenerator(seed);
    return (count) => generator.next(count);
  }
  const generator = new TorchCpuGenerator(seed);
  return (count) => generator.randn(count);
}

/** The timesteps a run takes: the tail of the DDIM schedule that `strength` selects. */
export function samplingTimesteps(scheduler: DdimScheduler, steps: number, strength: number): number[] {
  return scheduler.timestepsForStrength(steps, strength);
}

function checkInterrupted(signal: AbortSignal | undefined, step: number): void {
  if (signal?.aborted) throw new PipelineError('interrupted', `sampling interrupted before step ${step}`, { step });
}

/** `[1, C, F, h, w]` → the frames `frames` of it, `[1, C, frames.length, h, w]`. */
function gatherFrames(latents: Float32Array, shape: LatentShape, frames: readonly number[]): Float32Array {
  const plane = shape.height * shape.width;
  const n = frames.length;
  if (n === shape.frames && frames.every((f, i) => f === i)) return latents;
  const out = new Float32Array(shape.channels * n * plane);
  for (let c = 0; c < shape.channels; c++) {
    frames.forEach((f, i) => out.set(latents.subarray((c * shape.frames + f) * plane, (c * shape.frames + f + 1) * plane), (c * n + i) * plane));
  }
  return out;
}

/** Each call's prediction `[1, C, n, h, w]`, fused per frame with the calls' weights into `[1, C, F, h, w]`. */
async function fuseWindows(calls: readonly WindowCall[], shape: LatentShape, predict: (frames: readonly number[]) => Promise<Float32Array>): Promise<Float32Array> {
  const plane = shape.height * shape.width;
  const sum = new Float64Array(shape.channels * shape.frames * plane);
  const total = new Float64Array(shape.frames);
  for (const { frames, weights } of calls) {
    const eps = await predict(frames);
    const n = frames.length;
    frames.forEach((f, i) => {
      const w = weights[i]!;
      total[f]! += w;
      for (let c = 0; c < shape.channels; c++) {
        const src = (c * n + i) * plane;
        const dst = (c * shape.frames + f) * plane;
        for (let p = 0; p < plane; p++) sum[dst + p]! += w * eps[src + p]!;
      }
    });
  }
  const out = new Float32Array(sum.length);
  for (let c = 0; c < shape.channels; c++) {
    for (let f = 0; f < shape.frames; f++) {
      const base = (c * shape.frames + f) * plane;
      for (let p = 0; p < plane; p++) out[base + p] = sum[base + p]! / total[f]!;
    }
  }
  return out;
}

/** The device the U-Net runs on (stand-ins without a session, as tests use, count as the CPU). */
function unetDevice(unet: UNetHandle): Device {
  return (unet.session as OnnxSession | undefined)?.device ?? 'cpu';
}

/** Runs the sampler; returns the final latent `[1, 4, F, h, w]` as a flat array. */
export async function sampleVideo(options: SampleVideoOptions): Promise<Float32Array> {
  const loop = options.loop ?? (unetDevice(options.unet) !== 'cpu' && !options.context ? 'device' : 'host');
  if (loop === 'device') {
    if (options.context) throw new PipelineError('bad-option', 'the device-resident sampler does not sample in context windows; use the host loop', {}, 'context_options');
    const { context: _context, loop: _loop, ...rest } = options;
    return sampleVideoOnDevice({ ...rest, ...(options.onStep ? { previews: options.previews ?? true } : {}) });
  }
  const latentChannels = options.unet.config.unet.latentChannels;
  const shape: LatentShape = { channels: latentChannels, frames: options.mask.length, height: options.height, width: options.width };
  const size = shape.channels * shape.frames * shape.height * shape.width;
  const scheduler = new DdimScheduler();
  scheduler.setTimesteps(options.steps);
  const timesteps = samplingTimesteps(scheduler, options.steps, options.strength ?? 1);
  // Noise first, from the seed alone, so the same seed gives the same start whatever the condition image is.
  const draw = noiseStream(options.noise ?? 'torch_cpu', options.seed);
  const noise = draw(size);
  const guided = options.cfg > 1;
  const batch = guided ? 2 : 1;
  const text = {
    data: guided ? stackEmbeddings([options.negative, options.positive]) : options.positive,
    dims: [batch, options.textDims[0], options.textDims[1]],
  };
  let latents: Float32Array;
  if (timesteps.length === 0) return conditionOnEveryFrame(options.conditionLatent, shape);
  if ((options.strength ?? 1) >= 1) {
    latents = noise.map((x) => x * scheduler.initNoiseSigma);
  } else {
    latents = scheduler.addNoise(conditionOnEveryFrame(options.conditionLatent, shape), noise, timesteps[0]!);
  }
  const eta = options.eta ?? 0;
  const maxFrames = options.unet.config.unet.motionMaxFrames;
  if (!options.context && shape.frames > maxFrames) {
    throw new PipelineError(
      'frame-mismatch',
      `${shape.frames} frames, but the motion modules see at most ${maxFrames} at once: connect context options (e.g. Context Options◆Standard Uniform, context_length 16) to sample in windows`,
      { frames: shape.frames, maxFrames },
      'context_options',
    );
  }
  /** The guided noise prediction of one window of frames (all frames without context options). */
  const predictWindow = async (scaled: Float32Array, timestep: number, frames: readonly number[]): Promise<Float32Array> => {
    const windowShape = { ...shape, frames: frames.length };
    const sample = assembleUNetInput(gatherFrames(scaled, shape, frames), frames.map((f) => options.mask[f]!), options.conditionLatent, windowShape, batch);
    const prediction = await options.unet.run({ data: sample, dims: [batch, 2 * latentChannels + 1, frames.length, shape.height, shape.width] }, timestep, text);
    return guided ? applyGuidance(prediction.data, options.cfg) : prediction.data;
  };
  if (options.context && chainExtras(options.context)) {
    throw new PipelineError('unsupported', 'context extras (NaiveReuse, ContextRef) are applied by KSampler with an AnimateDiff-Evolved MODEL; this DDIM sampler does not apply them', {}, 'context_options');
  }
  const allFrames = Array.from({ length: shape.frames }, (_, f) => f);
  const random = seededRandom(0x5eed);
  for (const [index, timestep] of timesteps.entries()) {
    checkInterrupted(options.signal, index + 1);
    const scaled = scheduler.scaleModelInput(latents, timestep);
    const context = options.context ? activeContextOptions(options.context, index, timesteps.length) : undefined;
    // The sigma-weighted fuse methods read the timestep's sigma, sqrt((1 − ᾱ)/ᾱ).
    const alpha = scheduler.alphaAt(timestep);
    const calls = context && windowsApply(shape.frames, context) ? planWindowCalls(shape.frames, context, index, { sigma: Math.sqrt((1 - alpha) / alpha), random }).calls : undefined;
    const eps =
      !calls || (calls.length === 1 && calls[0]!.frames.length === shape.frames)
        ? await predictWindow(scaled, timestep, allFrames)
        : await fuseWindows(calls, shape, (frames) => predictWindow(scaled, timestep, frames));
    const denoised = predictOriginal(latents, eps, scheduler.alphaAt(timestep));
    latents = scheduler.step(eps, timestep, latents, eta > 0 ? { eta, noise: draw } : {});
    await options.onStep?.({ step: index + 1, total: timesteps.length, timestep, latents, denoised, shape });
  }
  return latents;
}
