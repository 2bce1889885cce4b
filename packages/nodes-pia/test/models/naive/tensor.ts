/**
 * Plain-loop reference maths for the model tests: a tensor is a Float32Array plus its dims, row-major.
 * Nothing here is shared with `src/`; every op is written out so a reader can check it against the papers.
 */
export interface T {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export function tensor(dims: readonly number[], data?: Float32Array): T {
  const n = dims.reduce((a, b) => a * b, 1);
  if (data && data.length !== n) throw new Error(`tensor [${dims.join(',')}] needs ${n} values, got ${data.length}`);
  return { data: data ?? new Float32Array(n), dims: [...dims] };
}

/** A seeded generator (mulberry32) of uniform and normal numbers, for test inputs. */
export function rng(seed: number): { uniform(): number; normal(): number } {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** A tensor of normal samples × `scale`. */
export function randn(dims: readonly number[], seed: number, scale = 1): T {
  const r = rng(seed);
  const t = tensor(dims);
  for (let i = 0; i < t.data.length; i++) t.data[i] = r.normal() * scale;
  return t;
}

export function add(a: T, b: T): T {
  const out = tensor(a.dims);
  for (let i = 0; i < a.data.length; i++) out.data[i] = a.data[i]! + b.data[i]!;
  return out;
}

export function map(a: T, f: (x: number) => number): T {
  const out = tensor(a.dims);
  for (let i = 0; i < a.data.length; i++) out.data[i] = f(a.data[i]!);
  return out;
}

export const silu = (x: number): number => x / (1 + Math.exp(-x));

/** erf by Abramowitz & Stegun 7.1.26 refined with one series/continued-fraction switch (|error| < 1e-9 in double). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series converges fast below 2.5.
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc at larger |x|.
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

export const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
export const quickGelu = (x: number): number => x / (1 + Math.exp(-1.702 * x));

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
