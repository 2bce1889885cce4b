/**
 * The Affinity Schedule node's choices as a pure function: a paper preset by name, a custom row of values, or
 * PIA's linear ramp, always through `affinity/` (PIA's own `prepare_mask_coef*` rules).
 */
import { AFFINITY_PRESET_NAMES, AffinityError, prepareMaskCoef, prepareMaskCoefByStatistics, type AffinityPresetName } from '../affinity/index.js';

/** The preset combo: the nine paper presets, then `custom` and `ramp`. */
export const AFFINITY_CHOICES = [...AFFINITY_PRESET_NAMES, 'custom', 'ramp'] as const;
export type AffinityChoice = (typeof AFFINITY_CHOICES)[number];

/** The widget values of an Affinity Schedule node. */
export interface AffinityRequest {
  readonly preset: AffinityChoice;
  readonly frames: number;
  readonly condFrame: number;
  /** For `custom`: values by distance from the condition frame, comma or space separated. */
  readonly custom: string;
  readonly rampMin: number;
  readonly rampMax: number;
}

/**
 * Parses `"1.0, 0.8 0.7"` into numbers; throws AffinityError `empty_values` or `value_out_of_range`
 * (a word that is not a number counts as out of range, with its text in the message).
 */
export function parseAffinityList(text: string): number[] {
  const words = text.split(/[\s,;[\]]+/).filter((w) => w !== '');
  if (words.length === 0) throw new AffinityError('empty_values', 'custom affinity values are empty; give numbers in [0, 1], e.g. "1.0, 0.8, 0.7"');
  return words.map((word, index) => {
    const value = Number(word);
    if (!Number.isFinite(value) || value < 0 || value > 1) {
      throw new AffinityError('value_out_of_range', `custom affinity value ${index + 1} ("${word}") is not a number in [0, 1]`, { index, word });
    }
    return value;
  });
}

/**
 * One affinity value per frame. `custom` values are a row by distance from the condition frame, padded with
 * the last value (PIA's `RANGE_LIST` rule), so with the condition on frame 0 they read frame by frame.
 */
export function resolveAffinityRequest(request: AffinityRequest): number[] {
  const { preset, frames, condFrame } = request;
  if (preset === 'custom') return prepareMaskCoefByStatistics(frames, condFrame, parseAffinityList(request.custom));
  if (preset === 'ramp') return prepareMaskCoef(frames, condFrame, request.rampMin, request.rampMax);
  return prepareMaskCoefByStatistics(frames, condFrame, preset as AffinityPresetName);
}

/** `"large-motion: 1.00 0.80 0.70 …"`, the line the node shows. */
export function describeAffinity(source: string, values: readonly number[]): string {
  return `${source} (${values.length} frames): ${values.map((v) => v.toFixed(2)).join(' ')}`;
}
