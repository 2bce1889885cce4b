import { stat } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { ImageLoadError } from './errors.js';
import { rgb8ToChw, type PixelRange } from './pixels.js';
import { planResize, type ResizeMode } from './resize-plan.js';

/** A path to an image file, or its encoded bytes (an upload). */
export type ImageSource = string | Uint8Array;

/** sharp's resampling kernels. */
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';

/** How {@link loadImage} decodes and sizes an image. */
export interface LoadImageOptions {
  /** Default `{ mode: 'pia' }`: long edge at most 512, sides floored to multiples of 8. */
  resize?: ResizeMode;
  /**
   * What happens to transparency. `drop` (default) discards the alpha channel and keeps the colour underneath, as
   * PIA's and ComfyUI's `Image.convert('RGB')` do; `flatten` composites onto `background`.
   */
  alpha?: 'drop' | 'flatten';
  /** Background for `alpha: 'flatten'`, 0–255 per channel; white by default. */
  background?: { r: number; g: number; b: number };
  /** Output range: `signed` [-1, 1] (default, the VAE's input) or `unit` [0, 1]. */
  range?: PixelRange;
  /**
   * Resampling kernel. Default `cubic` (Catmull-Rom, the same a = -0.5 cubic as PIL's BICUBIC, which PIA's
   * `Image.resize` uses); libvips' box pre-shrink means results are close to PIL's, not bit-identical.
   */
  kernel?: ResizeKernel;
  /** Label used in error messages when `source` is a buffer. */
  name?: string;
}

/** A decoded image as interleaved RGB bytes. */
export interface RgbImage {
  /** `height × width × 3` bytes, row-major. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** Size and format of the decoded image, after EXIF orientation and before resizing. */
  source: { width: number; height: number; format: string };
}

/** A decoded image as a planar float tensor `[1, 3, H, W]`. */
export interface LoadedImage {
  data: Float32Array;
  dims: [1, 3, number, number];
  width: number;
  height: number;
  source: RgbImage['source'];
}

/** Header-level facts about an image file; see {@link probeImage}. */
export type ImageProbe =
  | { ok: true; file: string; format: string; width: number; height: number; pages: number; hasAlpha: boolean }
  | { ok: false; file: string; error: ImageLoadError };

function labelOf(source: ImageSource, name?: string): string {
  return typeof source === 'string' ? source : (name ?? '<buffer>');
}

/** Fails fast, with a precise code, on a missing or empty file before libvips gets to say something vaguer. */
async function checkSource(source: ImageSource, file: string): Promise<void> {
  let size: number;
  if (typeof source === 'string') {
    try {
      const info = await stat(source);
      if (!info.isFile()) throw new ImageLoadError('not-found', file, `Not an image file (it is a directory or device): "${file}"`);
      size = info.size;
    } catch (error) {
      if (error instanceof ImageLoadError) throw error;
      throw new ImageLoadError('not-found', file, `Image file not found: "${file}"`, String((error as Error).message));
    }
  } else {
    size = source.length;
  }
  if (size === 0) throw new ImageLoadError('empty', file, `Image file is empty (0 bytes): "${file}"`);
}

function decodeError(error: unknown, file: string): ImageLoadError {
  const details = error instanceof Error ? error.message : String(error);
  if (/unsupported image format/i.test(details)) {
    return new ImageLoadError('not-an-image', file, `Not a decodable image (format not recognised): "${file}"`, details);
  }
  return new ImageLoadError('corrupt', file, `Image could not be decoded, it is corrupt or truncated: "${file}"`, details);
}

function input(source: ImageSource): string | Buffer {
  return typeof source === 'string' ? source : Buffer.from(source.buffer, source.byteOffset, source.length);
}

/**
 * Decodes an image to RGB bytes at the size `options.resize` asks for. Any format sharp reads (PNG, JPEG, WebP,
 * GIF, TIFF, AVIF, HEIF, SVG…); an animated GIF/WebP gives its first frame; EXIF orientation is applied (PIA does
 * not, but a photo on its side is never what a user means). Decoding and resizing are two passes so that the alpha
 * treatment happens before resampling, as with PIL's `convert('RGB')` followed by `resize`.
 */
export async function loadImageRgb(source: ImageSource, options: LoadImageOptions = {}): Promise<RgbImage> {
  const file = labelOf(source, options.name);
  await checkSource(source, file);
  let decoded: { data: Buffer; info: OutputInfo };
  let format: string;
  try {
    const image = sharp(input(source), { autoOrient: true, failOn: 'truncated' });
    format = (await image.metadata()).format ?? 'unknown';
    const opaque = options.alpha === 'flatten' ? image.flatten({ background: options.background ?? '#ffffff' }) : image.removeAlpha();
    decoded = await opaque.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw decodeError(error, file);
  }
  const { width, height, channels } = decoded.info;
  if (width === 0 || height === 0) throw new ImageLoadError('zero-size', file, `Image has zero size (${width}×${height}): "${file}"`);
  if (channels !== 3) throw new ImageLoadError('corrupt', file, `Image decoded to ${channels} channels instead of RGB: "${file}"`);
  const source_ = { width, height, format };
  const plan = planResize(file, width, height, options.resize);
  if (plan.width === width && plan.height === height) {
    return { rgb: new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length), width, height, source: source_ };
  }
  const resized = await sharp(decoded.data, { raw: { width, height, channels: 3 } })
    .resize(plan.width, plan.height, { fit: plan.fit, position: 'centre', kernel: options.kernel ?? 'cubic' })
    .raw()
    .toBuffer();
  return { rgb: new Uint8Array(resized.buffer, resized.byteOffset, resized.length), width: plan.width, height: plan.height, source: source_ };
}

/**
 * Loads an image as PIA's condition image: a `[1, 3, H, W]` float tensor in [-1, 1] (or [0, 1] with
 * `range: 'unit'`), sized by `options.resize` (PIA's rule by default). Throws {@link ImageLoadError} naming the file.
 */
export async function loadImage(source: ImageSource, options: LoadImageOptions = {}): Promise<LoadedImage> {
  const image = await loadImageRgb(source, options);
  return {
    data: rgb8ToChw(image.rgb, image.width, image.height, options.range ?? 'signed'),
    dims: [1, 3, image.height, image.width],
    width: image.width,
    height: image.height,
    source: image.source,
  };
}

/**
 * Cheap validation before a run: reads only the header, so it says whether the format is recognised and gives the
 * displayed size (EXIF orientation applied) without decoding pixels. A file truncated after its header passes here
 * and fails in {@link loadImage}.
 */
export async function probeImage(source: ImageSource, name?: string): Promise<ImageProbe> {
  const file = labelOf(source, name);
  try {
    await checkSource(source, file);
    let meta: Metadata;
    try {
      meta = await sharp(input(source)).metadata();
    } catch (error) {
      throw decodeError(error, file);
    }
    const width = meta.autoOrient?.width ?? meta.width ?? 0;
    const height = meta.autoOrient?.height ?? meta.height ?? 0;
    if (width === 0 || height === 0) throw new ImageLoadError('zero-size', file, `Image has zero size (${width}×${height}): "${file}"`);
    return { ok: true, file, format: meta.format ?? 'unknown', width, height, pages: meta.pages ?? 1, hasAlpha: meta.hasAlpha ?? false };
  } catch (error) {
    if (error instanceof ImageLoadError) return { ok: false, file, error };
    throw error;
  }
}
