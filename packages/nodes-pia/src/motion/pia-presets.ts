/**
 * PIA's affinity as AnimateDiff-Evolved's PIA input nodes give it: the paper's range lists (PIA's `RANGE_LIST`), laid
 * out around the condition frame by ADE's rule (frame i takes entry |i − index|, the list extended with its last value;
 * loop presets mirror the first half into the second), or one value for every frame.
 */
import type { PiaInputValue } from './settings.js';

/** ADE's preset names and values, in its order (`PIA_RANGES`). */
export const PIA_PAPER_PRESETS = {
  'Animation (Small Motion)': [1.0, 0.9, 0.85, 0.85, 0.85, 0.8],
  'Animation (Medium Motion)': [1.0, 0.8, 0.8, 0.8, 0.79, 0.78, 0.75],
  'Animation (Large Motion)': [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.5],
  'Loop (Small Motion)': [1.0, 0.9, 0.85, 0.85, 0.85, 0.8],
  'Loop (Medium Motion)': [1.0, 0.8, 0.8, 0.8, 0.79, 0.78, 0.75],
  'Loop (Large Motion)': [1.0, 0.8, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5],
  'Style Transfer (Small Motion)': [0.5, 0.4, 0.4, 0.4, 0.35, 0.3],
  'Style Transfer (Medium Motion)': [0.5, 0.4, 0.4, 0.4, 0.35, 0.35, 0.3, 0.25, 0.2],
  'Style Transfer (Large Motion)': [0.5, 0.2],
} as const satisfies Record<string, readonly number[]>;

export type PiaPaperPreset = keyof typeof PIA_PAPER_PRESETS;
export const PIA_PAPER_PRESET_NAMES = Object.keys(PIA_PAPER_PRESETS) as PiaPaperPreset[];

/** `values` cut or extended with its last entry to `length` (ADE's `extend_list_to_batch_size`). */
function extended(values: readonly number[], length: number): number[] {
  if (values.length >= length) return values.slice(0, length);
  return [...values, ...Array.from({ length: length - values.length }, () => values[values.length - 1]!)];
}

/** A preset's values for `frames` frames before centring: loops run out to the middle and back. */
function laidOut(preset: PiaPaperPreset, frames: number): number[] {
  const values = PIA_PAPER_PRESETS[preset];
  if (!preset.startsWith('Loop')) return extended(values, frames);
  const half = extended(values, Math.floor(frames / 2));
  if (frames % 2 === 0) return [...half, ...[...half].reverse()];
  const middle = Array.from({ length: Math.max(0, frames - 2 * half.length) }, () => values[Math.min(half.length, values.length - 1)]!);
  return [...half, ...middle, ...[...half].reverse()];
}

/** The affinity of each of `frames` frames for a PIA input (the mask channel's value per frame). */
export function piaInputValues(input: PiaInputValue, frames: number): number[] {
  if (input.kind === 'multival') return Array.from({ length: frames }, () => input.value);
  const values = laidOut(input.preset as PiaPaperPreset, frames);
  const index = Math.max(0, Math.min(frames - 1, input.index < 0 ? frames + input.index : input.index));
  return Array.from({ length: frames }, (_, i) => values[Math.abs(i - index)]! * input.mult);
}
