/**
 * Video latent → frames (pia-model.md §1.2 step 9): `[1, 4, F, h, w]` to `[F, 4, h, w]`, VAE-decoded in chunks
 * (the handle divides by 0.18215), then `(x / 2 + 0.5).clamp(0, 1)`.
 */
import type { VaeHandle } from '../models/index.js';
import { PipelineError } from './errors.js';

/** `[1, C, F, h, w]` → `[F, C, h, w]`: frames out of the channel-major layout the U-Net uses. */
export function framesFirst(latent: Float32Array, channels: number, frames: number, plane: number): Float32Array {
  const out = new Float32Array(latent.length);
  for (let c = 0; c < channels; c++) {
    for (let f = 0; f < frames; f++) out.set(latent.subarray((c * frames + f) * plane, (c * frames + f + 1) * plane), (f * channels + c) * plane);
  }
  return out;
}

/** Decoder output in about [−1, 1] → [0, 1], clamped, in place. */
export function toUnitRange(data: Float32Array): Float32Array {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]! / 2 + 0.5;
    data[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return data;
}

/** Decodes a latent batch `[B, 4, h, w]` to images `[B, 3, H, W]` in [0, 1], `chunkSize` images per decoder call. */
export async function decodeLatentBatch(
  vae: VaeHandle,
  latent: { readonly samples: Float32Array; readonly dims: readonly [number, number, number, number] },
  chunkSize: number,
): Promise<{ data: Float32Array; dims: [number, 3, number, number] }> {
  const latentChannels = vae.config.vae.latentChannels;
  if (latent.dims[1] !== latentChannels) {
    throw new PipelineError(
      'shape-mismatch',
      `samples has ${latent.dims[1]} channels [${latent.dims.join(', ')}]; this VAE decodes ${latentChannels}-channel latents`,
      { dims: latent.dims },
      'samples',
    );
  }
  const decoded = await vae.decode({ data: latent.samples, dims: latent.dims }, { chunkSize });
  const [n, , height, width] = decoded.dims as [number, number, number, number];
  return { data: toUnitRange(decoded.data), dims: [n, 3, height, width] };
}

/** Decodes a video latent to frames `[F, 3, H, W]` in [0, 1], `chunkSize` frames per decoder call. */
export async function decodeVideoLatent(
  vae: VaeHandle,
  latent: Float32Array,
  dims: readonly [1, number, number, number, number],
  chunkSize: number,
): Promise<{ data: Float32Array; dims: [number, 3, number, number] }> {
  const [, c, f, h, w] = dims;
  const decoded = await vae.decode({ data: framesFirst(latent, c, f, h * w), dims: [f, c, h, w] }, { chunkSize });
  const [, , height, width] = decoded.dims as [number, number, number, number];
  return { data: toUnitRange(decoded.data), dims: [f, 3, height, width] };
}
