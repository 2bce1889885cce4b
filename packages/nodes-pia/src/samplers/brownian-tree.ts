/**
 * A Brownian tree noise sampler: the role torchsde's `BrownianTree` plays in ComfyUI's SDE samplers
 * (`BrownianTreeNoiseSampler`), written from the idea, not torchsde's code, so its numbers differ from
 * ComfyUI's. One Brownian motion W per seed over [σ_min, σ_max]; W at any σ is found by bisecting the
 * interval, each midpoint drawn from the Brownian bridge of its parent with noise keyed by the node
 * (Philox, counter-based), so any query, in any order, sees the same path. Increments of nearby queries are
 * therefore correlated as Brownian increments are, unlike independent draws.
 */
import { fillNormal } from '../random/normal.js';
import { parseSeed, type Seed } from '../random/seed.js';
import type { NoiseSampler } from './noise.js';

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 finaliser: spreads (seed, node) into an independent 64-bit Philox key. */
function mix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

interface TreeNode {
  a: number;
  b: number;
  wa: Float64Array;
  wb: Float64Array;
}

export class BrownianTreeNoiseSampler {
  private readonly seed: bigint;
  private readonly t0: number;
  private readonly t1: number;
  private readonly w1: Float64Array;
  private readonly w0: Float64Array;
  private readonly tolerance: number;
  /** Midpoint values by heap index (root 1, children 2i and 2i + 1), bounded so long runs stay small. */
  private readonly cache = new Map<number, Float64Array>();
  private readonly scratch: Float32Array;

  /**
   * @param length values per draw (the latent's size)
   * @param sigmaMin, sigmaMax the interval of the tree (queries outside are clamped to it)
   * @param tolerance bisection stops at intervals this small relative to the whole (torchsde's default scale)
   */
  constructor(
    seed: Seed,
    readonly length: number,
    sigmaMin: number,
    sigmaMax: number,
    tolerance = 1e-6,
  ) {
    this.seed = parseSeed(seed);
    this.t0 = Math.min(sigmaMin, sigmaMax);
    this.t1 = Math.max(sigmaMin, sigmaMax);
    this.tolerance = tolerance * Math.max(this.t1 - this.t0, 1e-12);
    this.scratch = new Float32Array(length);
    this.w0 = new Float64Array(length);
    this.w1 = this.normals(0);
    const scale = Math.sqrt(this.t1 - this.t0);
    for (let i = 0; i < length; i++) this.w1[i] = this.w1[i]! * scale;
  }

  /** `length` standard normals for node `index` (0 = the endpoint W(t1)). */
  private normals(index: number): Float64Array {
    fillNormal(this.scratch, mix64(this.seed ^ mix64(BigInt(index))));
    return Float64Array.from(this.scratch);
  }

  /** W(t) by bisection from the root, interpolating linearly once the interval is below the tolerance. */
  value(t: number): Float64Array {
    const clamped = Math.min(Math.max(t, this.t0), this.t1);
    let node: TreeNode = { a: this.t0, b: this.t1, wa: this.w0, wb: this.w1 };
    let index = 1;
    while (node.b - node.a > this.tolerance) {
      if (clamped === node.a) return node.wa;
      if (clamped === node.b) return node.wb;
      const mid = (node.a + node.b) / 2;
      const wm = this.midpoint(index, node);
      if (clamped === mid) return wm;
      if (clamped < mid) {
        node = { a: node.a, b: mid, wa: node.wa, wb: wm };
        index *= 2;
      } else {
        node = { a: mid, b: node.b, wa: wm, wb: node.wb };
        index = index * 2 + 1;
      }
      if (!Number.isSafeInteger(index)) break;
    }
    const w = (clamped - node.a) / (node.b - node.a);
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = node.wa[i]! + w * (node.wb[i]! - node.wa[i]!);
    return out;
  }

  /** The bridge midpoint of a node: mean of the ends plus sqrt((b - a)/4)·z. */
  private midpoint(index: number, node: TreeNode): Float64Array {
    const hit = this.cache.get(index);
    if (hit) return hit;
    const z = this.normals(index);
    const sd = Math.sqrt((node.b - node.a) / 4);
    for (let i = 0; i < this.length; i++) z[i] = (node.wa[i]! + node.wb[i]!) / 2 + sd * z[i]!;
    if (this.cache.size >= 512) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(index, z);
    return z;
  }

  /** The normalised increment (W(σ_next) - W(σ)) / sqrt|σ_next - σ|, as ComfyUI's sampler returns it. */
  increment(sigma: number, sigmaNext: number): Float32Array {
    const a = this.value(sigma);
    const b = this.value(sigmaNext);
    const scale = 1 / Math.sqrt(Math.abs(sigmaNext - sigma));
    const out = new Float32Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = (b[i]! - a[i]!) * scale;
    return out;
  }

  sampler(): NoiseSampler {
    return (sigma, sigmaNext) => this.increment(sigma, sigmaNext);
  }
}
