/** How far a result is from its reference: the figures the device checks report. */

/** Differences of `value` from `reference`, element by element. */
export interface Difference {
  /** Largest |value − reference|. */
  readonly maxAbs: number;
  /** `maxAbs` over the largest |reference|: the error on the tensor's own scale. */
  readonly maxRel: number;
  /** Root-mean-square difference. */
  readonly rms: number;
  /** Elements of `value` that are NaN or infinite (an fp16 overflow shows here). */
  readonly nonFinite: number;
}

/** Compares two tensors of the same length. */
export function difference(value: ArrayLike<number>, reference: ArrayLike<number>): Difference {
  if (value.length !== reference.length) throw new RangeError(`comparing ${value.length} values with ${reference.length}`);
  let maxAbs = 0;
  let scale = 0;
  let sq = 0;
  let nonFinite = 0;
  for (let i = 0; i < value.length; i++) {
    const v = value[i]!;
    const r = reference[i]!;
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    const d = Math.abs(v - r);
    maxAbs = Math.max(maxAbs, d);
    scale = Math.max(scale, Math.abs(r));
    sq += d * d;
  }
  return { maxAbs, maxRel: scale > 0 ? maxAbs / scale : maxAbs, rms: Math.sqrt(sq / Math.max(1, value.length - nonFinite)), nonFinite };
}

/**
 * Peak signal-to-noise ratio in dB of images in [0, 1] (`peak` 1): 10·log10(peak² / MSE). Infinity when equal;
 * NaN values count as the largest error.
 */
export function psnr(value: ArrayLike<number>, reference: ArrayLike<number>, peak = 1): number {
  if (value.length !== reference.length) throw new RangeError(`comparing ${value.length} values with ${reference.length}`);
  let sq = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value[i]! - reference[i]!;
    sq += Number.isFinite(d) ? d * d : peak * peak;
  }
  const mse = sq / value.length;
  return mse === 0 ? Infinity : 10 * Math.log10((peak * peak) / mse);
}
