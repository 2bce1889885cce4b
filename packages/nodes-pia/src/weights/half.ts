/**
 * IEEE 754 binary16 (fp16) and bfloat16 conversions. Node 20 has neither `Float16Array` nor `Math.f16round`,
 * so halves travel as `Uint16Array` bit patterns. Every conversion works on bit patterns through `Uint32Array`
 * views, which keeps NaN payloads and the sign of zero exact.
 */

const F32_INF = 0x7f800000;

/** fp16 bit pattern → fp32 bit pattern, exactly (every half is representable as a float). */
function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | F32_INF | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal half: shift the mantissa up until its leading one becomes the implicit bit of a normal float.
  let e = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e -= 1;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

/** fp32 bit pattern → fp16 bit pattern, rounding to nearest, ties to even; NaN stays NaN (quiet). */
function floatBitsToHalf(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  const mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant === 0 ? 0 : 0x200 | (mant >>> 13));
  const e = exp - 112;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Below 2^-25 everything rounds to zero; exactly 2^-25 is a tie that goes to the even zero.
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    const half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const midway = 1 << (shift - 1);
    // A carry out of the subnormal mantissa lands on the smallest normal, which is the right answer.
    return sign | (rest > midway || (rest === midway && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to infinity, which is again the right answer.
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** The value of one fp16 bit pattern. */
export function halfBitsToFloat(bits: number): number {
  scratchU32[0] = halfToFloatBits(bits & 0xffff);
  return scratchF32[0]!;
}

/** The fp16 bit pattern nearest to `value` (ties to even; beyond ±65520 → ±infinity; NaN → 0x7e00-class NaN). */
export function floatToHalfBits(value: number): number {
  scratchF32[0] = value;
  return floatBitsToHalf(scratchU32[0]!);
}

let halfTable: Uint32Array | undefined;

/** The 65,536 fp32 bit patterns of every half, built on first use (256 KB) and kept. */
function halfToFloatTable(): Uint32Array {
  if (halfTable === undefined) {
    halfTable = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloatBits(h);
  }
  return halfTable;
}

function floatView(out: Float32Array): Uint32Array {
  return new Uint32Array(out.buffer, out.byteOffset, out.length);
}

function checkLengths(what: string, src: { length: number }, out: { length: number }): void {
  if (out.length !== src.length) {
    throw new RangeError(`${what}: output holds ${out.length} elements but the input has ${src.length}`);
  }
}

/** fp16 → fp32 through the lookup table: one load per element, the fastest form on V8 (see bench/weights.bench.ts). */
export function halfToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  checkLengths('halfToFloat32', src, out);
  const table = halfToFloatTable();
  const dst = floatView(out);
  for (let i = 0; i < src.length; i++) dst[i] = table[src[i]!]!;
  return out;
}

/** fp16 → fp32 by bit manipulation, without the table; kept as the table's reference and for the benchmark. */
export function halfToFloat32Bitwise(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  checkLengths('halfToFloat32Bitwise', src, out);
  const dst = floatView(out);
  for (let i = 0; i < src.length; i++) dst[i] = halfToFloatBits(src[i]!);
  return out;
}

/** fp32 → fp16 with round-to-nearest-even, the rounding PyTorch's `.half()` applies. */
export function float32ToHalf(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  checkLengths('float32ToHalf', src, out);
  const bits = floatView(src);
  for (let i = 0; i < bits.length; i++) out[i] = floatBitsToHalf(bits[i]!);
  return out;
}

/** bfloat16 → fp32: a bfloat16 is the top half of a float, so this is a shift. */
export function bfloat16ToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  checkLengths('bfloat16ToFloat32', src, out);
  const dst = floatView(out);
  for (let i = 0; i < src.length; i++) dst[i] = src[i]! << 16;
  return out;
}

/** fp32 → bfloat16 with round-to-nearest-even; NaN stays a quiet NaN instead of rounding into infinity. */
export function float32ToBfloat16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  checkLengths('float32ToBfloat16', src, out);
  const bits = floatView(src);
  for (let i = 0; i < bits.length; i++) {
    const f = bits[i]!;
    if ((f & 0x7fffffff) > F32_INF) out[i] = (f >>> 16) | 0x40;
    else out[i] = (f + 0x7fff + ((f >>> 16) & 1)) >>> 16;
  }
  return out;
}
