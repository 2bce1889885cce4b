import { FrameDataError } from './errors.js';

/** Value range of a float image tensor: `signed` is [-1, 1] (the VAE's input), `unit` is [0, 1] (IMAGE frames). */
export type PixelRange = 'signed' | 'unit';

/** Frames as a planar float tensor `[F, 3, H, W]` with values in [0, 1] (what VAE decoding yields). */
export interface FloatFrames {
  data: Float32Array;
  dims: readonly [frames: number, channels: number, height: number, width: number];
}

/**
 * Interleaved RGB bytes (`H×W×3`, row-major, the layout sharp and ffmpeg's `rgb24` take) to a planar float tensor
 * `[1, 3, H, W]`: `v / 255` for `unit`, `v / 255 * 2 - 1` for `signed`, as PIA prepares its condition image.
 */
export function rgb8ToChw(rgb: Uint8Array, width: number, height: number, range: PixelRange = 'signed'): Float32Array {
  const plane = width * height;
  if (rgb.length !== plane * 3) {
    throw new FrameDataError(`RGB buffer holds ${rgb.length} bytes, expected ${plane * 3} for ${width}×${height}×3`);
  }
  const out = new Float32Array(plane * 3);
  const scale = range === 'signed' ? 2 / 255 : 1 / 255;
  const offset = range === 'signed' ? -1 : 0;
  for (let i = 0; i < plane; i++) {
    out[i] = rgb[i * 3]! * scale + offset;
    out[plane + i] = rgb[i * 3 + 1]! * scale + offset;
    out[2 * plane + i] = rgb[i * 3 + 2]! * scale + offset;
  }
  return out;
}

/** Checks that `frames` is a well-formed `[F, 3, H, W]` tensor with at least one frame; throws FrameDataError otherwise. */
export function checkFloatFrames(frames: FloatFrames): void {
  const { dims, data } = frames;
  if (dims.length !== 4) throw new FrameDataError(`Frames must be [F, 3, H, W], got dims [${dims.join(', ')}]`);
  const [count, channels, height, width] = dims;
  if (channels !== 3) throw new FrameDataError(`Frames must have 3 channels (RGB), got ${channels} in dims [${dims.join(', ')}]`);
  if (![count, height, width].every((n) => Number.isInteger(n) && n > 0)) {
    throw new FrameDataError(`Frames need at least one frame of at least 1×1 pixels, got dims [${dims.join(', ')}]`);
  }
  if (data.length !== count * 3 * height * width) {
    throw new FrameDataError(
      `Frame data holds ${data.length} values, but dims [${dims.join(', ')}] need ${count * 3 * height * width}`,
    );
  }
}

/**
 * One frame of a `[F, 3, H, W]` float tensor in [0, 1] as interleaved RGB bytes, exactly as PIA's
 * `save_videos_grid` does it: `clamp(x * 255, 0, 255).astype(uint8)`. The product is rounded to float32
 * (torch multiplies float32 tensors in float32) and then truncated, not rounded: 0.5 gives 127. NaN gives 0.
 */
export function floatFrameToRgb8(frames: FloatFrames, index: number): Uint8Array {
  const [, , height, width] = frames.dims;
  const plane = height * width;
  const base = index * 3 * plane;
  const out = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const channel = frames.data.subarray(base + c * plane, base + (c + 1) * plane);
    for (let i = 0; i < plane; i++) {
      const scaled = Math.fround(channel[i]! * 255);
      // `>= 0` is false for NaN, which therefore lands on 0.
      out[i * 3 + c] = scaled >= 255 ? 255 : scaled >= 0 ? Math.trunc(scaled) : 0;
    }
  }
  return out;
}

/** Every frame of a `[F, 3, H, W]` float tensor in [0, 1] as interleaved RGB bytes; see {@link floatFrameToRgb8}. */
export function floatFramesToRgb8(frames: FloatFrames): Uint8Array[] {
  checkFloatFrames(frames);
  return Array.from({ length: frames.dims[0] }, (_, i) => floatFrameToRgb8(frames, i));
}
