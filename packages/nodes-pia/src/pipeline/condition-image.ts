/**
 * From a loaded IMAGE to PIA's condition (pia-model.md §1.2 steps 4–6): the image sized by a policy, mapped to
 * [−1, 1], VAE-encoded (posterior sample or mean) and scaled by 0.18215, plus the per-frame affinity mask.
 */
import sharp from 'sharp';
import { loadImage, piaTargetSize } from '../image/index.js';
import { vaeScaleFactor, type VaeHandle } from '../models/index.js';
import type { Seed } from '../random/index.js';
import { PipelineError } from './errors.js';

/** Planar float frames `[F, 3, H, W]` in [0, 1] (the IMAGE socket's value). */
export interface Frames {
  readonly data: Float32Array;
  readonly dims: readonly [number, 3, number, number];
}

/**
 * How the condition image is sized: PIA's rule (long edge at most `longEdge`, each side floored to a multiple
 * of 8, never upscaled) or an exact size, scaled to cover it and centre-cropped.
 */
export type SizePolicy = { readonly mode: 'pia'; readonly longEdge: number } | { readonly mode: 'crop'; readonly width: number; readonly height: number };

/** Loads an image file as a one-frame IMAGE at its own size (EXIF orientation applied, alpha dropped). */
export async function loadImageFrames(path: string, name?: string): Promise<Frames> {
  const image = await loadImage(path, { resize: { mode: 'original' }, range: 'unit', ...(name !== undefined ? { name } : {}) });
  return { data: image.data, dims: [1, 3, image.height, image.width] };
}

/** One frame as interleaved RGB bytes, rounded (not truncated) so a loaded image survives the round trip exactly. */
export function frameToRgb8(frames: Frames, index: number): Uint8Array {
  const [, , h, w] = frames.dims;
  const plane = h * w;
  const base = index * 3 * plane;
  const out = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const v = frames.data[base + c * plane + i]!;
      out[i * 3 + c] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
    }
  }
  return out;
}

/** The pixel size a policy gives an image of `width × height`. */
export function conditionSize(width: number, height: number, policy: SizePolicy, multipleOf = 8): { width: number; height: number } {
  const size = policy.mode === 'pia' ? piaTargetSize(width, height, policy.longEdge, multipleOf) : { width: policy.width, height: policy.height };
  if (size.width < multipleOf || size.height < multipleOf || size.width % multipleOf !== 0 || size.height % multipleOf !== 0) {
    throw new PipelineError(
      'bad-option',
      `the condition image would be ${size.width}×${size.height}; both sides must be positive multiples of ${multipleOf}`,
      { ...size },
      policy.mode === 'pia' ? 'long_edge' : 'width',
    );
  }
  return size;
}

/**
 * The first frame of `frames`, sized by `policy`, as the VAE's input `[1, 3, H, W]` in [−1, 1]. Resampled with
 * sharp's cubic kernel (PIL's BICUBIC, which PIA's `Image.resize` uses).
 */
export async function prepareConditionPixels(frames: Frames, policy: SizePolicy, multipleOf = 8): Promise<{ data: Float32Array; width: number; height: number }> {
  const [, , srcHeight, srcWidth] = frames.dims;
  const { width, height } = conditionSize(srcWidth, srcHeight, policy, multipleOf);
  let rgb = frameToRgb8(frames, 0);
  if (width !== srcWidth || height !== srcHeight) {
    const resized = await sharp(rgb, { raw: { width: srcWidth, height: srcHeight, channels: 3 } })
      .resize(width, height, { fit: policy.mode === 'crop' ? 'cover' : 'fill', position: 'centre', kernel: 'cubic' })
      .raw()
      .toBuffer();
    rgb = new Uint8Array(resized.buffer, resized.byteOffset, resized.length);
  }
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) data[c * plane + i] = (rgb[i * 3 + c]! / 255) * 2 - 1;
  return { data, width, height };
}

/** Options of {@link encodeConditionLatent}. */
export interface EncodeConditionOptions {
  /** `sample` draws the posterior sample from `seed` (PIA); `mean` takes the mean (deterministic). */
  readonly mode: 'sample' | 'mean';
  readonly seed: Seed;
}

/** The scaled condition latent `[1, 4, H/8, W/8]` of prepared pixels. */
export async function encodeConditionLatent(
  vae: VaeHandle,
  pixels: { data: Float32Array; width: number; height: number },
  options: EncodeConditionOptions,
): Promise<{ latent: Float32Array; dims: [1, number, number, number] }> {
  const factor = vaeScaleFactor(vae.config.vae);
  const encoded = await vae.encodeLatent({ data: pixels.data, dims: [1, 3, pixels.height, pixels.width] }, { mode: options.mode, seed: options.seed });
  const [, c, h, w] = encoded.dims as [number, number, number, number];
  if (h !== pixels.height / factor || w !== pixels.width / factor) {
    throw new PipelineError('shape-mismatch', `the VAE gave a ${w}×${h} latent for a ${pixels.width}×${pixels.height} image`);
  }
  return { latent: encoded.data, dims: [1, c, h, w] };
}
