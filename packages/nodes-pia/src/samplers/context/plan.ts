/**
 * The U-Net calls of one model evaluation under context options, each with the frames it sees and the weight of its
 * prediction for each of them; a frame's prediction is the weighted mean over the calls that hold it.
 *
 * Without view options each context window is one call, weighted by the context fuse method. With view options ADE
 * splits each context window into views inside the motion modules only: every temporal attention runs per view and
 * the views' outputs are fused (view fuse method) before the rest of the U-Net, which sees the whole context window.
 * piagraph's U-Net (motion modules included) is one graph that attends over all frames of a call, so it cannot split
 * inside; the nearest it can do is to run each view as a U-Net call of its own and fuse the views' predictions with
 * the view weights into the context window's prediction. The spatial layers are per frame either way, so the
 * difference is where the fusing happens (after the whole U-Net instead of after each motion module) and the frames
 * a frame-pooled GroupNorm sees (the view's, not the context window's).
 */
import { fuseWeights, type FuseInputs } from './fuse.js';
import type { ContextOptionsValue } from './options.js';
import { layoutWindows, windowsApply } from './windows.js';

/** One U-Net call of a plan. */
export interface WindowCall {
  /** Which context window it belongs to (0 = the first, which NaiveReuse reuses). */
  readonly window: number;
  /** The video frames it sees, in order. */
  readonly frames: readonly number[];
  /** The weight of its prediction of each of those frames. */
  readonly weights: readonly number[];
}

/** The context windows of an evaluation and the U-Net calls that cover them. */
export interface WindowPlan {
  readonly windows: readonly (readonly number[])[];
  readonly calls: readonly WindowCall[];
}

/**
 * The plan of `options` (the set in force) over `frameCount` frames at step `step` and sigma `inputs.sigma`, once
 * windows apply (see `windowsApply`).
 */
export function planWindowCalls(frameCount: number, options: ContextOptionsValue, step: number, inputs: FuseInputs): WindowPlan {
  const calls: WindowCall[] = [];
  const windows = layoutWindows(frameCount, options, step);
  windows.forEach((frames, window) => {
    const weights = fuseWeights(options.fuseMethod, frames, frameCount, options.contextOverlap, inputs);
    const views = options.viewOptions;
    if (!views || !windowsApply(frames.length, views)) {
      calls.push({ window, frames, weights });
      return;
    }
    // Views hold positions inside the context window; each position's view weights are normalised so the views
    // together carry the context window's weight of that frame.
    const layouts = layoutWindows(frames.length, views, step);
    const viewWeights = layouts.map((positions) => fuseWeights(views.fuseMethod, positions, frames.length, views.contextOverlap, inputs));
    const totals = new Float64Array(frames.length);
    layouts.forEach((positions, v) => positions.forEach((p, q) => (totals[p]! += viewWeights[v]![q]!)));
    layouts.forEach((positions, v) => {
      calls.push({
        window,
        frames: positions.map((p) => frames[p]!),
        weights: positions.map((p, q) => (weights[p]! * viewWeights[v]![q]!) / totals[p]!),
      });
    });
  });
  return { windows, calls };
}
