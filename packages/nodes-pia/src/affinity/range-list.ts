/**
 * PIA's affinity table and the named presets over it.
 * Rows are indexed by distance from the condition frame ([PIA] `animatediff/utils/util.py` `RANGE_LIST`).
 */

/** PIA's `RANGE_LIST`, in PIA's row order (diffusers swaps rows 6 and 8; see {@link AFFINITY_PRESETS}). */
export const RANGE_LIST: readonly (readonly number[])[] = Object.freeze([
  [1.0, 0.9, 0.85, 0.85, 0.85, 0.8],
  [1.0, 0.8, 0.8, 0.8, 0.79, 0.78, 0.75],
  [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.5],
  [1.0, 0.9, 0.85, 0.85, 0.85, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.85, 0.85, 0.9, 1.0],
  [1.0, 0.8, 0.8, 0.8, 0.79, 0.78, 0.75, 0.75, 0.75, 0.75, 0.75, 0.78, 0.79, 0.8, 0.8, 1.0],
  [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.5, 0.6, 0.7, 0.7, 0.7, 0.7, 0.8, 1.0],
  [0.5, 0.2],
  [0.5, 0.4, 0.4, 0.4, 0.35, 0.35, 0.3, 0.25, 0.2],
  [0.5, 0.4, 0.4, 0.4, 0.35, 0.3],
].map((row) => Object.freeze(row)));

/** Names of the paper's presets, in diffusers `motion_scale` order (0–8). */
export const AFFINITY_PRESET_NAMES = [
  'small-motion',
  'moderate-motion',
  'large-motion',
  'loop-small',
  'loop-moderate',
  'loop-large',
  'style-transfer-small',
  'style-transfer-moderate',
  'style-transfer-large',
] as const;

/** One of {@link AFFINITY_PRESET_NAMES}. */
export type AffinityPresetName = (typeof AFFINITY_PRESET_NAMES)[number];

/** A named affinity preset with its place in PIA's table and in diffusers' `motion_scale`. */
export interface AffinityPreset {
  readonly name: AffinityPresetName;
  /** Short label for a combo widget. */
  readonly label: string;
  /** One sentence on what the preset does to the animation. */
  readonly description: string;
  /** Row of {@link RANGE_LIST} (PIA's `mask_sim_range`; PIA writes rows 6–8 as -3…-1). */
  readonly piaIndex: number;
  /** diffusers `PIAPipeline` `motion_scale` for the same values. */
  readonly motionScale: number;
}

/** The nine presets, in `motion_scale` order; `piaIndex` follows diffusers' swap of rows 6 and 8. */
export const AFFINITY_PRESETS: readonly AffinityPreset[] = Object.freeze([
  { name: 'small-motion', label: 'Small motion', piaIndex: 0, motionScale: 0,
    description: 'Subtle movement; frames stay close to the input image (PIA magnitude 0).' },
  { name: 'moderate-motion', label: 'Moderate motion', piaIndex: 1, motionScale: 1,
    description: 'Noticeable movement while keeping the input image recognisable (PIA magnitude 1).' },
  { name: 'large-motion', label: 'Large motion', piaIndex: 2, motionScale: 2,
    description: 'Strong movement; later frames drift furthest from the input image (PIA magnitude 2).' },
  { name: 'loop-small', label: 'Loop, small motion', piaIndex: 3, motionScale: 3,
    description: 'Small motion that returns to the input image on the 16th frame (PIA --loop, magnitude 0).' },
  { name: 'loop-moderate', label: 'Loop, moderate motion', piaIndex: 4, motionScale: 4,
    description: 'Moderate motion that returns to the input image on the 16th frame (PIA --loop, magnitude 1).' },
  { name: 'loop-large', label: 'Loop, large motion', piaIndex: 5, motionScale: 5,
    description: 'Large motion that returns to the input image on the 16th frame (PIA --loop, magnitude 2).' },
  { name: 'style-transfer-small', label: 'Style transfer, small motion', piaIndex: 8, motionScale: 6,
    description: 'The input image is only a loose guide (affinity 0.5 at most), small motion (PIA magnitude -1).' },
  { name: 'style-transfer-moderate', label: 'Style transfer, moderate motion', piaIndex: 7, motionScale: 7,
    description: 'The input image is only a loose guide, moderate motion (PIA magnitude -2).' },
  { name: 'style-transfer-large', label: 'Style transfer, large motion', piaIndex: 6, motionScale: 8,
    description: 'The input image is only a loose guide, large motion (PIA magnitude -3).' },
].map((preset) => Object.freeze(preset as AffinityPreset)));

/** True when `name` is one of the preset names. */
export function isAffinityPresetName(name: string): name is AffinityPresetName {
  return (AFFINITY_PRESET_NAMES as readonly string[]).includes(name);
}
