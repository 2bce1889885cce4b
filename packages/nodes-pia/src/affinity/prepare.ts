/**
 * Per-frame affinity coefficients (the value of PIA's mask channel for each frame), as PIA computes them.
 * Pure functions; the checks PIA does with `assert` become {@link AffinityError}s.
 */
import { AffinityError } from './errors.js';
import {
  AFFINITY_PRESET_NAMES,
  AFFINITY_PRESETS,
  RANGE_LIST,
  isAffinityPresetName,
  type AffinityPreset,
  type AffinityPresetName,
} from './range-list.js';

/** The motion module's positional encoding holds 32 frames, so no schedule can be longer. */
export const MAX_AFFINITY_FRAMES = 1024;

/** A user's affinity request: a paper preset, one value per frame, or PIA's linear ramp. */
export type AffinitySpec =
  | { kind: 'preset'; preset: AffinityPresetName; condFrame?: number }
  | { kind: 'values'; values: readonly number[] }
  | { kind: 'ramp'; min: number; max: number; condFrame?: number };

function checkFrames(numFrames: number): void {
  if (!Number.isInteger(numFrames) || numFrames < 1 || numFrames > MAX_AFFINITY_FRAMES) {
    throw new AffinityError(
      'invalid_frame_count',
      `frame count must be an integer from 1 to ${MAX_AFFINITY_FRAMES}, got ${numFrames}`,
      { numFrames },
    );
  }
}

function checkCondFrame(condFrame: number, numFrames: number): void {
  if (!Number.isInteger(condFrame) || condFrame < 0 || condFrame >= numFrames) {
    throw new AffinityError(
      'invalid_cond_frame',
      `condition frame must be an integer from 0 to ${numFrames - 1} for ${numFrames} frames, got ${condFrame}`,
      { condFrame, numFrames },
    );
  }
}

function checkValues(values: readonly number[], what: string): void {
  if (values.length === 0) {
    throw new AffinityError('empty_values', `${what} is empty; give at least one affinity value`);
  }
  values.forEach((value, index) => {
    if (!(value >= 0 && value <= 1)) {
      throw new AffinityError(
        'value_out_of_range',
        `${what}[${index}] = ${value} is outside [0, 1]`,
        { index, value },
      );
    }
  });
}

/** The preset called `name`; throws `unknown_preset` listing the valid names otherwise. */
export function getAffinityPreset(name: string): AffinityPreset {
  const preset = isAffinityPresetName(name) ? AFFINITY_PRESETS.find((p) => p.name === name) : undefined;
  if (!preset) {
    throw new AffinityError(
      'unknown_preset',
      `unknown affinity preset "${name}"; expected one of ${AFFINITY_PRESET_NAMES.join(', ')}`,
      { name },
    );
  }
  return preset;
}

/**
 * The preset at PIA's `mask_sim_range` index, with Python's negative indexing (-1 = style transfer small),
 * so PIA's example configs map onto names.
 */
export function affinityPresetForPiaIndex(index: number): AffinityPreset {
  const row = Number.isInteger(index) && index < 0 ? RANGE_LIST.length + index : index;
  const preset = AFFINITY_PRESETS.find((p) => p.piaIndex === row);
  if (!preset) {
    throw new AffinityError(
      'unknown_preset',
      `PIA affinity index ${index} is not a row of RANGE_LIST (valid: -${RANGE_LIST.length}..${RANGE_LIST.length - 1})`,
      { index },
    );
  }
  return preset;
}

/**
 * PIA's `prepare_mask_coef_by_statistics`: the row (indexed by distance from the condition frame) is padded
 * with its last value up to `numFrames`, then frame f takes `row[|f - condFrame|]`.
 * @param rowOrPreset a preset name or a custom row of values by distance.
 */
export function prepareMaskCoefByStatistics(
  numFrames: number,
  condFrame: number,
  rowOrPreset: AffinityPresetName | readonly number[],
): number[] {
  checkFrames(numFrames);
  checkCondFrame(condFrame, numFrames);
  const row = typeof rowOrPreset === 'string' ? RANGE_LIST[getAffinityPreset(rowOrPreset).piaIndex]! : rowOrPreset;
  checkValues(row, 'affinity row');
  const last = row[row.length - 1]!;
  const padded = row.length >= numFrames ? row : [...row, ...Array<number>(numFrames - row.length).fill(last)];
  return Array.from({ length: numFrames }, (_, f) => padded[Math.abs(f - condFrame)]!);
}

/**
 * PIA's `prepare_mask_coef` (paper §3.2, `s = 1 - d · (s_max - s_min)`): 1 at the condition frame, falling by
 * `|max - min| / (numFrames - 1)` per frame of distance. A single frame gets `[1]` (PIA asserts instead).
 */
export function prepareMaskCoef(numFrames: number, condFrame: number, min = 0.2, max = 1.0): number[] {
  checkFrames(numFrames);
  checkCondFrame(condFrame, numFrames);
  checkValues([min, max], 'affinity range [min, max]');
  if (numFrames === 1) return [1];
  const diff = Math.abs(min - max) / (numFrames - 1);
  return Array.from({ length: numFrames }, (_, f) => 1 - diff * Math.abs(condFrame - f));
}

/** A custom schedule given frame by frame: checked, then copied. */
export function perFrameAffinity(values: readonly number[], numFrames: number): number[] {
  checkFrames(numFrames);
  checkValues(values, 'affinity values');
  if (values.length !== numFrames) {
    throw new AffinityError(
      'length_mismatch',
      `affinity values has ${values.length} entries but the animation has ${numFrames} frames`,
      { length: values.length, numFrames },
    );
  }
  return [...values];
}

/** Resolves any {@link AffinitySpec} to one coefficient per frame; the condition frame defaults to 0. */
export function resolveAffinity(spec: AffinitySpec, numFrames: number): number[] {
  switch (spec.kind) {
    case 'preset':
      return prepareMaskCoefByStatistics(numFrames, spec.condFrame ?? 0, spec.preset);
    case 'values':
      return perFrameAffinity(spec.values, numFrames);
    case 'ramp':
      return prepareMaskCoef(numFrames, spec.condFrame ?? 0, spec.min, spec.max);
  }
}
