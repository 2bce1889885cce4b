/**
 * The initial noise of a KSampler run under AnimateDiff-Evolved's sample settings (`SampleSettings.prepare_noise`),
 * with PyTorch's CPU generator:
 * - seed generators: `comfy` draws the whole batch `[F + batch_offset, …]` from one seed and drops the first
 *   `batch_offset` frames; `auto1111` draws frame i from seed + i + batch_offset;
 * - noise types: `default`; `constant` (one frame's noise for every frame); `empty` (zeros); `repeated_context` (the
 *   first context window's noise tiled over the video); `FreeNoise` (each window after the first reuses a shuffle of
 *   the previous window's frames, the shuffle drawn with `torch.randperm` from a generator seeded with the seed).
 * The seed is the KSampler's (or `seed_override`) plus `seed_offset`. With default settings ADE keeps ComfyUI's noise.
 */
import { TorchCpuGenerator } from '../random/torch-generator.js';
import type { ContextOptionsValue } from '../samplers/context/options.js';
import type { SampleSettingsValue } from './settings.js';

/** `torch.randperm(n, generator)` on the CPU for small n: a Fisher–Yates pass taking `random() % (n − i)` per position. */
export function torchRandperm(n: number, generator: TorchCpuGenerator): number[] {
  const r = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n - 1; i++) {
    const z = generator.random32() % (n - i);
    [r[i], r[z + i]] = [r[z + i]!, r[i]!];
  }
  return r;
}

/** Whether ADE replaces ComfyUI's noise (`force_create_noise=False`: only for non-default settings). */
export function replacesNoise(settings: SampleSettingsValue): boolean {
  return settings.batchOffset !== 0 || settings.seedOffset !== 0 || settings.noiseType !== 'default' || settings.seedGen !== 'comfy' || settings.seedOverride !== undefined;
}

function seedOf(value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`the noise seed (seed + seed_offset) must be a whole number ≥ 0, got ${value}`);
  return BigInt(value);
}

/** One frame's draw per frame from `seed + i + offset` (A1111's per-image seeds). */
function perFrameSeeds(seed: number, frames: number, frameSize: number, offset: number): Float32Array {
  const out = new Float32Array(frames * frameSize);
  for (let i = 0; i < frames; i++) out.set(new TorchCpuGenerator(seedOf(seed + i + offset)).randn(frameSize), i * frameSize);
  return out;
}

function tileFrames(noise: Float32Array, frames: number, frameSize: number, period: number): Float32Array {
  const out = new Float32Array(frames * frameSize);
  for (let i = 0; i < frames; i++) out.set(noise.subarray((i % period) * frameSize, (i % period + 1) * frameSize), i * frameSize);
  return out;
}

/** FreeNoise's shuffles (ADE's `_convert_to_freenoise`), in place. */
function freeNoise(noise: Float32Array, frames: number, frameSize: number, length: number, overlap: number, seed: number): void {
  const delta = length - overlap;
  const generator = new TorchCpuGenerator(seedOf(seed));
  for (let start = 0; start < frames - length; start += delta) {
    const place = start + length;
    if (place >= frames) break;
    // The last window may have room for fewer than `delta` frames; it is shuffled into what is left, then done.
    const last = place - 1 + delta >= frames;
    const count = last ? frames - place : delta;
    const order = torchRandperm(count, generator).map((j) => start + j);
    // The sources lie before `place`, so reading them all before writing changes nothing; done for clarity.
    const sources = order.map((j) => noise.slice(j * frameSize, (j + 1) * frameSize));
    sources.forEach((s, i) => noise.set(s, (place + i) * frameSize));
    if (last) break;
  }
}

/**
 * The initial noise `[F, C, h, w]` for `seed` under `settings`, or undefined when ADE keeps ComfyUI's noise. `context`
 * gives `repeated_context` and `FreeNoise` their window length and overlap (without it they change nothing).
 */
export function adeInitialNoise(
  settings: SampleSettingsValue,
  seed: number,
  shape: readonly [number, number, number, number],
  context: ContextOptionsValue | undefined,
): Float32Array | undefined {
  if (!replacesNoise(settings)) return undefined;
  const [frames, c, h, w] = shape;
  const frameSize = c * h * w;
  const base = (settings.seedOverride ?? seed) + settings.seedOffset;
  const offset = settings.batchOffset;
  const auto1111 = settings.seedGen === 'auto1111' || settings.seedGen === 'auto1111 [gpu]';
  if (settings.noiseType === 'empty') return new Float32Array(frames * frameSize);
  if (settings.noiseType === 'constant') {
    const one = auto1111 ? perFrameSeeds(base, 1, frameSize, offset) : new TorchCpuGenerator(seedOf(base)).randn((1 + offset) * frameSize).slice(offset * frameSize);
    return tileFrames(one, frames, frameSize, 1);
  }
  const noise = auto1111 ? perFrameSeeds(base, frames, frameSize, offset) : new TorchCpuGenerator(seedOf(base)).randn((frames + offset) * frameSize).slice(offset * frameSize);
  // ADE takes the view options' length and overlap when the context options have views.
  const window = context?.viewOptions ?? context;
  const windowLength = window ? window.contextLength : undefined;
  if (settings.noiseType === 'repeated_context' && windowLength !== undefined) return tileFrames(noise, frames, frameSize, Math.min(windowLength, frames));
  if (settings.noiseType === 'FreeNoise' && window && windowLength !== undefined) {
    freeNoise(noise, frames, frameSize, windowLength, window.contextOverlap, base);
  }
  return noise;
}
