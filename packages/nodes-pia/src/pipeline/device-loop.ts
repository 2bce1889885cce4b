/**
 * PIA's denoising loop with its tensors kept on the U-Net's device. The host loop (`sampler.ts`) copies the U-Net
 * input to the device and the prediction back at every step and does guidance and the DDIM step in JavaScript; here
 * the latents, the text embeddings and the condition are uploaded once, guidance, the DDIM step and the next U-Net
 * input are a small ONNX graph on the same device, and only the step's clean-latent estimate (when previews are
 * wanted) and the final latent come back.
 *
 * On the CPU the same code runs with host tensors. Its step graph then computes in float64 with the host loop's
 * operations in the host loop's order, rounding to float32 where the host loop stores into a Float32Array, so both
 * loops give the same bits; a GPU (WebGPU has no float64) runs the float32 form of the same graph.
 */
import * as ort from 'onnxruntime-node';
import type { UNetHandle } from '../models/index.js';
import { GraphBuilder, OnnxSession, disposeTensor, hostData, type Device, type Value } from '../onnx/index.js';
import { DdimScheduler } from '../schedulers/index.js';
import { assembleUNetInput, conditionOnEveryFrame, stackEmbeddings, type LatentShape } from './conditioning.js';
import { PipelineError } from './errors.js';
import { noiseStream, samplingTimesteps, type SampleVideoOptions } from './sampler.js';

/** The arithmetic of the step graph: `float64` reproduces the host loop bit for bit; `float32` is what a GPU runs. */
export type StepArithmetic = 'float64' | 'float32';

/** float64 where the device has it (the CPU), else float32. */
export function stepArithmeticFor(device: Device): StepArithmetic {
  return device === 'cpu' ? 'float64' : 'float32';
}

/** Graph input and output names of the step graph. */
export const STEP_IO = {
  latents: 'latents',
  prediction: 'noise_pred',
  condition: 'condition_block',
  coefficients: 'coefficients',
  noise: 'noise',
  next: 'next_latents',
  nextSample: 'next_sample',
  denoised: 'denoised',
} as const;

/** Order of the scalars in the `coefficients` input. */
const COEFFICIENTS = ['cfg', 'sqrtAT', 'sqrtBT', 'sqrtAPrev', 'dirCoef', 'std'] as const;

/** What a step graph is built for. */
export interface StepGraphOptions {
  /** 2 with classifier-free guidance (unconditional half first), else 1. */
  readonly batch: number;
  readonly arithmetic: StepArithmetic;
  /** Whether the step adds `std · noise` (DDIM eta > 0); the noise is then an input. */
  readonly noise: boolean;
  /** Whether the clean-latent estimate is an output (for previews). */
  readonly denoised: boolean;
}

/**
 * One sampler step as a graph. Inputs: `latents [1, C, F, h, w]`, the U-Net's `noise_pred [B, C, F, h, w]`, the
 * `condition_block [B, C + 1, F, h, w]` (mask planes then condition latent, the U-Net input after the latent),
 * `coefficients [6]` (cfg, √ᾱ_t, √(1−ᾱ_t), √ᾱ_prev, the direction coefficient, σ) and, with eta, `noise`.
 * Outputs: `next_latents`, the next U-Net input `next_sample [B, 2C + 1, F, h, w]` and, for previews, `denoised`.
 */
export function buildStepGraph(options: StepGraphOptions): GraphBuilder {
  const { batch, arithmetic } = options;
  const g = new GraphBuilder(`ddim-step-b${batch}-${arithmetic}${options.noise ? '-eta' : ''}${options.denoised ? '-preview' : ''}`);
  const dims = ['channels', 'frames', 'height', 'width'];
  const latents = g.input(STEP_IO.latents, 'float32', [1, ...dims]);
  const prediction = g.input(STEP_IO.prediction, 'float32', [batch, ...dims]);
  const condition = g.input(STEP_IO.condition, 'float32', [batch, 'condition_channels', 'frames', 'height', 'width']);
  const coefficients = g.input(STEP_IO.coefficients, arithmetic, [COEFFICIENTS.length]);
  const noise = options.noise ? g.input(STEP_IO.noise, 'float32', [1, ...dims]) : undefined;
  const coefficient = (name: (typeof COEFFICIENTS)[number]) => g.gather(coefficients, COEFFICIENTS.indexOf(name));
  // Where the host loop computes in double and stores into a Float32Array, the float64 graph casts up, computes, and
  // casts down; the float32 graph computes in float32 throughout.
  const wide = (v: Value) => (arithmetic === 'float64' ? g.cast(v, 'float64') : v);
  const narrow = (v: Value) => (arithmetic === 'float64' ? g.cast(v, 'float32') : v);

  // applyGuidance: u + cfg·(c − u), stored as float32.
  let eps = prediction;
  if (batch === 2) {
    const u = wide(g.slice(prediction, [0], [1], [0]));
    const c = wide(g.slice(prediction, [1], [2], [0]));
    eps = narrow(g.add(u, g.mul(coefficient('cfg'), g.sub(c, u))));
  }
  // DdimScheduler.step (ε-prediction, no clipping): x0 = (x − √(1−ᾱ)·ε) / √ᾱ; x' = √ᾱ_prev·x0 + dir·ε (+ σ·noise).
  const x = wide(latents);
  const e = wide(eps);
  const x0 = g.div(g.sub(x, g.mul(coefficient('sqrtBT'), e)), coefficient('sqrtAT'));
  let next = g.add(g.mul(coefficient('sqrtAPrev'), x0), g.mul(coefficient('dirCoef'), e));
  if (noise) next = g.add(next, g.mul(coefficient('std'), wide(noise)));
  const nextLatents = narrow(next);
  g.output(nextLatents, STEP_IO.next);
  // assembleUNetInput: the latent once per batch entry, then the mask and condition channels.
  const repeated = batch === 1 ? nextLatents : g.concat(Array.from({ length: batch }, () => nextLatents), 0);
  g.output(g.concat([repeated, condition], 1), STEP_IO.nextSample);
  // predictOriginal is x0 above (same √ᾱ and √(1−ᾱ)), stored as float32.
  if (options.denoised) g.output(narrow(x0), STEP_IO.denoised);
  return g;
}

/** `[B, C + 1, F, h, w]`: the mask and condition channels of the U-Net input, as `assembleUNetInput` lays them out. */
function conditionBlock(conditionLatent: Float32Array, mask: readonly number[], shape: LatentShape, batch: number): Float32Array {
  const { channels: c, frames: f, height: h, width: w } = shape;
  const full = assembleUNetInput(new Float32Array(c * f * h * w), mask, conditionLatent, shape, 1);
  const block = full.subarray(c * f * h * w);
  const out = new Float32Array(batch * block.length);
  for (let b = 0; b < batch; b++) out.set(block, b * block.length);
  return out;
}

/** What one step of the device loop reports; `denoised` only when previews were asked for. */
export interface DeviceStepInfo {
  readonly step: number;
  readonly total: number;
  readonly timestep: number;
  readonly denoised?: Float32Array;
  readonly shape: LatentShape;
}

/** Options of {@link sampleVideoOnDevice}: the host loop's, without context windows. */
export interface DeviceLoopOptions extends Omit<SampleVideoOptions, 'context' | 'onStep'> {
  /** Read the clean-latent estimate back at every step for previews (default: when `onStep` is given). */
  readonly previews?: boolean;
  /** Step-graph arithmetic (default {@link stepArithmeticFor} the U-Net's device). */
  readonly arithmetic?: StepArithmetic;
  readonly onStep?: (info: DeviceStepInfo) => void | Promise<void>;
}

/** The device tensors of one run, disposed together at its end (however it ends). */
class LoopTensors {
  readonly tensors = new Set<ort.Tensor>();

  /** Keeps `t` to be disposed at the end (or earlier, through {@link drop}). */
  own(t: ort.Tensor): ort.Tensor {
    this.tensors.add(t);
    return t;
  }

  drop(t: ort.Tensor): void {
    this.tensors.delete(t);
    disposeTensor(t);
  }

  release(): void {
    for (const t of this.tensors) disposeTensor(t);
    this.tensors.clear();
  }
}

/** The step graph's session for `options`, kept with the U-Net (built and opened once per U-Net and options). */
function stepSession(unet: UNetHandle, options: StepGraphOptions): Promise<OnnxSession> {
  const g = buildStepGraph(options);
  return unet.companion(`device-loop:${g.name}`, async () =>
    OnnxSession.load(`(${g.name})`, { modelBytes: await g.toBytes(), executionProviders: [unet.session.device], deviceOutputs: [STEP_IO.next, STEP_IO.nextSample] }),
  );
}

/**
 * Runs the sampler with its tensors on the U-Net's device; returns the final latent `[1, 4, F, h, w]`. Same
 * inputs, noise and schedule as `sampleVideo`; for sampling in context windows use `sampleVideo`.
 */
export async function sampleVideoOnDevice(options: DeviceLoopOptions): Promise<Float32Array> {
  const unet = options.unet;
  const latentChannels = unet.config.unet.latentChannels;
  const shape: LatentShape = { channels: latentChannels, frames: options.mask.length, height: options.height, width: options.width };
  const size = shape.channels * shape.frames * shape.height * shape.width;
  const maxFrames = unet.config.unet.motionMaxFrames;
  if (shape.frames > maxFrames) {
    throw new PipelineError('frame-mismatch', `${shape.frames} frames, but the motion modules see at most ${maxFrames} at once: connect context options to sample in windows`, { frames: shape.frames, maxFrames }, 'context_options');
  }
  const scheduler = new DdimScheduler();
  if (scheduler.config.predictionType !== 'epsilon' || scheduler.config.clipSample) {
    throw new PipelineError('bad-option', 'the device-resident sampler implements DDIM with ε-prediction and no clipping only', {});
  }
  scheduler.setTimesteps(options.steps);
  const timesteps = samplingTimesteps(scheduler, options.steps, options.strength ?? 1);
  // The host loop's start, to the bit: noise from the seed first, then the start latent.
  const draw = noiseStream(options.noise ?? 'torch_cpu', options.seed);
  const noise = draw(size);
  if (timesteps.length === 0) return conditionOnEveryFrame(options.conditionLatent, shape);
  const start = (options.strength ?? 1) >= 1 ? noise.map((x) => x * scheduler.initNoiseSigma) : scheduler.addNoise(conditionOnEveryFrame(options.conditionLatent, shape), noise, timesteps[0]!);

  const guided = options.cfg > 1;
  const batch = guided ? 2 : 1;
  const eta = options.eta ?? 0;
  const previews = options.previews ?? options.onStep !== undefined;
  const arithmetic = options.arithmetic ?? stepArithmeticFor(unet.session.device);
  const latentDims = [1, shape.channels, shape.frames, shape.height, shape.width];
  const r = new LoopTensors();
  try {
    const step = await stepSession(unet, { batch, arithmetic, noise: eta > 0, denoised: previews });
    const up = async (data: Float32Array, dims: number[]) => r.own(await unet.transfer.toDevice(new ort.Tensor('float32', data, dims)));
    const text = await up(guided ? stackEmbeddings([options.negative, options.positive]) : options.positive, [batch, options.textDims[0], options.textDims[1]]);
    const condition = await up(conditionBlock(options.conditionLatent, options.mask, shape, batch), [batch, shape.channels + 1, shape.frames, shape.height, shape.width]);
    let latents = await up(start, latentDims);
    let sample = await up(assembleUNetInput(start, options.mask, options.conditionLatent, shape, batch), [batch, 2 * shape.channels + 1, shape.frames, shape.height, shape.width]);
    const coefficientType = arithmetic === 'float64' ? Float64Array : Float32Array;

    for (const [index, timestep] of timesteps.entries()) {
      if (options.signal?.aborted) throw new PipelineError('interrupted', `sampling interrupted before step ${index + 1}`, { step: index + 1 });
      const prediction = r.own(await unet.runOnDevice(sample, timestep, text));
      const k = scheduler.stepCoefficients(timestep, eta);
      const feeds: Record<string, ort.Tensor> = {
        [STEP_IO.latents]: latents,
        [STEP_IO.prediction]: prediction,
        [STEP_IO.condition]: condition,
        [STEP_IO.coefficients]: new ort.Tensor(arithmetic, coefficientType.from(COEFFICIENTS.map((name) => (name === 'cfg' ? options.cfg : k[name]))), [COEFFICIENTS.length]),
      };
      // The host loop draws a step's noise inside scheduler.step, after the prediction: same stream, same order.
      if (eta > 0) feeds[STEP_IO.noise] = new ort.Tensor('float32', draw(size), latentDims);
      const out = await step.run(feeds);
      r.drop(prediction);
      r.drop(latents);
      r.drop(sample);
      latents = r.own(out[STEP_IO.next]!);
      sample = r.own(out[STEP_IO.nextSample]!);
      const denoised = out[STEP_IO.denoised];
      await options.onStep?.({
        step: index + 1,
        total: timesteps.length,
        timestep,
        shape,
        ...(denoised ? { denoised: hostData(denoised, STEP_IO.denoised) as Float32Array } : {}),
      });
    }
    const final = await unet.transfer.toHost(latents);
    return Float32Array.from(hostData(final, 'final latents') as Float32Array);
  } finally {
    r.release();
  }
}
