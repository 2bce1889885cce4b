/** Context windows: schedules, fuse weights, option chains and the fused model, against hand-worked cases. */
import { describe, expect, it } from 'vitest';
import {
  activeContextOptions,
  contextWindows,
  fuseWeights,
  orderedHalving,
  pyramidWeights,
  roundHalfEven,
  windowsApply,
  withContextWindows,
  type ContextOptionsValue,
  type FrameModel,
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
const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('context window schedules', () => {
  it('standard static: steps of length − overlap, the last window shifted back to end at the last frame', () => {
    expect(contextWindows(32, options({}), 0)).toEqual([span(0, 15), span(12, 27), span(16, 31)]);
    expect(contextWindows(16, options({}), 0)).toEqual([span(0, 15)]);
    expect(contextWindows(10, options({}), 0)).toEqual([span(0, 9)]);
  });

  it('uses windows on equal length only when asked', () => {
    expect(contextWindows(16, options({ useOnEqualLength: true }), 0)).toEqual([span(0, 15)]);
    expect(contextWindows(17, options({ contextLength: 16, contextOverlap: 4 }), 0)).toEqual([span(0, 15), span(1, 16)]);
  });

  it('standard uniform (ADE): the looped windows, wrapped ones shifted to end at the last frame, gaps filled, duplicates dropped', () => {
    const uniform = options({ schedule: 'standard_uniform' });
    // Step 0 (pad 0): starts 0, 12, 24; [24..39 mod 32] wraps at frame 0 → shifted to [16..31]; the next window
    // (cyclically [0..15]) has frame 0, so nothing is added.
    expect(contextWindows(32, uniform, 0)).toEqual([span(0, 15), span(12, 27), span(16, 31)]);
    // Step 1 (pad 16): starts 16, 28, 40 → [16..31], [28..31, 0..11] → shifted to [16..31] (a duplicate, dropped) and,
    // as [8..23] lacks frame 0, [0..15] inserted; then [8..23].
    expect(contextWindows(32, uniform, 1)).toEqual([span(16, 31), span(0, 15), span(8, 23)]);
    // Step 2 (pad 8): starts 8, 20, 32 → [8..23], [20..31, 0..3] → [16..31] (next is [0..15], which has 0), [0..15].
    expect(contextWindows(32, uniform, 2)).toEqual([span(8, 23), span(16, 31), span(0, 15)]);
  });

  it('standard uniform with stride 2 adds every-other-frame windows, a wrapped one shifted to the end', () => {
    const uniform = options({ schedule: 'standard_uniform', contextLength: 8, contextOverlap: 2, contextStride: 2 });
    const every2 = (a: number) => Array.from({ length: 8 }, (_, i) => a + 2 * i);
    // Contiguous starts 0, 6, 12, 18, 24 (< 32 − 2); spread-2 starts 0, 14, 28 (step 16 − 2): [28, 30, 0, …, 10]
    // wraps → shifted to start at 32 − 15 = 17.
    expect(contextWindows(32, uniform, 0)).toEqual([span(0, 7), span(6, 13), span(12, 19), span(18, 25), span(24, 31), every2(0), every2(14), every2(17)]);
  });

  it("looped uniform rounds the pad half to even, as Python's round does", () => {
    // 10 frames, step 2: halving 1/4, pad round(2.5) = 2 (not 3): starts 2, 5, 8 below 10 + 2 − 1.
    const looped = options({ schedule: 'looped_uniform', contextLength: 4, contextOverlap: 1, fuseMethod: 'flat' });
    expect(contextWindows(10, looped, 2)).toEqual([[2, 3, 4, 5], [5, 6, 7, 8], [8, 9, 0, 1]]);
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
  });

  it('views-only options are one window over every frame, whatever the count', () => {
    const views = options({ schedule: 'view_as_context', contextLength: 0 });
    expect(windowsApply(5, views)).toBe(true);
    expect(contextWindows(40, views, 3)).toEqual([span(0, 39)]);
  });

  it('refuses an overlap that leaves windows no new frame', () => {
    expect(() => contextWindows(32, options({ contextLength: 8, contextOverlap: 8 }), 0)).toThrow(/context_overlap \(8\) must be smaller than context_length \(8\)/);
  });

  it('looped uniform: wraps around and moves its start by the bit-reversed step', () => {
    const looped = options({ schedule: 'looped_uniform', fuseMethod: 'flat' });
    const wrap = (a: number, n: number) => Array.from({ length: n }, (_, i) => (a + i) % 32);
    // step 0: halving 0, pad 0, starts 0, 12, 24 (< 32 − 4).
    expect(contextWindows(32, looped, 0)).toEqual([wrap(0, 16), wrap(12, 16), wrap(24, 16)]);
    // step 1: halving 1/2, pad 16, starts 16, 28, 40 (< 32 + 16 − 4).
    expect(contextWindows(32, looped, 1)).toEqual([wrap(16, 16), wrap(28, 16), wrap(40, 16)]);
  });

  it('batched: consecutive windows, the last one shorter', () => {
    expect(contextWindows(40, options({ schedule: 'batched', contextOverlap: 0 }), 0)).toEqual([span(0, 15), span(16, 31), span(32, 39)]);
  });

  it('orderedHalving bit-reverses the step: 0, 1/2, 1/4, 3/4, 1/8', () => {
    expect([0, 1, 2, 3, 4].map(orderedHalving)).toEqual([0, 0.5, 0.25, 0.75, 0.125]);
  });
});

describe('fuse weights', () => {
  it('pyramid rises to the middle and falls again', () => {
    expect(pyramidWeights(4)).toEqual([1, 2, 2, 1]);
    expect(pyramidWeights(5)).toEqual([1, 2, 3, 2, 1]);
  });

  it('overlap-linear ramps only where a neighbouring window overlaps', () => {
    const tiny = Math.fround(1e-37);
    expect(fuseWeights('overlap-linear', span(4, 11), 16, 3)).toEqual([tiny, 0.5, 1, 1, 1, 1, 0.5, tiny]);
    expect(fuseWeights('overlap-linear', span(0, 7), 8, 3)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });
});

describe('option chains', () => {
  it('takes the last options that have started by the step', () => {
    const first = options({ contextLength: 8 });
    const second = options({ contextLength: 12, startPercent: 0.5, prev: first });
    expect(activeContextOptions(second, 0, 10).contextLength).toBe(8);
    expect(activeContextOptions(second, 5, 10).contextLength).toBe(12);
  });
});

describe('withContextWindows', () => {
  it("fuses each frame's window predictions with the pyramid weights", async () => {
    // 6 frames, windows [0..3] and [2..5] (length 4, overlap 2); a window predicts its first frame index everywhere.
    const model: FrameModel = async (x, _sigma, conds, frames) => conds.map(() => new Float32Array(frames.length * 2).fill(frames[0]!));
    const fused = withContextWindows(model, 6, options({ contextLength: 4, contextOverlap: 2 }), { step: () => 0, totalSteps: 1 }, () => 0);
    const [out] = await fused(new Float32Array(12), 1, ['cond']);
    // Frame 2: weight 2 in window 0 (value 0), 1 in window 2 (value 2) → 2/3; frame 3: 1·0 + 2·2 → 4/3.
    expect(Array.from(out!).map((v) => Number(v.toFixed(5)))).toEqual([0, 0, 0, 0, 0.66667, 0.66667, 1.33333, 1.33333, 2, 2, 2, 2]);
  });
});
