/** Context windows: schedules, fuse weights, option chains and the fused model, against hand-worked cases. */
import { describe, expect, it } from 'vitest';
import {
  activeContextOptions,
  contextWindows,
  fuseWeights,
  orderedHalving,
  pyramidWeights,
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
    const w = fuseWeights('overlap-linear', span(4, 11), 16, 3);
    expect(w[0]).toBeCloseTo(1e-6);
    expect(w.slice(1)).toEqual([0.5, 1, 1, 1, 1, 0.5, w[7]]);
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
    const fused = withContextWindows(model, 6, options({ contextLength: 4, contextOverlap: 2 }), { step: () => 0, totalSteps: 1 });
    const [out] = await fused(new Float32Array(12), 1, ['cond']);
    // Frame 2: weight 2 in window 0 (value 0), 1 in window 2 (value 2) → 2/3; frame 3: 1·0 + 2·2 → 4/3.
    expect(Array.from(out!).map((v) => Number(v.toFixed(5)))).toEqual([0, 0, 0, 0, 0.66667, 0.66667, 1.33333, 1.33333, 2, 2, 2, 2]);
  });
});
