/**
 * NaiveReuse (ADE's context extra): while it runs, the first context window's fused prediction is tiled over the
 * whole video, block after block of the window's length starting at the window's first frame (wrapping), and every
 * frame's prediction becomes `w·reused + (1 − w)·own`, w = weighted_mean × keyframe mult × multivals. It pulls all
 * windows toward the first one early in sampling, for consistency across windows.
 */
import { KeyframeTracker, inPercentRange, sortByStart } from './schedule.js';
import type { NaiveReuseKeyframe, NaiveReuseValue } from './options.js';

/** Keyframes with ADE's inheritance: a keyframe without a multival takes the one before it unless `inheritMissing` is off. */
function withInheritedMultivals(keyframes: readonly NaiveReuseKeyframe[]): NaiveReuseKeyframe[] {
  let carried: number | undefined;
  return sortByStart(keyframes).map((kf) => {
    if (!kf.inheritMissing) carried = undefined;
    const multMultival = kf.multMultival ?? carried;
    if (multMultival !== undefined) carried = multMultival;
    const { multMultival: _own, ...rest } = kf;
    return multMultival !== undefined ? { ...rest, multMultival } : rest;
  });
}

/** NaiveReuse over one sampling run: tracks its keyframes and says how strongly it acts at each model call. */
export class NaiveReuseRun {
  private readonly keyframes: KeyframeTracker<NaiveReuseKeyframe> | undefined;

  constructor(
    private readonly value: NaiveReuseValue,
    private readonly percentToSigma: (percent: number) => number,
  ) {
    const keyframes = value.keyframes?.keyframes ?? [];
    this.keyframes = keyframes.length > 0 ? new KeyframeTracker(withInheritedMultivals(keyframes), percentToSigma) : undefined;
  }

  /** The reuse weight for the call at `sigma`, or undefined when NaiveReuse does not run there (ADE's `should_run`). */
  weightAt(sigma: number): number | undefined {
    const kf = this.keyframes?.at(sigma);
    const mult = kf?.mult ?? 1;
    const kfMultival = kf?.multMultival;
    const { value } = this;
    if (!inPercentRange(sigma, value.startPercent, value.endPercent, this.percentToSigma)) return undefined;
    if (kfMultival === 0) return undefined;
    if (!(value.weightedMean > 0 && mult > 0)) return undefined;
    return value.weightedMean * mult * (value.multival ?? 1) * (kfMultival ?? 1);
  }
}

/**
 * Mixes `reused` (the first window's prediction, at its frames `firstWindow`) into `out` (`[F, …]`, `perFrame` values a
 * frame) with weight `weight`, tiling the window's frames over the video from its first frame.
 */
export function mixReused(out: Float32Array, reused: Float32Array, firstWindow: readonly number[], frameCount: number, perFrame: number, weight: number): void {
  const length = firstWindow.length;
  const start = firstWindow[0]!;
  for (let block = 0; block < frameCount; block += length) {
    for (let j = 0; j < length && block + j < frameCount; j++) {
      const frame = (block + j + start) % frameCount;
      const source = firstWindow[j]!;
      for (let k = 0; k < perFrame; k++) {
        const at = frame * perFrame + k;
        out[at] = weight * reused[source * perFrame + k]! + (1 - weight) * out[at]!;
      }
    }
  }
}
