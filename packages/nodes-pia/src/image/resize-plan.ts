import { ImageLoadError } from './errors.js';

/**
 * How a loaded image is sized:
 * - `pia` (default): PIA's `preprocess_img`: if the long edge exceeds `maxSize` (512) scale so it equals it,
 *   truncating each side as Python's `int()` does; never upscale; then floor each side to a multiple of
 *   `multipleOf` (8), stretching the small remainder away.
 * - `cover`: exactly `width`×`height`, scaled to cover and centre-cropped (no distortion).
 * - `stretch`: exactly `width`×`height`, aspect ratio not kept.
 * - `original`: the decoded size, untouched.
 */
export type ResizeMode =
  | { mode: 'pia'; maxSize?: number; multipleOf?: number }
  | { mode: 'cover'; width: number; height: number }
  | { mode: 'stretch'; width: number; height: number }
  | { mode: 'original' };

/** The size an image ends up at and how sharp should fit it there. */
export interface ResizePlan {
  width: number;
  height: number;
  fit: 'cover' | 'fill';
}

function requirePositiveInteger(file: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ImageLoadError('bad-option', file, `Resize option ${name} must be a positive integer, got ${value} (loading "${file}")`);
  }
}

/**
 * PIA's target size for a `width`×`height` image, in the order of operations of PIA's `preprocess_img`
 * (`scale = max_size / long_edge`, `int(width * scale)`, then `(w // 8) * 8`), so the doubles round identically.
 */
export function piaTargetSize(width: number, height: number, maxSize = 512, multipleOf = 8): { width: number; height: number } {
  const longEdge = Math.max(width, height);
  const scale = longEdge > maxSize ? maxSize / longEdge : 1;
  const scaledWidth = Math.trunc(width * scale);
  const scaledHeight = Math.trunc(height * scale);
  return {
    width: Math.floor(scaledWidth / multipleOf) * multipleOf,
    height: Math.floor(scaledHeight / multipleOf) * multipleOf,
  };
}

/** Resolves a {@link ResizeMode} against the decoded size of `file`; throws ImageLoadError for bad options or a result of zero size. */
export function planResize(file: string, width: number, height: number, resize: ResizeMode = { mode: 'pia' }): ResizePlan {
  switch (resize.mode) {
    case 'original':
      return { width, height, fit: 'fill' };
    case 'cover':
    case 'stretch':
      requirePositiveInteger(file, 'width', resize.width);
      requirePositiveInteger(file, 'height', resize.height);
      return { width: resize.width, height: resize.height, fit: resize.mode === 'cover' ? 'cover' : 'fill' };
    case 'pia': {
      const maxSize = resize.maxSize ?? 512;
      const multipleOf = resize.multipleOf ?? 8;
      requirePositiveInteger(file, 'maxSize', maxSize);
      requirePositiveInteger(file, 'multipleOf', multipleOf);
      const target = piaTargetSize(width, height, maxSize, multipleOf);
      if (target.width === 0 || target.height === 0) {
        throw new ImageLoadError(
          'too-small',
          file,
          `Image "${file}" is ${width}×${height}: too small to give a size that is a multiple of ${multipleOf} ` +
            `with the long edge at most ${maxSize}`,
        );
      }
      return { ...target, fit: 'fill' };
    }
  }
}
