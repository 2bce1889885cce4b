import { FrameDataError } from '../image/errors.js';
import { checkFloatFrames, floatFrameToRgb8, type FloatFrames } from '../image/pixels.js';
import { VideoWriteError } from './errors.js';

/** Frames already as interleaved RGB bytes, each `height × width × 3`. */
export interface Rgb8Frames {
  width: number;
  height: number;
  frames: readonly Uint8Array[];
}

/** What the writers accept: a float tensor `[F, 3, H, W]` in [0, 1], or RGB byte frames. */
export type VideoFrames = FloatFrames | Rgb8Frames;

/** Frames with random access to each one as RGB bytes, converted on demand. */
export interface FrameSequence {
  width: number;
  height: number;
  count: number;
  rgb(index: number): Uint8Array;
}

/** Validates `frames` and wraps them for the writers; VideoWriteError `no-frames` / `bad-frames` otherwise. */
export function toFrameSequence(frames: VideoFrames): FrameSequence {
  if ('dims' in frames) {
    if (frames.dims[0] === 0) throw new VideoWriteError('no-frames', 'Cannot write a video of 0 frames');
    try {
      checkFloatFrames(frames);
    } catch (error) {
      if (error instanceof FrameDataError) throw new VideoWriteError('bad-frames', error.message);
      throw error;
    }
    const [count, , height, width] = frames.dims;
    return { width, height, count, rgb: (index) => floatFrameToRgb8(frames, index) };
  }
  const { width, height } = frames;
  if (frames.frames.length === 0) throw new VideoWriteError('no-frames', 'Cannot write a video of 0 frames');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new VideoWriteError('bad-frames', `Frame size must be positive integers, got ${width}×${height}`);
  }
  frames.frames.forEach((frame, index) => {
    if (frame.length !== width * height * 3) {
      throw new VideoWriteError(
        'bad-frames',
        `Frame ${index} holds ${frame.length} bytes, but ${width}×${height} RGB frames need ${width * height * 3}`,
      );
    }
  });
  return { width, height, count: frames.frames.length, rgb: (index) => frames.frames[index]! };
}

/**
 * The order frames are written in: `pingpong` appends them reversed without repeating either end frame
 * (VideoHelperSuite's `to_pingpong`: 0 1 2 3 → 0 1 2 3 2 1), and `repeats` extra copies of the whole follow.
 */
export function frameOrder(count: number, pingpong = false, repeats = 0): number[] {
  const once = Array.from({ length: count }, (_, i) => i);
  if (pingpong) for (let i = count - 2; i > 0; i--) once.push(i);
  const order: number[] = [];
  for (let r = 0; r <= repeats; r++) order.push(...once);
  return order;
}

/**
 * Per-frame delays in whole `unitMs` units whose running total tracks `i × 1000 / fps` as closely as the unit
 * allows, so a long animation keeps its frame rate on average (8 fps in GIF centiseconds: 130, 120, 130, 120 ms).
 */
export function frameDelays(count: number, frameRate: number, unitMs: number): number[] {
  const units = (i: number): number => Math.round((i * 1000) / frameRate / unitMs);
  return Array.from({ length: count }, (_, i) => Math.max(1, units(i + 1) - units(i)) * unitMs);
}

/** A frame padded to even width and height by repeating its last column and row (4:2:0 chroma needs even sizes). */
export function padToEven(rgb: Uint8Array, width: number, height: number): { rgb: Uint8Array; width: number; height: number } {
  const paddedWidth = width + (width & 1);
  const paddedHeight = height + (height & 1);
  if (paddedWidth === width && paddedHeight === height) return { rgb, width, height };
  const out = new Uint8Array(paddedWidth * paddedHeight * 3);
  for (let y = 0; y < paddedHeight; y++) {
    const source = Math.min(y, height - 1) * width * 3;
    const target = y * paddedWidth * 3;
    out.set(rgb.subarray(source, source + width * 3), target);
    if (paddedWidth !== width) out.copyWithin(target + width * 3, target + (width - 1) * 3, target + width * 3);
  }
  return { rgb: out, width: paddedWidth, height: paddedHeight };
}
