/**
 * Test LoRA files and a plain-loop reference merge, written independently of `src/lora/`: a layer update is
 * `ΔW[o, j] = Σ_r up[o, r] · down[r, j]` over the flattened input axis `j = (c, kh, kw)`, scaled by alpha/rank.
 */
import { float32ToHalf, halfToFloat32 } from '../../../src/weights/half.js';
import { writeSafetensors } from '../../../src/weights/safetensors-write.js';
import type { TensorToWrite } from '../../../src/weights/tensor-input.js';
import { randn } from '../../models/naive/tensor.js';

/** A tensor for a test file: values, shape and the dtype to store them in. */
export interface TestTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly dtype?: 'F32' | 'F16';
}

let seed = 1000;

/** Normal values × `scale`, each call a new stream. */
export function rand(shape: readonly number[], scale = 1, dtype: 'F32' | 'F16' = 'F32'): TestTensor {
  const data = randn(shape, seed++, scale).data;
  // Values an fp16 file holds are the rounded ones; keep those so the reference sees what the file stores.
  return { shape, data: dtype === 'F16' ? halfToFloat32(float32ToHalf(data)) : data, dtype };
}

/** A scalar (kohya's `.alpha`). */
export function scalar(value: number, dtype: 'F32' | 'F16' = 'F32'): TestTensor {
  return { shape: [], data: Float32Array.of(value), dtype };
}

/** Writes `tensors` as a `.safetensors` file. */
export async function writeTestFile(path: string, tensors: Readonly<Record<string, TestTensor>>, metadata?: Record<string, string>): Promise<string> {
  const entries: [string, TensorToWrite][] = Object.entries(tensors).map(([k, t]) => [
    k,
    { dtype: t.dtype ?? 'F32', shape: t.shape, data: (t.dtype ?? 'F32') === 'F16' ? float32ToHalf(t.data) : t.data },
  ]);
  await writeSafetensors(path, entries, metadata ? { metadata } : {});
  return path;
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** `scale · up · down` for `up [out, r, (1, 1)]`, `down [r, in, (kh, kw)]`, as a flat `[out, in·kh·kw]` array. */
export function naiveLowRank(up: TestTensor, down: TestTensor, scale: number): Float32Array {
  const out = up.shape[0]!;
  const r = up.shape[1]!;
  const cols = numel(down.shape) / r;
  const delta = new Float32Array(out * cols);
  for (let o = 0; o < out; o++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += up.data[o * r + k]! * down.data[k * cols + j]!;
      delta[o * cols + j] = scale * s;
    }
  }
  return delta;
}

/**
 * The Tucker chain down (1×1, in → r) → mid (kh×kw, r → r) → up (1×1, r → out) as one kernel:
 * `ΔW[o, c, y, x] = scale · Σ_a Σ_b up[o, a] · mid[a, b, y, x] · down[b, c]`.
 */
export function naiveTucker(up: TestTensor, mid: TestTensor, down: TestTensor, scale: number): Float32Array {
  const [out, r] = up.shape as [number, number];
  const [, , kh, kw] = mid.shape as [number, number, number, number];
  const inC = down.shape[1]!;
  const delta = new Float32Array(out * inC * kh * kw);
  for (let o = 0; o < out; o++)
    for (let c = 0; c < inC; c++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          let s = 0;
          for (let a = 0; a < r; a++)
            for (let b = 0; b < r; b++) s += up.data[o * r + a]! * mid.data[((a * r + b) * kh + y) * kw + x]! * down.data[b * inC + c]!;
          delta[((o * inC + c) * kh + y) * kw + x] = scale * s;
        }
  return delta;
}

/** LoHa: `scale · (w1a · w1b) ⊙ (w2a · w2b)`. */
export function naiveLoha(w1a: TestTensor, w1b: TestTensor, w2a: TestTensor, w2b: TestTensor, scale: number): Float32Array {
  const p = naiveLowRank(w1a, w1b, 1);
  const q = naiveLowRank(w2a, w2b, 1);
  return p.map((v, i) => scale * v * q[i]!);
}

/** `w + Σ deltas`. */
export function plus(w: Float32Array, ...deltas: Float32Array[]): Float32Array {
  return w.map((v, i) => deltas.reduce((s, d) => s + d[i]!, v));
}

/** Largest absolute difference relative to the largest magnitude of `expected`. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / (scale || 1);
}
