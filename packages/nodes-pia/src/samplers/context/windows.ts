/**
 * Which frames each context window holds, for each schedule of AnimateDiff-Evolved's context options (ADE's
 * `create_windows_*`):
 * - `looped_uniform`: AnimateDiff's original uniform schedule: windows of `contextLength` frames every
 *   `contextLength − contextOverlap`, wrapping around the end, their start moved each step by the bit-reversed step
 *   number (`ordered_halving`) so seams never stay in one place; strides add windows over every 2nd, 4th… frame.
 * - `standard_uniform`: the looped windows (without closed loop), each window that wraps shifted back to end at the last
 *   frame (plus a window starting at the frame where it wrapped, if the next window lacks that frame), duplicates
 *   dropped: windows still move per step but never wrap.
 * - `standard_static`: the same contiguous windows every step, the last one shifted back to end at the last frame.
 * - `batched`: consecutive windows without overlap (the last one shorter).
 * - `view_as_context`: one window over all frames (the view options do the work).
 */
import { ContextError } from './errors.js';
import { sortedContextChain, type ContextOptionsValue, type WindowLayout } from './options.js';

/** `ordered_halving(step)`: the 64-bit reversal of `step` as a fraction of 2^64 (0, 0.5, 0.25, 0.75, …). */
export function orderedHalving(step: number): number {
  let value = BigInt(step) & ((1n << 64n) - 1n);
  let reversed = 0n;
  for (let i = 0; i < 64; i++) {
    reversed = (reversed << 1n) | (value & 1n);
    value >>= 1n;
  }
  return Number(reversed) / 2 ** 64;
}

/** Python's `round()`: halves go to the even neighbour (ADE rounds the looped windows' pad with it). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const range = (start: number, length: number, step = 1) => Array.from({ length }, (_, i) => start + i * step);

/** The step between window starts; a layout whose windows would not advance is refused. */
function windowStep(layout: WindowLayout, spread: number): number {
  const delta = layout.contextLength * spread - layout.contextOverlap;
  if (delta <= 0) {
    throw new ContextError('bad-option', `context_overlap (${layout.contextOverlap}) must be smaller than context_length (${layout.contextLength})`, {}, 'context_overlap');
  }
  return delta;
}

/** The looped windows (ADE's `create_windows_uniform_looped`; `closedLoop` false for the standard uniform ones). */
function uniformWindows(frames: number, layout: WindowLayout, step: number, closedLoop: boolean): number[][] {
  const length = layout.contextLength;
  const stride = Math.min(layout.contextStride, Math.ceil(Math.log2(frames / length)) + 1);
  const halving = orderedHalving(step);
  const pad = roundHalfEven(frames * halving);
  const windows: number[][] = [];
  for (let s = 0; s < stride; s++) {
    const spread = 1 << s;
    const end = frames + pad + (closedLoop ? 0 : -layout.contextOverlap);
    const delta = windowStep(layout, spread);
    for (let j = Math.trunc(halving * spread) + pad; j < end; j += delta) {
      windows.push(range(j, length, spread).map((e) => e % frames));
    }
  }
  return windows;
}

/** Where a window wraps past the last frame (its first value lower than the one before), or −1. */
function rollIndex(window: readonly number[], frames: number): number {
  let prev = -1;
  for (let i = 0; i < window.length; i++) {
    const value = window[i]! % frames;
    if (value < prev) return i;
    prev = value;
  }
  return -1;
}

/** The window moved, shape kept, so that it ends at the last frame. */
function shiftToEnd(window: readonly number[], frames: number): number[] {
  const start = window[0]!;
  const fromStart = window.map((v) => (v - start + frames) % frames);
  const delta = frames - fromStart[fromStart.length - 1]! - 1;
  return fromStart.map((v) => v + delta);
}

const sameWindow = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** ADE's `create_windows_uniform_standard`. */
function standardUniformWindows(frames: number, layout: WindowLayout, step: number): number[][] {
  const length = layout.contextLength;
  if (frames <= length) return [range(0, frames)];
  const windows = uniformWindows(frames, layout, step, false);
  const duplicates = new Set<number>();
  for (let i = 0; i < windows.length; i++) {
    const roll = rollIndex(windows[i]!, frames);
    if (roll >= 0) {
      const rolled = windows[i]![roll]!;
      windows[i] = shiftToEnd(windows[i]!, frames);
      // The frames from where it wrapped would lose a window: give them one unless the next window (cyclically) has it.
      if (!windows[(i + 1) % windows.length]!.includes(rolled)) windows.splice(i + 1, 0, range(rolled, length));
    }
    if (windows.slice(0, i).some((w) => sameWindow(w, windows[i]!))) duplicates.add(i);
  }
  return windows.filter((_, i) => !duplicates.has(i));
}

/** ADE's `create_windows_static_standard`. */
function standardStaticWindows(frames: number, layout: WindowLayout): number[][] {
  const length = layout.contextLength;
  if (frames <= length) return [range(0, frames)];
  const delta = windowStep(layout, 1);
  const windows: number[][] = [];
  for (let start = 0; start < frames; start += delta) {
    if (start + length >= frames) {
      windows.push(range(frames - length, length));
      break;
    }
    windows.push(range(start, length));
  }
  return windows;
}

/**
 * Whether windows apply to `frames` frames at all (ADE decides this once, before sampling, from the options in force
 * at the start; a motion module decides it per call for view options): more frames than a window holds, or as many
 * with `useOnEqualLength`. Views-only options always apply.
 */
export function windowsApply(frames: number, layout: WindowLayout): boolean {
  if (layout.schedule === 'view_as_context') return true;
  return layout.useOnEqualLength ? frames >= layout.contextLength : frames > layout.contextLength;
}

/** The windows of `layout` over `frames` frames at sampling step `step` (each schedule's own rule, once windows apply). */
export function layoutWindows(frames: number, layout: WindowLayout, step: number): number[][] {
  switch (layout.schedule) {
    case 'looped_uniform':
      return frames < layout.contextLength ? [range(0, frames)] : uniformWindows(frames, layout, step, layout.closedLoop);
    case 'standard_uniform':
      return standardUniformWindows(frames, layout, step);
    case 'standard_static':
      return standardStaticWindows(frames, layout);
    case 'batched': {
      if (frames <= layout.contextLength) return [range(0, frames)];
      const windows: number[][] = [];
      for (let start = 0; start < frames; start += layout.contextLength) windows.push(range(start, Math.min(layout.contextLength, frames - start)));
      return windows;
    }
    case 'view_as_context':
      return [range(0, frames)];
  }
}

/** The windows of `options` for `frames` frames at step `step`: all frames in one when windows do not apply. */
export function contextWindows(frames: number, options: WindowLayout, step: number): number[][] {
  return windowsApply(frames, options) ? layoutWindows(frames, options, step) : [range(0, frames)];
}

/**
 * The options of a chain in force at `step` of `totalSteps` by step fraction: the last, by `startPercent`, that has
 * started; before any has started, the earliest. (The KSampler path follows ADE's sigma-based switching instead,
 * `schedule.ts`; this is for samplers that have timesteps and no sigmas.)
 */
export function activeContextOptions(options: ContextOptionsValue, step: number, totalSteps: number): ContextOptionsValue {
  const sorted = sortedContextChain(options);
  const percent = totalSteps > 0 ? step / totalSteps : 0;
  let active = sorted[0]!;
  for (const o of sorted) if (o.startPercent <= percent) active = o;
  return active;
}
