/**
 * A model over all frames of a video built from a model that evaluates a subset of them: the frames are split
 * into context windows (and views, `plan.ts`), each is one evaluation, and each frame's prediction is the weighted mean
 * of its windows' predictions. This is what lets a motion module trained on 16 frames denoise 256. Chained options
 * switch as ADE switches them (`schedule.ts`); NaiveReuse mixes the first window into all; ContextRef is refused.
 */
import type { ConditionedModel, CondKind } from '../cfg.js';
import { ContextError } from './errors.js';
import { seededRandom } from './fuse.js';
import { mixReused, NaiveReuseRun } from './naive-reuse.js';
import { chainExtras, contextChain, sortedContextChain, type ContextOptionsValue, type ContextRefValue } from './options.js';
import { planWindowCalls } from './plan.js';
import { inPercentRange, KeyframeTracker } from './schedule.js';
import { windowsApply } from './windows.js';

/**
 * Evaluates the frames `frames` (indices into the video) of `x` (all frames, `[F, C, h, w]`) at `sigma` under each
 * conditioning; returns per conditioning the denoised prediction of those frames only, `[frames.length, C, h, w]`.
 */
export type FrameModel = (x: Float32Array, sigma: number, conds: readonly CondKind[], frames: readonly number[]) => Promise<Float32Array[]>;

/** Where the sampling is, for schedules that move per step. */
export interface SamplingProgress {
  /** The index of the current step (0-based). */
  readonly step: () => number;
  readonly totalSteps: number;
}

/** The seed of `🔬random`'s weights (fixed, so that a graph samples the same twice). */
const RANDOM_FUSE_SEED = 0x5eed;

/** The refusal of ContextRef when it would act (ADE raises too when Advanced-ControlNet cannot provide it). */
function contextRefError(ref: ContextRefValue): ContextError {
  return new ContextError(
    'unsupported',
    `ContextRef (mode "${ref.mode.mode}") shares the reference windows' attention keys and values with the other windows through ` +
      "Advanced-ControlNet's reference attention, which piagraph does not implement; disconnect the Context Extras◆ContextRef node " +
      '(or give it a start_percent after its end_percent)',
    { mode: ref.mode.mode },
    'context_extras',
  );
}

/**
 * A {@link ConditionedModel} over `frameCount` frames that evaluates `model` window by window and fuses.
 * `percentToSigma` is the model sampling's (when the chained options and the extras switch).
 */
export function withContextWindows(
  model: FrameModel,
  frameCount: number,
  options: ContextOptionsValue,
  progress: SamplingProgress,
  percentToSigma: (percent: number) => number,
): ConditionedModel {
  const all = Array.from({ length: frameCount }, (_, i) => i);
  // ADE decides once, from the options in force at the start, whether windows are used at all; if not, neither
  // are the extras.
  if (!windowsApply(frameCount, sortedContextChain(options)[0]!)) return (x, sigma, conds) => model(x, sigma, conds, all);
  const tracker = new KeyframeTracker(contextChain(options), percentToSigma);
  const extras = chainExtras(options);
  const naive = extras?.naiveReuse ? new NaiveReuseRun(extras.naiveReuse, percentToSigma) : undefined;
  const random = seededRandom(RANDOM_FUSE_SEED);
  return async (x, sigma, conds) => {
    const active = tracker.at(sigma);
    const reuse = naive?.weightAt(sigma);
    const ref = extras?.contextRef;
    if (ref && inPercentRange(sigma, ref.startPercent, ref.endPercent, percentToSigma)) throw contextRefError(ref);
    const { windows, calls } = planWindowCalls(frameCount, active, progress.step(), { sigma, random });
    if (calls.length === 1 && calls[0]!.frames.length === frameCount && calls[0]!.frames.every((f, i) => f === i)) {
      return model(x, sigma, conds, all);
    }
    const perFrame = x.length / frameCount;
    const sums = conds.map(() => new Float64Array(x.length));
    const totals = new Float64Array(frameCount);
    const normalised = (j: number, frames: readonly number[]) => {
      const out = new Float32Array(x.length);
      for (const frame of frames) {
        const total = totals[frame]!;
        for (let k = 0; k < perFrame; k++) out[frame * perFrame + k] = sums[j]![frame * perFrame + k]! / total;
      }
      return out;
    };
    let reused: Float32Array[] | undefined;
    for (const [c, call] of calls.entries()) {
      const predictions = await model(x, sigma, conds, call.frames);
      call.frames.forEach((frame, i) => {
        const wgt = call.weights[i]!;
        totals[frame]! += wgt;
        predictions.forEach((p, j) => {
          const sum = sums[j]!;
          for (let k = 0; k < perFrame; k++) sum[frame * perFrame + k]! += wgt * p[i * perFrame + k]!;
        });
      });
      // NaiveReuse keeps the first context window's prediction as it stands once that window is done.
      if (reuse !== undefined && !reused && calls[c + 1]?.window !== 0) reused = conds.map((_, j) => normalised(j, windows[0]!));
    }
    return conds.map((_, j) => {
      const out = normalised(j, all);
      if (reused) mixReused(out, reused[j]!, windows[0]!, frameCount, perFrame, reuse!);
      return out;
    });
  };
}
