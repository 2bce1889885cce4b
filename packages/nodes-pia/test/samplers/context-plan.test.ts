/**
 * What one model evaluation does under context options: the calls and their weights with view options, ADE's
 * sigma-based switching of chained options, NaiveReuse and the ContextRef refusal, against hand-worked cases.
 */
import { describe, expect, it } from 'vitest';
import {
  ContextError,
  KeyframeTracker,
  mixReused,
  NaiveReuseRun,
  planWindowCalls,
  withContextWindows,
  type ContextExtrasValue,
  type ContextOptionsValue,
  type FrameModel,
  type ViewOptionsValue,
} from '../../src/samplers/index.js';

const options = (o: Partial<ContextOptionsValue>): ContextOptionsValue => ({
  kind: 'context-options',
  schedule: 'standard_static',
  contextLength: 16,
  contextStride: 1,
  contextOverlap: 4,
  closedLoop: false,
  fuseMethod: 'pyramid',
  useOnEqualLength: false,
  startPercent: 0,
  guaranteeSteps: 1,
  ...o,
});
const view = (o: Partial<ViewOptionsValue>): ViewOptionsValue => ({
  kind: 'view-options',
  schedule: 'standard_static',
  contextLength: 4,
  contextStride: 1,
  contextOverlap: 2,
  closedLoop: false,
  fuseMethod: 'flat',
  useOnEqualLength: false,
  ...o,
});
const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
/** A made-up model sampling's percent_to_sigma: 0 % above everything, then σ = 10·(1 − p). */
const percentToSigma = (p: number) => (p <= 0 ? 999999999.9 : p >= 1 ? 0 : 10 * (1 - p));
const round = (xs: ArrayLike<number>) => Array.from(xs, (v) => Number(v.toFixed(5)));

describe('window plans', () => {
  it('without views: one call per context window, weighted by the context fuse method', () => {
    const { windows, calls } = planWindowCalls(10, options({ contextLength: 6, contextOverlap: 2 }), 0, {});
    expect(windows).toEqual([span(0, 5), span(4, 9)]);
    expect(calls).toEqual([
      { window: 0, frames: span(0, 5), weights: [1, 2, 3, 3, 2, 1] },
      { window: 1, frames: span(4, 9), weights: [1, 2, 3, 3, 2, 1] },
    ]);
  });

  it('views only: views over all frames, each position sharing its weight among the views holding it', () => {
    // 8 frames, views of 4 overlapping by 2 → positions [0..3], [2..5], [4..7], pyramid [1, 2, 2, 1] each; position
    // totals 1, 2, 3, 3, 3, 3, 2, 1; the context (one flat window) gives every frame 1.
    const viewsOnly = options({ schedule: 'view_as_context', contextLength: 0, fuseMethod: 'flat', useOnEqualLength: true, viewOptions: view({ fuseMethod: 'pyramid' }) });
    const { calls } = planWindowCalls(8, viewsOnly, 0, {});
    expect(calls.map((c) => c.frames)).toEqual([span(0, 3), span(2, 5), span(4, 7)]);
    expect(calls.map((c) => round(c.weights))).toEqual([round([1, 1, 2 / 3, 1 / 3]), round([1 / 3, 2 / 3, 2 / 3, 1 / 3]), round([1 / 3, 2 / 3, 1, 1])]);
  });

  it('context windows with views: each window split, view weights × the window weight of the frame', () => {
    // Windows [0..5], [4..9] (pyramid [1, 2, 3, 3, 2, 1]); views of 4 overlapping by 2 inside 6 → [0..3], [2..5], flat,
    // position totals 1, 1, 2, 2, 1, 1.
    const { calls } = planWindowCalls(10, options({ contextLength: 6, contextOverlap: 2, viewOptions: view({}) }), 0, {});
    expect(calls).toEqual([
      { window: 0, frames: span(0, 3), weights: [1, 2, 1.5, 1.5] },
      { window: 0, frames: span(2, 5), weights: [1.5, 1.5, 2, 1] },
      { window: 1, frames: span(4, 7), weights: [1, 2, 1.5, 1.5] },
      { window: 1, frames: span(6, 9), weights: [1.5, 1.5, 2, 1] },
    ]);
  });

  it('leaves a context window whole when the view is as long and use_on_equal_length is off', () => {
    const { calls } = planWindowCalls(10, options({ contextLength: 6, contextOverlap: 2, viewOptions: view({ contextLength: 6 }) }), 0, {});
    expect(calls.map((c) => c.frames)).toEqual([span(0, 5), span(4, 9)]);
  });
});

describe("ADE's switching of chained options", () => {
  const at = (tracker: KeyframeTracker<ContextOptionsValue>, sigmas: number[]) => sigmas.map((s) => tracker.at(s).contextLength);

  it('switches once the sigma falls to the next start (start 0.5 → σ 5)', () => {
    const chain = options({ contextLength: 12, startPercent: 0.5, prev: options({ contextLength: 8 }) });
    expect(at(new KeyframeTracker([chain.prev!, chain], percentToSigma), [10, 8, 6, 4.9, 3])).toEqual([8, 8, 8, 12, 12]);
  });

  it('keeps an option for its guarantee_steps, skips started ones that guarantee none, counts a repeated sigma once', () => {
    const a = options({ contextLength: 8 });
    const b = options({ contextLength: 10, startPercent: 0.2, guaranteeSteps: 3 });
    const c = options({ contextLength: 12, startPercent: 0.3 });
    // B starts at σ 8 and holds for 3 calls (8, 7, 6.5) though C started at σ 7.
    expect(at(new KeyframeTracker([a, b, c], percentToSigma), [10, 8, 8, 7, 6.5, 6])).toEqual([8, 10, 10, 10, 10, 12]);
    // With B guaranteeing nothing, a call at σ 6.5 passes through B to C.
    expect(at(new KeyframeTracker([a, { ...b, guaranteeSteps: 0 }, c], percentToSigma), [10, 6.5])).toEqual([8, 12]);
  });
});

describe('NaiveReuse', () => {
  it("tiles the first window's frames over the video from its first frame, wrapping", () => {
    // 10 frames, first window 6..9: blocks of 4 put 6, 7, 8, 9 at frames 6..9, then 0..3, then 4, 5.
    const reused = Float32Array.from(span(0, 9));
    const out = new Float32Array(10);
    mixReused(out, reused, [6, 7, 8, 9], 10, 1, 1);
    expect(Array.from(out)).toEqual([6, 7, 8, 9, 6, 7, 6, 7, 8, 9]);
    const half = Float32Array.from({ length: 10 }, () => 10);
    mixReused(half, reused, [6, 7, 8, 9], 10, 1, 0.25);
    expect(half[0]).toBeCloseTo(0.25 * 6 + 0.75 * 10);
  });

  it('acts between its start and end percent, scaled by keyframe mults and multivals', () => {
    const run = new NaiveReuseRun({ startPercent: 0, endPercent: 0.5, weightedMean: 0.8, multival: 0.5 }, percentToSigma);
    expect([10, 5, 4.99].map((s) => run.weightAt(s))).toEqual([0.4, 0.4, undefined]);
    const keyed = new NaiveReuseRun(
      {
        startPercent: 0,
        endPercent: 1,
        weightedMean: 0.8,
        keyframes: {
          kind: 'naivereuse-keyframes',
          keyframes: [
            { mult: 1, multMultival: 0.5, startPercent: 0, guaranteeSteps: 1, inheritMissing: true },
            // Inherits the multival 0.5; at σ ≤ 6 the mult is 0.5.
            { mult: 0.5, startPercent: 0.4, guaranteeSteps: 1, inheritMissing: true },
            // A multival of 0 stops it.
            { mult: 1, multMultival: 0, startPercent: 0.7, guaranteeSteps: 1, inheritMissing: true },
          ],
        },
      },
      percentToSigma,
    );
    expect([10, 6, 3].map((s) => keyed.weightAt(s))).toEqual([0.4, 0.2, undefined]);
  });

  it('mixes the first window into every frame of the fused prediction', async () => {
    // 8 frames, windows [0..3], [4..7] (overlap 0); every window predicts the frame number. Reuse 0.5: frames 4..7
    // become 0.5·(0, 1, 2, 3) + 0.5·(4, 5, 6, 7).
    const model: FrameModel = async (_x, _s, conds, frames) => conds.map(() => Float32Array.from(frames));
    const extras: ContextExtrasValue = { kind: 'context-extras', naiveReuse: { startPercent: 0, endPercent: 0.5, weightedMean: 0.5 } };
    const opts = options({ contextLength: 4, contextOverlap: 0, fuseMethod: 'flat', extras });
    const fused = withContextWindows(model, 8, opts, { step: () => 0, totalSteps: 2 }, percentToSigma);
    expect(round((await fused(new Float32Array(8), 9, ['cond']))[0]!)).toEqual([0, 1, 2, 3, 2, 3, 4, 5]);
    // Past its end (σ 4 < 5) the windows are left alone.
    expect(round((await fused(new Float32Array(8), 4, ['cond']))[0]!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('withContextWindows', () => {
  it('fuses view calls into each frame with the plan weights', async () => {
    // Views-only, 8 frames, pyramid views [0..3], [2..5], [4..7]; call v predicts v everywhere. Frame 2: weights
    // 2 (view 0), 1 (view 1) → 1/3; frame 4: 2 (view 1), 1 (view 2) → 4/3; frame 5: 1, 2 → 5/3.
    let call = 0;
    const model: FrameModel = async (_x, _s, conds, frames) => {
      const value = call++;
      return conds.map(() => new Float32Array(frames.length).fill(value));
    };
    const viewsOnly = options({ schedule: 'view_as_context', contextLength: 0, fuseMethod: 'flat', useOnEqualLength: true, viewOptions: view({ fuseMethod: 'pyramid' }) });
    const fused = withContextWindows(model, 8, viewsOnly, { step: () => 0, totalSteps: 1 }, percentToSigma);
    expect(round((await fused(new Float32Array(8), 5, ['cond']))[0]!)).toEqual(round([0, 0, 1 / 3, 2 / 3, 4 / 3, 5 / 3, 2, 2]));
  });

  it('refuses ContextRef when it would act, naming the mode, and not outside its range', async () => {
    const model: FrameModel = async (_x, _s, conds, frames) => conds.map(() => new Float32Array(frames.length));
    const tune = { kind: 'contextref-tune', attnStyleFidelity: 1, attnRefWeight: 1, attnStrength: 1, adainStyleFidelity: 0, adainRefWeight: 0, adainStrength: 0 } as const;
    const ref = (startPercent: number, endPercent: number): ContextExtrasValue => ({
      kind: 'context-extras',
      contextRef: { startPercent, endPercent, mode: { kind: 'contextref-mode', mode: 'sliding', slidingWidth: 2 }, tune },
    });
    const progress = { step: () => 0, totalSteps: 1 };
    const acting = withContextWindows(model, 20, options({ extras: ref(0, 0.25) }), progress, percentToSigma);
    await expect(acting(new Float32Array(20), 9, ['cond'])).rejects.toThrow(ContextError);
    await expect(acting(new Float32Array(20), 9, ['cond'])).rejects.toThrow(/ContextRef \(mode "sliding"\)/);
    const never = withContextWindows(model, 20, options({ extras: ref(0.6, 0.25) }), progress, percentToSigma);
    await expect(never(new Float32Array(20), 9, ['cond'])).resolves.toHaveLength(1);
  });

  it('samples all frames at once when the options in force at the start do not apply (as ADE, extras included)', async () => {
    const seen: number[][] = [];
    const model: FrameModel = async (_x, _s, conds, frames) => (seen.push([...frames]), conds.map(() => new Float32Array(frames.length)));
    const extras: ContextExtrasValue = { kind: 'context-extras', naiveReuse: { startPercent: 0, endPercent: 1, weightedMean: 0.5 } };
    const fused = withContextWindows(model, 16, options({ extras }), { step: () => 0, totalSteps: 1 }, percentToSigma);
    await fused(new Float32Array(16), 9, ['cond']);
    expect(seen).toEqual([span(0, 15)]);
  });
});
