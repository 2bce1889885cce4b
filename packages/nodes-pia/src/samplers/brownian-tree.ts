/**
 * A Brownian tree noise sampler: the role torchsde's `BrownianTree` plays in ComfyUI's SDE samplers
 * (`BrownianTreeNoiseSampler`), written from the idea, not torchsde's code, so its numbers differ from
 * ComfyUI's. One Brownian motion W per seed over [σ_min, σ_max], W(σ_min) = 0. W at any σ is found by
 * bisecting the interval down to `depth` levels, each midpoint drawn from the Brownian bridge of its parent
 * with normals keyed by the node (Philox, counter-based), then one bridge draw at σ itself inside the leaf,
 * keyed by the leaf and σ. Any query, in any order, sees the same path, and increments over overlapping
 * intervals are correlated as Brownian increments are (unlike independent draws); only two queries inside one
 * leaf (2^-depth of the range) are not jointly Brownian.
 */
import { fillNormal } from '../random/normal.js';
import { parseSeed, type Seed } from '../random/seed.js';
import type { NoiseSampler } from './noise.js';

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 finaliser: spreads (seed, key) into an independent 64-bit Philox key. */
function mix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

const bits = new Float64Array(1);
const bitsU = new BigUint64Array(bits.buffer);

export interface BrownianTreeOptions {
  /** Bisection levels (leaf width = range·2^-depth). Default 12. */
  depth?: number;
  /** Memory for cached tree nodes, in bytes. Default 64 MiB. */
  cacheBytes?: number;
}

export class BrownianTreeNoiseSampler {
  private readonly seed: bigint;
  private readonly t0: number;
  private readonly t1: number;
  private readonly w1: Float32Array;
  private readonly w0: Float32Array;
  private readonly depth: number;
  private readonly maxNodes: number;
  /** Midpoint values by heap index (root 1, children 2i and 2i + 1), least recently used first. */
  private readonly nodes = new Map<number, Float32Array>();
  /** W at the last few query points: a sampler asks for σ_i → σ_{i+1}, then σ_{i+1} → σ_{i+2}. */
  private readonly recent = new Map<number, Float32Array>();

  constructor(
    seed: Seed,
    readonly length: number,
    sigmaMin: number,
    sigmaMax: number,
    options: BrownianTreeOptions = {},
  ) {
    this.seed = parseSeed(seed);
    this.t0 = Math.min(sigmaMin, sigmaMax);
    this.t1 = Math.max(sigmaMin, sigmaMax);
    this.depth = options.depth ?? 12;
    this.maxNodes = Math.max(this.depth + 1, Math.floor((options.cacheBytes ?? 64 * 2 ** 20) / (4 * length)));
    this.w0 = new Float32Array(length);
    this.w1 = this.normals(0n);
    const scale = Math.sqrt(this.t1 - this.t0);
    for (let i = 0; i < length; i++) this.w1[i] = this.w1[i]! * scale;
  }

  /** `length` standard normals for a key (node index, or a leaf/point key). */
  private normals(key: bigint): Float32Array {
    return fillNormal(new Float32Array(this.length), mix64(this.seed ^ mix64(key)));
  }

  /** W(t), t clamped to the tree's interval. */
  value(t: number): Float32Array {
    const q = Math.min(Math.max(t, this.t0), this.t1);
    const memo = this.recent.get(q);
    if (memo) return memo;
    let a = this.t0;
    let b = this.t1;
    let wa = this.w0;
    let wb = this.w1;
    let index = 1;
    let result: Float32Array | null = q === a ? wa : q === b ? wb : null;
    for (let level = 0; level < this.depth && !result; level++) {
      const mid = (a + b) / 2;
      const wm = this.midpoint(index, a, b, wa, wb);
      if (q === mid) result = wm;
      else if (q < mid) {
        b = mid;
        wb = wm;
        index *= 2;
      } else {
        a = mid;
        wa = wm;
        index = index * 2 + 1;
      }
    }
    result ??= this.bridge(q, a, b, wa, wb);
    if (this.recent.size >= 4) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(q, result);
    return result;
  }

  /** The bridge midpoint of node `index` over [a, b]: mean of the ends plus sqrt((b - a)/4)·z. */
  private midpoint(index: number, a: number, b: number, wa: Float32Array, wb: Float32Array): Float32Array {
    const hit = this.nodes.get(index);
    if (hit) {
      this.nodes.delete(index);
      this.nodes.set(index, hit);
      return hit;
    }
    const z = this.normals(BigInt(index));
    const sd = Math.sqrt((b - a) / 4);
    for (let i = 0; i < this.length; i++) z[i] = (wa[i]! + wb[i]!) / 2 + sd * z[i]!;
    if (this.nodes.size >= this.maxNodes) this.nodes.delete(this.nodes.keys().next().value!);
    this.nodes.set(index, z);
    return z;
  }

  /**
   * W(q) inside a leaf [a, b]: the Brownian bridge's law at q, keyed by q's bits (q > 0, so with the top bit
   * set the key never meets a node index; q lies in one leaf only).
   */
  private bridge(q: number, a: number, b: number, wa: Float32Array, wb: Float32Array): Float32Array {
    bits[0] = q;
    const z = this.normals(bitsU[0]! | (1n << 63n));
    const w = (q - a) / (b - a);
    const sd = Math.sqrt(((q - a) * (b - q)) / (b - a));
    for (let i = 0; i < this.length; i++) z[i] = wa[i]! + w * (wb[i]! - wa[i]!) + sd * z[i]!;
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
