/**
 * `torch.linspace` on the CPU, value for value (PyTorch's AVX2 build). ATen fills the first half as
 * `start + step·i` and the second as `end - step·(steps - 1 - i)`; its vectorised loop (8 floats or 4 doubles a
 * vector, two vectors a round, the remainder scalar) computes each vector as `base + k·step` from the vector's
 * first element. GCC fuses the scalar multiply-adds (`-mfma`), rounding those float32 elements once, but not
 * the ones inside a vector (found against PyTorch's numbers: fusing them too, or neither, mismatches).
 * float64 is computed unfused: betas are cast to float32 sigmas, where the difference has not been seen.
 */
import { fmaf } from '../random/torch-mathfun.js';
import { f } from './f32.js';

export type LinspaceDtype = 'float32' | 'float64';

export function torchLinspace(start: number, end: number, steps: number, dtype: LinspaceDtype = 'float32'): Float64Array {
  const out = new Float64Array(Math.max(steps, 0));
  if (steps <= 0) return out;
  const single = dtype === 'float32';
  const round = single ? f : (x: number): number => x;
  const mulAdd = single ? fmaf : (a: number, b: number, c: number): number => a * b + c;
  const s = round(start);
  const e = round(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const step = round(round(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  const scalar = (i: number): number => (i < halfway ? mulAdd(step, i, s) : mulAdd(-step, steps - i - 1, e));
  const vec = single ? 8 : 4;
  let i = 0;
  for (; i <= steps - 2 * vec; i += 2 * vec) {
    for (const first of [i, i + vec]) {
      const base = scalar(first);
      out[first] = base;
      for (let k = 1; k < vec; k++) out[first + k] = round(base + round(k * step));
    }
  }
  for (; i < steps; i++) out[i] = scalar(i);
  return out;
}
