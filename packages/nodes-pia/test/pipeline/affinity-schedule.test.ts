import { describe, expect, it } from 'vitest';
import { AffinityError } from '../../src/affinity/index.js';
import { describeAffinity, parseAffinityList, resolveAffinityRequest } from '../../src/pipeline/affinity-schedule.js';

const base = { frames: 16, condFrame: 0, custom: '', rampMin: 0.2, rampMax: 1 };

describe('the Affinity Schedule choices', () => {
  it('gives the large-motion row of pia-model.md §2.2 for 16 frames', () => {
    expect(resolveAffinityRequest({ ...base, preset: 'large-motion' })).toEqual([1, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it('reads custom values by distance from the condition frame, padded with the last', () => {
    // cond frame 2 of 5: distances 2 1 0 1 2.
    expect(resolveAffinityRequest({ ...base, preset: 'custom', custom: '1.0, 0.6 0.3', frames: 5, condFrame: 2 })).toEqual([0.3, 0.6, 1, 0.6, 0.3]);
    expect(resolveAffinityRequest({ ...base, preset: 'custom', custom: '[1, 0.9]', frames: 4 })).toEqual([1, 0.9, 0.9, 0.9]);
  });

  it("builds PIA's linear ramp: 1 − |max − min|/(F − 1) per frame of distance", () => {
    const values = resolveAffinityRequest({ ...base, preset: 'ramp', frames: 5, rampMin: 0.2, rampMax: 1 });
    [1, 0.8, 0.6, 0.4, 0.2].forEach((v, i) => expect(values[i]).toBeCloseTo(v, 12));
  });

  it('refuses a custom value outside [0, 1], naming it', () => {
    expect(() => parseAffinityList('1, 1.5')).toThrow(/value 2 \("1.5"\) is not a number in \[0, 1\]/);
    expect(() => parseAffinityList('1, abc')).toThrow(AffinityError);
  });

  it('refuses an empty custom list', () => {
    expect(() => parseAffinityList(' , ')).toThrow(/empty/);
  });

  it('describes the values on one line', () => {
    expect(describeAffinity('small-motion', [1, 0.9])).toBe('small-motion (2 frames): 1.00 0.90');
  });
});
