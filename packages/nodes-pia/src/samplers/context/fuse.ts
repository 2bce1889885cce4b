/**
 * Per-frame weights of one window's predictions when overlapping windows are fused (ADE's fuse methods):
 * `pyramid` rises linearly to the window's middle and falls again (frames near a window's edge, where its
 * motion context is one-sided, count less), `flat` weighs every frame alike, `overlap-linear` ramps only across the
 * overlap with the neighbouring windows.
 */
import type { FuseMethod } from './options.js';

/** `[1, 2, …, m, …, 2, 1]` over `length` frames (an even length repeats the peak). */
export function pyramidWeights(length: number): number[] {
  const half = Math.ceil(length / 2);
  return Array.from({ length }, (_, i) => Math.min(i + 1, length - i, half));
}

/** The weights of a window holding `window` (frame indices) of `frameCount` frames. */
export function fuseWeights(method: FuseMethod, window: readonly number[], frameCount: number, overlap: number): number[] {
  const n = window.length;
  switch (method) {
    case 'flat':
      return Array.from({ length: n }, () => 1);
    case 'pyramid':
      return pyramidWeights(n);
    case 'overlap-linear': {
      const weights = Array.from({ length: n }, () => 1);
      const ramp = Math.min(overlap, n);
      // A ramp from ~0 to 1 over the overlap, where a neighbouring window also covers these frames.
      const at = (i: number) => (ramp <= 1 ? 1 : Math.max(1e-6, i / (ramp - 1)));
      if (window[0]! > 0) for (let i = 0; i < ramp; i++) weights[i] = at(i);
      if (window[n - 1]! < frameCount - 1) for (let i = 0; i < ramp; i++) weights[n - 1 - i] = Math.min(weights[n - 1 - i]!, at(i));
      return weights;
    }
  }
}
