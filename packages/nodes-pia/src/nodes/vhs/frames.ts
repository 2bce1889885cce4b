/**
 * 8-bit frames to ComfyUI IMAGE values, resized as VHS resizes loaded frames: ComfyUI's `common_upscale` with
 * `lanczos` and `center` crop (the crop by ComfyUI's rule, then PIL's LANCZOS, here sharp's lanczos3 on the same 8-bit
 * pixels).
 */
import sharp from 'sharp';
import { roundHalfEven } from '../../image/resample.js';
import { PipelineError } from '../../pipeline/errors.js';
import type { ImageValue } from '../socket-values.js';

/** Elements of an IMAGE this process can hold in one Float32Array, with room to spare. */
export const MAX_IMAGE_ELEMENTS = 2 ** 29;

/** One interleaved RGB frame centre-cropped to the target aspect ratio and resized with lanczos. */
export async function lanczosFrame(rgb: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Promise<Uint8Array> {
  if (width === toWidth && height === toHeight) return rgb;
  const oldAspect = width / height;
  const newAspect = toWidth / toHeight;
  let x = 0;
  let y = 0;
  if (oldAspect > newAspect) x = roundHalfEven((width - width * (newAspect / oldAspect)) / 2);
  else if (oldAspect < newAspect) y = roundHalfEven((height - height * (oldAspect / newAspect)) / 2);
  let image = sharp(rgb, { raw: { width, height, channels: 3 } });
  if (x > 0 || y > 0) image = sharp(await image.extract({ left: x, top: y, width: width - 2 * x, height: height - 2 * y }).raw().toBuffer(), { raw: { width: width - 2 * x, height: height - 2 * y, channels: 3 } });
  const out = await image.resize(toWidth, toHeight, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Interleaved RGB frames of one size → IMAGE `[F, 3, H, W]` in [0, 1]. */
export function rgbFramesToImage(frames: readonly Uint8Array[], width: number, height: number, input: string): ImageValue {
  const plane = width * height;
  if (frames.length * 3 * plane > MAX_IMAGE_ELEMENTS) {
    throw new PipelineError('bad-option', `${frames.length} frames of ${width}×${height} are more than one IMAGE can hold; lower frame_load_cap or the size`, {}, input);
  }
  const data = new Float32Array(frames.length * 3 * plane);
  frames.forEach((rgb, f) => {
    for (let c = 0; c < 3; c++) {
      const base = (f * 3 + c) * plane;
      for (let i = 0; i < plane; i++) data[base + i] = rgb[i * 3 + c]! / 255;
    }
  });
  return { data, dims: [frames.length, 3, height, width] };
}
