/**
 * Inputs the device checks run on: seeded text embeddings, a smooth synthetic picture encoded to the condition latent,
 * the moderate-motion affinity mask. Everything comes from seeds, so the CPU reference and the device under test see
 * the same numbers.
 */
import { prepareMaskCoefByStatistics } from '../affinity/index.js';
import type { VaeHandle } from '../models/index.js';
import { randn } from '../random/index.js';

/** A latent size: frames and the latent's height and width (the picture is 8× larger). */
export interface LatentSize {
  readonly frames: number;
  readonly height: number;
  readonly width: number;
}

/** A picture `[1, 3, 8h, 8w]` in [−1, 1]: colour gradients and a few soft waves, so every decoder channel has structure. */
export function syntheticPicture(size: Pick<LatentSize, 'height' | 'width'>): Float32Array {
  const H = size.height * 8;
  const W = size.width * 8;
  const out = new Float32Array(3 * H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const u = x / W;
      const v = y / H;
      const wave = Math.sin(6 * u + 4 * v) * Math.cos(5 * v - 3 * u);
      out[y * W + x] = 0.8 * u - 0.4 + 0.3 * wave;
      out[H * W + y * W + x] = 0.6 * v - 0.3 - 0.3 * wave;
      out[2 * H * W + y * W + x] = 0.5 - 0.7 * u * v + 0.2 * wave;
    }
  }
  return out;
}

/** What a sampler run needs besides the models. */
export interface SampleInputs {
  readonly positive: Float32Array;
  readonly negative: Float32Array;
  readonly textDims: readonly [number, number];
  readonly conditionLatent: Float32Array;
  readonly mask: readonly number[];
  readonly height: number;
  readonly width: number;
}

/** The sampler's inputs at `size`, the condition latent encoded (posterior mean) by `vae`. */
export async function sampleInputs(vae: VaeHandle, crossAttentionDim: number, size: LatentSize): Promise<SampleInputs> {
  const picture = { data: syntheticPicture(size), dims: [1, 3, size.height * 8, size.width * 8] };
  const condition = await vae.encodeLatent(picture, { mode: 'mean' });
  return {
    // CLIP's last hidden states are of order 1; seeded normals stand in for two prompts.
    positive: randn(77 * crossAttentionDim, 11),
    negative: randn(77 * crossAttentionDim, 12),
    textDims: [77, crossAttentionDim],
    conditionLatent: condition.data,
    mask: prepareMaskCoefByStatistics(size.frames, 0, 'moderate-motion'),
    height: size.height,
    width: size.width,
  };
}
