import { describe, expect, it } from 'vitest';
import {
  AFFINITY_PRESETS,
  AffinityError,
  affinityPresetForPiaIndex,
  getAffinityPreset,
  perFrameAffinity,
  prepareMaskCoef,
  prepareMaskCoefByStatistics,
  resolveAffinity,
  type AffinityPresetName,
} from '../../src/affinity/index.js';

/** Repeats `value` n times (the table in pia-model.md §2.2 writes "0.3, ... 0.3"). */
const rep = (value: number, n: number): number[] => Array<number>(n).fill(value);

// The 16-frame vectors with cond frame 0, typed from pia-model.md §2.2 (and the loop rows of §2.1 verbatim).
const SIXTEEN: Record<AffinityPresetName, number[]> = {
  'small-motion': [1.0, 0.9, 0.85, 0.85, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
  'moderate-motion': [1.0, 0.8, 0.8, 0.8, 0.79, 0.78, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75],
  'large-motion': [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5],
  'loop-small': [1.0, 0.9, 0.85, 0.85, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.85, 0.85, 0.9, 1.0],
  'loop-moderate': [1.0, 0.8, 0.8, 0.8, 0.79, 0.78, 0.75, 0.75, 0.75, 0.75, 0.75, 0.78, 0.79, 0.8, 0.8, 1.0],
  'loop-large': [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.5, 0.6, 0.7, 0.7, 0.7, 0.7, 0.8, 1.0],
  'style-transfer-small': [0.5, 0.4, 0.4, 0.4, 0.35, ...rep(0.3, 11)],
  'style-transfer-moderate': [0.5, 0.4, 0.4, 0.4, 0.35, 0.35, 0.3, 0.25, ...rep(0.2, 8)],
  'style-transfer-large': [0.5, ...rep(0.2, 15)],
};

function expectError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AffinityError);
    expect((error as AffinityError).code).toBe(code);
    expect((error as AffinityError).message).toMatch(message);
    return;
  }
  throw new Error('expected an AffinityError');
}

describe('prepareMaskCoefByStatistics', () => {
  for (const [name, expected] of Object.entries(SIXTEEN)) {
    it(`gives the paper's 16-frame vector for ${name}`, () => {
      expect(prepareMaskCoefByStatistics(16, 0, name as AffinityPresetName)).toEqual(expected);
    });
  }

  it('pads past 16 frames with the last value, so loops stop looping', () => {
    const coef = prepareMaskCoefByStatistics(20, 0, 'loop-small');
    expect(coef.slice(0, 16)).toEqual(SIXTEEN['loop-small']);
    expect(coef.slice(16)).toEqual([1.0, 1.0, 1.0, 1.0]);
  });

  it('uses only the first entries of a row when there are fewer frames than the row', () => {
    expect(prepareMaskCoefByStatistics(3, 0, 'large-motion')).toEqual([1.0, 0.8, 0.7]);
  });

  it('reads the row by distance on both sides of a condition frame in the middle', () => {
    // distances from frame 3 for frames 0..7: 3 2 1 0 1 2 3 4 → small row [1, .9, .85, .85, .85, .8]
    expect(prepareMaskCoefByStatistics(8, 3, 'small-motion')).toEqual([0.85, 0.85, 0.9, 1.0, 0.9, 0.85, 0.85, 0.85]);
  });

  it('puts the peak on the last frame when the condition frame is last', () => {
    expect(prepareMaskCoefByStatistics(4, 3, 'style-transfer-large')).toEqual([0.2, 0.2, 0.2, 0.5]);
  });

  it('accepts a custom row of values by distance', () => {
    expect(prepareMaskCoefByStatistics(5, 2, [1, 0.5])).toEqual([0.5, 0.5, 1, 0.5, 0.5]);
  });

  it('rejects more frames than an animation may have (1024; past 32 the sampler needs context windows)', () => {
    expect(prepareMaskCoefByStatistics(33, 0, 'small-motion')).toHaveLength(33);
    expectError(() => prepareMaskCoefByStatistics(1025, 0, 'small-motion'), 'invalid_frame_count', /1 to 1024.*got 1025/);
  });

  it('rejects zero frames', () => {
    expectError(() => prepareMaskCoefByStatistics(0, 0, 'small-motion'), 'invalid_frame_count', /got 0/);
  });

  it('rejects a fractional frame count', () => {
    expectError(() => prepareMaskCoefByStatistics(2.5, 0, 'small-motion'), 'invalid_frame_count', /got 2.5/);
  });

  it('rejects a condition frame past the last frame', () => {
    expectError(() => prepareMaskCoefByStatistics(16, 16, 'small-motion'), 'invalid_cond_frame', /0 to 15.*got 16/);
  });

  it('rejects a negative condition frame', () => {
    expectError(() => prepareMaskCoefByStatistics(16, -1, 'small-motion'), 'invalid_cond_frame', /got -1/);
  });

  it('rejects an unknown preset name and lists the valid ones', () => {
    expectError(
      () => prepareMaskCoefByStatistics(16, 0, 'huge-motion' as AffinityPresetName),
      'unknown_preset',
      /"huge-motion".*small-motion, moderate-motion/,
    );
  });

  it('rejects an empty custom row', () => {
    expectError(() => prepareMaskCoefByStatistics(16, 0, []), 'empty_values', /affinity row is empty/);
  });

  it('rejects a custom row value above 1', () => {
    expectError(() => prepareMaskCoefByStatistics(16, 0, [1, 1.2]), 'value_out_of_range', /row\[1\] = 1.2/);
  });

  it('rejects a NaN value', () => {
    expectError(() => prepareMaskCoefByStatistics(16, 0, [Number.NaN]), 'value_out_of_range', /NaN is outside/);
  });
});

describe('prepareMaskCoef (linear ramp)', () => {
  it('falls from 1 to the minimum over 16 frames with PIA training range [0.2, 1]', () => {
    // step = 0.8 / 15 per frame
    const coef = prepareMaskCoef(16, 0, 0.2, 1.0);
    expect(coef[0]).toBe(1);
    expect(coef[15]).toBeCloseTo(0.2, 12);
    expect(coef[5]).toBeCloseTo(1 - (5 * 0.8) / 15, 12);
  });

  it('only reaches half the drop when the condition frame is in the middle', () => {
    // 5 frames, cond 2, range width 0.4 → step 0.1: distances 2 1 0 1 2
    const coef = prepareMaskCoef(5, 2, 0.5, 0.9);
    [0.8, 0.9, 1, 0.9, 0.8].forEach((v, i) => expect(coef[i]).toBeCloseTo(v, 12));
  });

  it('gives a single frame affinity 1', () => {
    expect(prepareMaskCoef(1, 0, 0.2, 1)).toEqual([1]);
  });

  it('rejects a negative minimum', () => {
    expectError(() => prepareMaskCoef(16, 0, -0.1, 1), 'value_out_of_range', /\[min, max\]\[0\] = -0.1/);
  });
});

describe('perFrameAffinity', () => {
  it('returns the values unchanged when there is one per frame', () => {
    expect(perFrameAffinity([1, 0.5, 0.25], 3)).toEqual([1, 0.5, 0.25]);
  });

  it('rejects a list whose length differs from the frame count', () => {
    expectError(() => perFrameAffinity([1, 0.5], 3), 'length_mismatch', /2 entries but the animation has 3 frames/);
  });

  it('rejects an empty list', () => {
    expectError(() => perFrameAffinity([], 3), 'empty_values', /empty/);
  });
});

describe('presets', () => {
  it('maps diffusers motion_scale 6 and 8 to PIA rows 8 and 6 (the swapped rows)', () => {
    expect(getAffinityPreset('style-transfer-small')).toMatchObject({ motionScale: 6, piaIndex: 8 });
    expect(getAffinityPreset('style-transfer-large')).toMatchObject({ motionScale: 8, piaIndex: 6 });
  });

  it('lists nine presets with distinct names, motion scales 0 to 8 and descriptions', () => {
    expect(AFFINITY_PRESETS.map((p) => p.motionScale)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(AFFINITY_PRESETS.map((p) => p.name)).size).toBe(9);
    for (const preset of AFFINITY_PRESETS) expect(preset.description.length).toBeGreaterThan(10);
  });

  it("resolves PIA's negative magnitudes like Python indexing (-3 is style transfer large)", () => {
    expect(affinityPresetForPiaIndex(-3).name).toBe('style-transfer-large');
    expect(affinityPresetForPiaIndex(-1).name).toBe('style-transfer-small');
    expect(affinityPresetForPiaIndex(4).name).toBe('loop-moderate');
  });

  it('rejects a PIA index outside the table', () => {
    expectError(() => affinityPresetForPiaIndex(9), 'unknown_preset', /index 9 is not a row/);
  });
});

describe('resolveAffinity', () => {
  it('resolves a preset spec with condition frame 0 by default', () => {
    expect(resolveAffinity({ kind: 'preset', preset: 'moderate-motion' }, 16)).toEqual(SIXTEEN['moderate-motion']);
  });

  it('resolves a ramp spec', () => {
    expect(resolveAffinity({ kind: 'ramp', min: 0.5, max: 1, condFrame: 0 }, 3)).toEqual([1, 0.75, 0.5]);
  });

  it('resolves a values spec', () => {
    expect(resolveAffinity({ kind: 'values', values: [0.7, 0.6] }, 2)).toEqual([0.7, 0.6]);
  });
});
