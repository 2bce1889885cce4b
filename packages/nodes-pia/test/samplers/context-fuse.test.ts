/**
 * ADE's fuse methods (`create_weights_*` in animatediff/context.py), each against weights worked out by hand from its
 * definition (the Gaussian ones with a calculator: exp, then the L2 norm).
 */
import { describe, expect, it } from 'vitest';
import { ContextError, DEPRECATED_FUSE_METHODS, FUSE_METHODS, FUSE_METHODS_STATIC, fuseWeights, isFuseMethod, seededRandom } from '../../src/samplers/index.js';

const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const close = (got: number[], want: number[], digits = 6) => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g, `weight ${i}`).toBeCloseTo(want[i]!, digits));
};

describe('fuse method names', () => {
  it("are ADE's ContextFuseMethod.LIST and LIST_STATIC, in order, with the 🔬 marks", () => {
    expect(FUSE_METHODS).toEqual([
      'pyramid',
      'flat',
      'overlap-linear',
      '🔬delayed reverse sawtooth',
      '🔬pyramid-sigma',
      '🔬pyramid-sigma inverse',
      '🔬gauss-sigma',
      '🔬gauss-sigma inverse',
      '🔬random',
    ]);
    expect(FUSE_METHODS_STATIC).toEqual(['pyramid', 'relative', ...FUSE_METHODS.slice(1)]);
  });

  it('knows the deprecated names without 🔬 and weighs them as the current ones', () => {
    for (const [old, current] of Object.entries(DEPRECATED_FUSE_METHODS)) {
      expect(isFuseMethod(old)).toBe(true);
      expect(fuseWeights(old as never, span(0, 5), 12, 2, { sigma: 2.5, random: () => 0.25 })).toEqual(
        fuseWeights(current, span(0, 5), 12, 2, { sigma: 2.5, random: () => 0.25 }),
      );
    }
    expect(isFuseMethod('sawtooth')).toBe(false);
  });
});

describe('fuse weights', () => {
  it('flat: 1 for every frame', () => {
    expect(fuseWeights('flat', span(3, 7), 20, 2)).toEqual([1, 1, 1, 1, 1]);
  });

  it('pyramid: 1 … m … 1, an even window repeating the peak', () => {
    expect(fuseWeights('pyramid', span(0, 5), 20, 2)).toEqual([1, 2, 3, 3, 2, 1]);
    expect(fuseWeights('pyramid', span(0, 4), 20, 2)).toEqual([1, 2, 3, 2, 1]);
  });

  it('relative: closeness of the frame number to the window centre, at least 0.01', () => {
    // Frames 4..7: centre 5.5, half width (3 + 0.01)/2 = 1.505 → 1 − 1.5/1.505 = 0.0033 (→ 0.01), 1 − 0.5/1.505.
    close(fuseWeights('relative', span(4, 7), 20, 2), [0.01, 1 - 0.5 / 1.505, 1 - 0.5 / 1.505, 0.01]);
    // Frames 0..4: centre 2, half width 2.005.
    close(fuseWeights('relative', span(0, 4), 20, 2), [0.01, 1 - 1 / 2.005, 1, 1 - 1 / 2.005, 0.01]);
  });

  it('overlap-linear: ramps over the overlap on the sides that have a neighbour, the falling ramp winning', () => {
    const tiny = Math.fround(1e-37);
    expect(fuseWeights('overlap-linear', span(0, 7), 16, 3)).toEqual([1, 1, 1, 1, 1, 1, 0.5, tiny]);
    expect(fuseWeights('overlap-linear', span(8, 15), 16, 3)).toEqual([tiny, 0.5, 1, 1, 1, 1, 1, 1]);
    // A 4-frame middle window with overlap 3: rising [~0, 0.5, 1] on the first three, falling [1, 0.5, ~0] on the last.
    expect(fuseWeights('overlap-linear', span(5, 8), 16, 3)).toEqual([tiny, 1, 0.5, tiny]);
    // ADE fails on an overlap of 0; here there is nothing to ramp.
    expect(fuseWeights('overlap-linear', span(4, 7), 16, 0)).toEqual([1, 1, 1, 1]);
  });

  it('🔬delayed reverse sawtooth: 0.01 over the first half, then m falling to 1', () => {
    expect(fuseWeights('🔬delayed reverse sawtooth', span(0, 7), 20, 2)).toEqual([0.01, 0.01, 0.01, 4, 4, 3, 2, 1]);
    expect(fuseWeights('🔬delayed reverse sawtooth', span(0, 5), 20, 2)).toEqual([0.01, 0.01, 3, 3, 2, 1]);
    // Odd: ADE's list is one too long; here the even shape without the repeated peak.
    expect(fuseWeights('🔬delayed reverse sawtooth', span(0, 4), 20, 2)).toEqual([0.01, 0.01, 3, 2, 1]);
  });

  it('🔬pyramid-sigma: the pyramid at σ ≥ 4 narrowing to the middle frames as σ falls (clipped to [0.001, m])', () => {
    // 6 frames: pyramid [1, 2, 3, 3, 2, 1], spike [−3, −3, 3, 3, −3, −3].
    expect(fuseWeights('🔬pyramid-sigma', span(0, 5), 20, 2, { sigma: 14.6 })).toEqual([1, 2, 3, 3, 2, 1]);
    // σ 3 → s 0.75: 0.75·pyramid + 0.25·spike = [0, 0.75, 3, 3, 0.75, 0].
    close(fuseWeights('🔬pyramid-sigma', span(0, 5), 20, 2, { sigma: 3 }), [0.001, 0.75, 3, 3, 0.75, 0.001]);
    // σ 2 → s 0.5: [−1, −0.5, 3, 3, −0.5, −1].
    close(fuseWeights('🔬pyramid-sigma', span(0, 5), 20, 2, { sigma: 2 }), [0.001, 0.001, 3, 3, 0.001, 0.001]);
    // Odd (ADE's spike list is one too long): one middle frame.
    close(fuseWeights('🔬pyramid-sigma', span(0, 4), 20, 2, { sigma: 0 }), [0.001, 0.001, 3, 0.001, 0.001]);
  });

  it('🔬pyramid-sigma inverse: the spike at high σ, the pyramid at σ 0', () => {
    close(fuseWeights('🔬pyramid-sigma inverse', span(0, 5), 20, 2, { sigma: 3 }), [0.001, 0.001, 3, 3, 0.001, 0.001]);
    close(fuseWeights('🔬pyramid-sigma inverse', span(0, 5), 20, 2, { sigma: 1 }), [0.001, 0.75, 3, 3, 0.75, 0.001]);
    close(fuseWeights('🔬pyramid-sigma inverse', span(0, 5), 20, 2, { sigma: 0 }), [1, 2, 3, 3, 2, 1]);
  });

  it('🔬gauss-sigma: a Gaussian of width 1 + 8·min(σ, 4)/4 scaled to L2 norm m', () => {
    // σ 0, 4 frames: width 1, exp(−x²/2) at x = ±1.5, ±0.5 = 0.324652, 0.882497; norm 1.329812; × 2/norm.
    close(fuseWeights('🔬gauss-sigma', span(0, 3), 20, 2, { sigma: 0 }), [0.488268, 1.327251, 1.327251, 0.488268]);
    // σ 2, 5 frames: width 5.
    close(fuseWeights('🔬gauss-sigma', span(0, 4), 20, 2, { sigma: 2 }), [1.287601, 1.367221, 1.394841, 1.367221, 1.287601]);
  });

  it('🔬gauss-sigma inverse: width 1 + 8·(1 − min(σ, 4)/4)', () => {
    close(fuseWeights('🔬gauss-sigma inverse', span(0, 3), 20, 2, { sigma: 9 }), [0.488268, 1.327251, 1.327251, 0.488268]);
    // σ 3 → width 3.
    close(fuseWeights('🔬gauss-sigma inverse', span(0, 3), 20, 2, { sigma: 3 }), [0.94305, 1.053877, 1.053877, 0.94305]);
  });

  it('🔬random: uniform·m + 0.001 from the given generator; the seeded one repeats', () => {
    const draws = [0, 0.5, 0.25, 0.999];
    let i = 0;
    expect(fuseWeights('🔬random', span(0, 3), 20, 2, { random: () => draws[i++]! })).toEqual([0.001, 1.001, 0.501, 0.999 * 2 + 0.001]);
    const a = fuseWeights('🔬random', span(0, 7), 20, 2, { random: seededRandom(7) });
    const b = fuseWeights('🔬random', span(0, 7), 20, 2, { random: seededRandom(7) });
    expect(a).toEqual(b);
    for (const w of a) expect(w >= 0.001 && w < 4.001).toBe(true);
  });

  it('refuses a sigma method without a sigma, naming the fuse method', () => {
    expect(() => fuseWeights('🔬gauss-sigma', span(0, 3), 20, 2)).toThrow(ContextError);
    expect(() => fuseWeights('🔬pyramid-sigma', span(0, 3), 20, 2)).toThrow(/fuse_method "🔬pyramid-sigma" weighs by the step's sigma/);
  });
});
