/**
 * A model over all frames of a video built from a model that evaluates a subset of them: the frames are split
 * into context windows, each window is one evaluation, and each frame's prediction is the weighted mean of its
 * windows' predictions. This is what lets a motion module trained on 16 frames denoise 256.
 */
import type { ConditionedModel, CondKind } from '../cfg.js';
import { activeContextOptions, contextWindows } from './windows.js';
import { fuseWeights } from './fuse.js';
import type { ContextOptionsValue } from './options.js';

/**
 * Evaluates the frames `frames` (indices into the video) of `x` (all frames, `[F, C, h, w]`) at `sigma` under each
 * conditioning; returns per conditioning the denoised prediction of those frames only, `[frames.length, C, h, w]`.
 */
export type FrameModel = (x: Float32Array, sigma: number, conds: readonly CondKind[], frames: readonly number[]) => Promise<Float32Array[]>;

/** Where the sampling is, for options that start part-way (`start_percent`) and for schedules that move per step. */
export interface SamplingProgress {
  /** The index of the current step (0-based). */
  readonly step: () => number;
  readonly totalSteps: number;
}

/** A {@link ConditionedModel} over `frameCount` frames that evaluates `model` window by window and fuses. */
export function withContextWindows(model: FrameModel, frameCount: number, options: ContextOptionsValue, progress: SamplingProgress): ConditionedModel {
  return async (x, sigma, conds) => {
    const active = activeContextOptions(options, progress.step(), progress.totalSteps);
    const windows = contextWindows(frameCount, active, progress.step());
    const perFrame = x.length / frameCount;
    if (windows.length === 1 && windows[0]!.length === frameCount && windows[0]!.every((f, i) => f === i)) {
      return model(x, sigma, conds, windows[0]!);
    }
    const sums = conds.map(() => new Float64Array(x.length));
    const totals = new Float64Array(frameCount);
    for (const window of windows) {
      const predictions = await model(x, sigma, conds, window);
      const weights = fuseWeights(active.fuseMethod, window, frameCount, active.contextOverlap);
      window.forEach((frame, i) => {
        const wgt = weights[i]!;
        totals[frame]! += wgt;
        predictions.forEach((p, j) => {
          const sum = sums[j]!;
          for (let k = 0; k < perFrame; k++) sum[frame * perFrame + k]! += wgt * p[i * perFrame + k]!;
        });
      });
    }
    return sums.map((sum) => {
      const out = new Float32Array(x.length);
      for (let frame = 0; frame < frameCount; frame++) {
        const total = totals[frame]!;
        for (let k = 0; k < perFrame; k++) out[frame * perFrame + k] = sum[frame * perFrame + k]! / total;
      }
      return out;
    });
  };
}
