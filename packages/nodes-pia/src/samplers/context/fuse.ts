/**
 * Per-frame weights of one window's predictions when overlapping windows are fused (ADE's fuse methods, its
 * `create_weights_*`). With m = ⌈n/2⌉ for a window of n frames:
 * - `flat`: 1 everywhere.
 * - `pyramid`: 1, 2, … m … 2, 1 (frames near a window's edge, where its motion context is one-sided, count less).
 * - `relative`: per frame its closeness to the window's centre, 1 − |f − centre| / ((last − first + 0.01)/2), at
 *   least 0.01, from the frame numbers themselves (ADE fuses it as a running weighted mean, which is this mean).
 * - `overlap-linear`: 1, with a ramp from ~0 up over the first `overlap` frames (unless the window starts at frame 0)
 *   and down over the last `overlap` (unless it ends at the last frame); the down ramp wins where they meet.
 * - `🔬delayed reverse sawtooth`: 0.01 over the first half, then m falling to 1.
 * - `🔬pyramid-sigma`: s·pyramid + (1 − s)·spike with s = min(σ, 4)/4 and spike = −m except m at the middle, clipped
 *   to [0.001, m]: a pyramid at high noise sharpening to the middle frames as σ falls; `inverse` swaps the two.
 * - `🔬gauss-sigma`: a Gaussian over the window, width 1 + 8·s (inverse: 1 + 8·(1 − s)), scaled to L2 norm m.
 * - `🔬random`: uniform in [0.001, m + 0.001).
 * ADE's odd-length `delayed reverse sawtooth` and `pyramid-sigma` lists are one entry longer than the window (ADE then
 * fails on the shape); here they keep the even case's shape: the flat/spike part one shorter before the middle.
 */
import { torchLinspace } from '../torch-linspace.js';
import { ContextError } from './errors.js';
import { DEPRECATED_FUSE_METHODS, type FuseMethod } from './options.js';

/** ADE's `max_weight`: ⌈n/2⌉. */
const maxWeight = (n: number) => Math.ceil(n / 2);

/** `[1, 2, …, m, …, 2, 1]` over `length` frames (an even length repeats the peak). */
export function pyramidWeights(length: number): number[] {
  const half = maxWeight(length);
  return Array.from({ length }, (_, i) => Math.min(i + 1, length - i, half));
}

/** −m everywhere but m at the middle frame (odd) or the middle two (even). */
function middleSpike(n: number): number[] {
  const m = maxWeight(n);
  const even = n % 2 === 0;
  return Array.from({ length: n }, (_, i) => (i === m - 1 || (even && i === m) ? m : -m));
}

/** `🔬pyramid-sigma` (`towardPyramid` = s) and its inverse (`towardPyramid` = 1 − s). */
function pyramidSigmaWeights(n: number, towardPyramid: number): number[] {
  const m = maxWeight(n);
  const pyramid = pyramidWeights(n);
  const spike = middleSpike(n);
  return pyramid.map((p, i) => Math.min(Math.max(towardPyramid * p + (1 - towardPyramid) * spike[i]!, 0.001), m));
}

/** A Gaussian of width `width` over the window's centred positions, scaled to an L2 norm of m. */
function gaussWeights(n: number, width: number): number[] {
  const w = Array.from({ length: n }, (_, i) => {
    const x = i - (n - 1) / 2;
    return Math.exp((-0.5 * x * x) / (width * width));
  });
  const norm = Math.sqrt(w.reduce((s, v) => s + v * v, 0));
  return w.map((v) => (v * maxWeight(n)) / norm);
}

function delayedReverseSawtooth(n: number): number[] {
  const m = maxWeight(n);
  // Even: 0.01 × (m − 1), m, m, m − 1, … 1. Odd: 0.01 × (m − 1), m, m − 1, … 1.
  const falling = Array.from({ length: n - (m - 1) }, (_, i) => Math.min(m, n - (m - 1) - i));
  return [...Array.from({ length: m - 1 }, () => 0.01), ...falling];
}

function relativeWeights(window: readonly number[]): number[] {
  const first = window[0]!;
  const last = window[window.length - 1]!;
  const centre = (first + last) / 2;
  const half = (last - first + 1e-2) / 2;
  return window.map((f) => Math.max(1e-2, 1 - Math.abs(f - centre) / half));
}

function overlapLinear(window: readonly number[], frameCount: number, overlap: number): number[] {
  const n = window.length;
  const weights = Array.from({ length: n }, () => 1);
  // ADE fails on an overlap of 0 or one longer than the window; the ramp is limited to the window here.
  const ramp = Math.min(overlap, n);
  if (ramp <= 0) return weights;
  const up = torchLinspace(1e-37, 1, ramp, 'float32');
  if (Math.min(...window) > 0) for (let i = 0; i < ramp; i++) weights[i] = up[i]!;
  const down = torchLinspace(1, 1e-37, ramp, 'float32');
  if (Math.max(...window) < frameCount - 1) for (let i = 0; i < ramp; i++) weights[n - ramp + i] = down[i]!;
  return weights;
}

/** What the sigma-dependent and random methods need besides the window. */
export interface FuseInputs {
  /** The current sigma (ADE: the mean of the step's sigmas). */
  readonly sigma?: number;
  /** Uniform numbers in [0, 1) for `🔬random`. */
  readonly random?: () => number;
}

/** A deprecated name as ADE's weight table maps it. */
function canonical(method: FuseMethod): Exclude<FuseMethod, keyof typeof DEPRECATED_FUSE_METHODS> {
  return method in DEPRECATED_FUSE_METHODS ? DEPRECATED_FUSE_METHODS[method as keyof typeof DEPRECATED_FUSE_METHODS] : (method as never);
}

function sigmaOf(method: FuseMethod, inputs: FuseInputs): number {
  if (inputs.sigma === undefined || !Number.isFinite(inputs.sigma)) {
    throw new ContextError('bad-option', `fuse_method "${method}" weighs by the step's sigma, which this sampler does not give`, {}, 'fuse_method');
  }
  return Math.min(4, inputs.sigma) / 4;
}

/**
 * The weights of a window holding `window` (frame indices, or positions inside a context window for views) of
 * `frameCount` frames, for windows overlapping by `overlap`.
 */
export function fuseWeights(method: FuseMethod, window: readonly number[], frameCount: number, overlap: number, inputs: FuseInputs = {}): number[] {
  const n = window.length;
  const name = canonical(method);
  switch (name) {
    case 'flat':
      return Array.from({ length: n }, () => 1);
    case 'pyramid':
      return pyramidWeights(n);
    case 'relative':
      return relativeWeights(window);
    case 'overlap-linear':
      return overlapLinear(window, frameCount, overlap);
    case '🔬delayed reverse sawtooth':
      return delayedReverseSawtooth(n);
    case '🔬pyramid-sigma':
      return pyramidSigmaWeights(n, sigmaOf(method, inputs));
    case '🔬pyramid-sigma inverse':
      return pyramidSigmaWeights(n, 1 - sigmaOf(method, inputs));
    case '🔬gauss-sigma':
      return gaussWeights(n, 1 + 8 * sigmaOf(method, inputs));
    case '🔬gauss-sigma inverse':
      return gaussWeights(n, 1 + 8 * (1 - sigmaOf(method, inputs)));
    case '🔬random': {
      const random = inputs.random ?? Math.random;
      return Array.from({ length: n }, () => random() * maxWeight(n) + 0.001);
    }
  }
  throw new ContextError('bad-option', `unknown fuse_method "${String(method)}"`, {}, 'fuse_method');
}

/**
 * A seeded uniform generator (mulberry32) for `🔬random`: ADE draws from numpy's global generator, different on every
 * run; piagraph seeds its own so that a graph gives the same video twice.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
