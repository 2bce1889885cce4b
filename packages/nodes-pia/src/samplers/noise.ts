/**
 * The noise a ComfyUI KSampler run uses, from PyTorch's CPU generator:
 * - the initial latent noise (`comfy.sample.prepare_noise`): `torch.randn(shape)` after `manual_seed(seed)`,
 *   or, with batch indices, one `[1, …]` draw per index up to the largest, picked per latent;
 * - the sampler noise (`default_noise_sampler` on the CPU): a fresh generator seeded `seed + 1` per sampler run,
 *   each call one `randn` of the latent's size continuing that stream.
 */
import { parseSeed, type Seed } from '../random/seed.js';
import { TorchCpuGenerator, shapeSize } from '../random/torch-generator.js';
import { KSamplerError } from './errors.js';

/** Gaussian noise for the step from `sigma` to `sigmaNext` (ancestral and SDE samplers call it per step). */
export type NoiseSampler = (sigma: number, sigmaNext: number) => Float32Array;

/**
 * `prepare_noise(latent, seed, batch_index)`: noise of `shape` (batch first). With `batchIndex`, latent b gets
 * the draw number `batchIndex[b]` of a stream of `[1, …]` draws, so a latent keeps its noise in any batch.
 */
export function prepareNoise(seed: Seed, shape: readonly number[], batchIndex?: readonly number[]): Float32Array {
  const size = shapeSize(shape);
  const generator = new TorchCpuGenerator(seed);
  if (!batchIndex) return generator.randn(shape);
  const batch = shape[0] ?? 1;
  if (batchIndex.length !== batch || batchIndex.some((i) => !Number.isInteger(i) || i < 0)) {
    throw new KSamplerError('length_mismatch', `batch_index must be ${batch} non-negative integers, got [${batchIndex.join(', ')}]`);
  }
  const itemShape = [1, ...shape.slice(1)];
  const itemSize = size / Math.max(batch, 1);
  const wanted = new Set(batchIndex);
  const draws = new Map<number, Float32Array>();
  const last = Math.max(...batchIndex);
  for (let i = 0; i <= last; i++) {
    const noise = generator.randn(itemShape);
    if (wanted.has(i)) draws.set(i, noise);
  }
  const out = new Float32Array(size);
  batchIndex.forEach((index, b) => out.set(draws.get(index)!, b * itemSize));
  return out;
}

/** ComfyUI's CPU `default_noise_sampler(x, seed)`: independent draws from a generator seeded `seed + 1`. */
export function defaultNoiseSampler(seed: Seed, length: number): NoiseSampler {
  const generator = new TorchCpuGenerator((parseSeed(seed) + 1n) & ((1n << 64n) - 1n));
  return () => generator.randn(length);
}

/** A sampler noise stream that is all zeros (for deterministic checks). */
export function zeroNoiseSampler(length: number): NoiseSampler {
  return () => new Float32Array(length);
}

/** Throws when a seed is missing where a sampler needs noise. */
export function requireSeed(seed: Seed | undefined, sampler: string): Seed {
  if (seed === undefined) {
    throw new KSamplerError('missing_seed', `sampler "${sampler}" adds noise: pass a seed or a noiseSampler`, { sampler });
  }
  return seed;
}
