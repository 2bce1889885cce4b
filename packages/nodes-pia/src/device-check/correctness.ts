/**
 * The correctness half of the device checks: the same U-Net call, VAE decode and short animation on a device and
 * precision under test and on the fp32 CPU reference, compared element by element and as decoded pictures.
 */
import type { PiaModels } from '../models/index.js';
import { applyGuidance, assembleUNetInput, predictOriginal, stackEmbeddings, type LatentShape } from '../pipeline/conditioning.js';
import { decodeVideoLatent } from '../pipeline/decode.js';
import { sampleVideo } from '../pipeline/sampler.js';
import { randn } from '../random/index.js';
import { DdimScheduler } from '../schedulers/index.js';
import { sampleInputs, type LatentSize, type SampleInputs } from './fixtures.js';
import { difference, psnr, type Difference } from './metrics.js';

/** A compared tensor and, where it decodes to pictures, their PSNR in dB against the reference's pictures. */
export interface Compared extends Difference {
  readonly psnr?: number;
}

/** What the correctness checks found. */
export interface CorrectnessReport {
  readonly size: LatentSize;
  readonly steps: number;
  /** One U-Net call (guided pair at t = 501): the noise prediction, and the decoded clean-latent estimate. */
  readonly unet: Compared;
  /** The VAE decoding the reference's clean-latent estimate. */
  readonly vae: Compared;
  /** A whole short animation on the device-resident loop under test against the host loop of the reference. */
  readonly sample: Compared;
  /** On the device under test, the device-resident loop against the host loop, same models and precision. */
  readonly loops: Difference;
}

const CFG = 7.5;
const TIMESTEP = 501;

/** The decoded frames of a video latent, in [0, 1]. */
async function frames(models: PiaModels, latent: Float32Array, shape: LatentShape): Promise<Float32Array> {
  return (await decodeVideoLatent(models.vae!, latent, [1, shape.channels, shape.frames, shape.height, shape.width], 4)).data;
}

/**
 * Runs the checks at `size` with `steps` sampler steps. `reference` is the fp32 CPU models, `target` the models
 * under test (both with U-Net and VAE); the pictures are decoded by the reference's VAE except in the VAE check.
 */
export async function checkCorrectness(reference: PiaModels, target: PiaModels, size: LatentSize, steps: number): Promise<CorrectnessReport> {
  const cfg = reference.config;
  const shape: LatentShape = { channels: cfg.unet.latentChannels, frames: size.frames, height: size.height, width: size.width };
  const inputs: SampleInputs = await sampleInputs(reference.vae!, cfg.unet.crossAttentionDim, size);

  // One U-Net call on a noisy latent, as at step 13 of 25.
  const latent = randn(shape.channels * shape.frames * shape.height * shape.width, 21);
  const sample = { data: assembleUNetInput(latent, inputs.mask, inputs.conditionLatent, shape, 2), dims: [2, 2 * shape.channels + 1, shape.frames, shape.height, shape.width] };
  const text = { data: stackEmbeddings([inputs.negative, inputs.positive]), dims: [2, inputs.textDims[0], inputs.textDims[1]] };
  const epsRef = (await reference.unet!.run(sample, TIMESTEP, text)).data;
  const epsTarget = (await target.unet!.run(sample, TIMESTEP, text)).data;
  const alpha = new DdimScheduler().alphaAt(TIMESTEP);
  const x0Ref = predictOriginal(latent, applyGuidance(epsRef, CFG), alpha);
  const x0Target = predictOriginal(latent, applyGuidance(epsTarget, CFG), alpha);
  const picturesRef = await frames(reference, x0Ref, shape);
  const unet = { ...difference(epsTarget, epsRef), psnr: psnr(await frames(reference, x0Target, shape), picturesRef) };

  const decodedTarget = await frames(target, x0Ref, shape);
  const vae = { ...difference(decodedTarget, picturesRef), psnr: psnr(decodedTarget, picturesRef) };

  const run = { ...inputs, seed: 7, steps, cfg: CFG };
  const latentRef = await sampleVideo({ ...run, unet: reference.unet!, loop: 'host' });
  // The device-resident loop also on the CPU, so a CPU run checks the code path a GPU runs.
  const latentTarget = await sampleVideo({ ...run, unet: target.unet!, loop: 'device' });
  const latentTargetHost = await sampleVideo({ ...run, unet: target.unet!, loop: 'host' });
  const sampled = { ...difference(latentTarget, latentRef), psnr: psnr(await frames(reference, latentTarget, shape), await frames(reference, latentRef, shape)) };
  return { size, steps, unet, vae, sample: sampled, loops: difference(latentTarget, latentTargetHost) };
}
