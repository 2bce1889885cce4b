/**
 * Which frames each context window holds, for each schedule of AnimateDiff-Evolved's context options:
 * - `standard_static` / `standard_uniform`: contiguous windows of `contextLength` frames stepping by
 *   `contextLength − contextOverlap`; the last one is shifted back so it ends at the last frame (never wraps). The
 *   uniform variant adds spread windows (every 2nd, 4th… frame) for `contextStride` > 1.
 * - `looped_uniform`: AnimateDiff's original uniform schedule: windows wrap around the end, and their start moves
 *   each step by the bit-reversed step number (`ordered_halving`), so seams never stay in one place.
 * - `batched`: consecutive windows without overlap (no motion shared between them).
 */
import type { ContextOptionsValue } from './options.js';

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

const range = (start: number, length: number, step = 1) => Array.from({ length }, (_, i) => start + i * step);

function standardWindows(frames: number, length: number, overlap: number, span: number): number[][] {
  // `span` = 1 contiguous, s > 1 every s-th frame: a window then covers length·s frames.
  const covered = (length - 1) * span + 1;
  if (covered > frames) return [];
  const windows: number[][] = [];
  const delta = Math.max(1, (length - overlap) * span);
  for (let start = 0; ; start += delta) {
    if (start + covered >= frames) {
      windows.push(range(frames - covered, length, span));
      break;
    }
    windows.push(range(start, length, span));
  }
  return windows;
}

function loopedWindows(frames: number, options: ContextOptionsValue, step: number): number[][] {
  const { contextLength: length, contextOverlap: overlap, closedLoop } = options;
  const stride = Math.min(options.contextStride, Math.ceil(Math.log2(frames / length)) + 1);
  const halving = orderedHalving(step);
  const pad = Math.round(frames * halving);
  const windows: number[][] = [];
  for (let s = 0; s < stride; s++) {
    const spread = 1 << s;
    const end = frames + pad + (closedLoop ? 0 : -overlap);
    const delta = length * spread - overlap;
    for (let j = Math.trunc(halving * spread) + pad; j < end; j += delta) {
      windows.push(range(j, length, spread).map((e) => e % frames));
    }
  }
  return windows;
}

/**
 * The options of a chain (`prev` first) in force at `step` of `totalSteps`: the last, by `startPercent`, that has
 * started (ADE's context options group); before any has started, the earliest.
 */
export function activeContextOptions(options: ContextOptionsValue, step: number, totalSteps: number): ContextOptionsValue {
  const chain: ContextOptionsValue[] = [];
  for (let o: ContextOptionsValue | undefined = options; o; o = o.prev) chain.unshift(o);
  const sorted = chain.map((o, i) => ({ o, i })).sort((a, b) => a.o.startPercent - b.o.startPercent || a.i - b.i);
  const percent = totalSteps > 0 ? step / totalSteps : 0;
  let active = sorted[0]!.o;
  for (const { o } of sorted) if (o.startPercent <= percent) active = o;
  return active;
}

/** The windows of `options` (one set, see {@link activeContextOptions}) for `frames` frames at sampling step `step`. */
export function contextWindows(frames: number, options: ContextOptionsValue, step: number): number[][] {
  const length = options.contextLength;
  const fits = options.useOnEqualLength ? frames < length : frames <= length;
  if (fits) return [range(0, frames)];
  switch (options.schedule) {
    case 'batched': {
      const windows: number[][] = [];
      for (let start = 0; start < frames; start += length) windows.push(range(start, Math.min(length, frames - start)));
      return windows;
    }
    case 'looped_uniform':
      return loopedWindows(frames, options, step);
    case 'standard_static':
      return standardWindows(frames, length, options.contextOverlap, 1);
    case 'standard_uniform': {
      const windows: number[][] = [];
      for (let s = 0; s < Math.max(1, options.contextStride); s++) windows.push(...standardWindows(frames, length, options.contextOverlap, 1 << s));
      return windows;
    }
  }
}
