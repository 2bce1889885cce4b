/**
 * float32 `log` and `sincos` exactly as PyTorch's AVX2 CPU kernels compute them for `randn`: the Cephes
 * polynomials of `avx_mathfun.h` (J. Pommier's sse_mathfun, ported to AVX), evaluated step by step in float32
 * with `Math.fround`. GCC builds that header with `-mfma` and contracts a multiply followed by its single add
 * into one fused multiply-add, so the same steps are fused here ({@link fmaf}); without them about 2% of the
 * normals come out one ulp off.
 */

const f = Math.fround;
const bitsF = new Float32Array(1);
const bitsI = new Int32Array(bitsF.buffer); // float32 bit access for the log's exponent split

/**
 * float32 fused multiply-add: `a·b + c` rounded once to float32 (all arguments float32 values).
 * The product is exact in float64 (48 bits); the float64 sum s may be inexact, and rounding it again to
 * float32 is wrong only when s lands exactly on a float32 midpoint, where the sum's exact error decides.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f(s);
  if (s === r) return r;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return r;
  // s is a midpoint exactly when its mirror image across r, 2s - r, is itself a float32 (the other neighbour).
  const other = r + 2 * (s - r);
  if (f(other) !== other) return r;
  return err > 0 === other > r ? other : r;
}

const SQRTHF = f(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.1219444e-4);
const LOG_Q2 = f(0.693359375);

/** Natural log of a positive normal float32 (the kernel's inputs lie in (0, 1]). */
export function logfAvx(value: number): number {
  bitsF[0] = value;
  const bits = bitsI[0]!;
  let e = f(((bits >>> 23) & 0xff) - 127 + 1);
  bitsI[0] = (bits & ~0x7f800000) | 0x3f000000; // mantissa in [0.5, 1)
  let x = bitsF[0]!;
  const below = x < SQRTHF;
  const tmp = below ? x : 0;
  x = f(x - 1);
  if (below) e = f(e - 1);
  x = f(x + tmp);
  const z = f(x * x);
  let y = LOG_P[0]!;
  for (let k = 1; k < LOG_P.length; k++) y = fmaf(y, x, LOG_P[k]!);
  y = f(y * x);
  y = fmaf(y, z, f(e * LOG_Q1));
  y = f(y - f(z * 0.5));
  x = f(x + y);
  return fmaf(e, LOG_Q2, x);
}

const FOPI = f(1.27323954473516);
const DP1 = f(-0.78515625);
const DP2 = f(-2.4187564849853515625e-4);
const DP3 = f(-3.77489497744594108e-8);
const SIN_P0 = f(-1.9515295891e-4);
const SIN_P1 = f(8.3321608736e-3);
const SIN_P2 = f(-1.6666654611e-1);
const COS_P0 = f(2.443315711809948e-5);
const COS_P1 = f(-1.388731625493765e-3);
const COS_P2 = f(4.166664568298827e-2);

/** Where {@link sincosfAvx} leaves its results: [sin, cos]. */
export const sincosOut = new Float64Array(2);

/** sin and cos of a float32 into {@link sincosOut} (no allocation: called twice per pair of normals). */
export function sincosfAvx(value: number): void {
  let signSin = value < 0 ? -1 : 1;
  let x = Math.abs(value);
  let j = Math.trunc(f(x * FOPI));
  j = (j + 1) & ~1;
  const y = f(j);
  if (j & 4) signSin = -signSin;
  const signCos = ~(j - 2) & 4 ? -1 : 1;
  const sinPoly = (j & 2) === 0;
  // Cody–Waite reduction: x - j·π/4 in three parts.
  x = fmaf(y, DP1, x);
  x = fmaf(y, DP2, x);
  x = fmaf(y, DP3, x);
  const z = f(x * x);
  let c = fmaf(COS_P0, z, COS_P1);
  c = fmaf(c, z, COS_P2);
  c = f(c * z);
  c = fmaf(c, z, -f(z * 0.5));
  c = f(c + 1);
  let s = fmaf(SIN_P0, z, SIN_P1);
  s = fmaf(s, z, SIN_P2);
  s = f(s * z);
  s = fmaf(s, x, x);
  sincosOut[0] = signSin * (sinPoly ? s : c);
  sincosOut[1] = signCos * (sinPoly ? c : s);
}
