import { describe, expect, it } from 'vitest';
import {
  bfloat16ToFloat32,
  float32ToBfloat16,
  float32ToHalf,
  floatToHalfBits,
  halfBitsToFloat,
  halfToFloat32,
  halfToFloat32Bitwise,
} from '../../src/weights/half.js';

/** IEEE binary16 by its definition: (-1)^s × 2^(e−15) × 1.m, subnormals 2^−14 × 0.m. */
function naiveHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * m * 2 ** -24;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Nearest half by brute search over all finite halves, ties to the even code; 65520 and beyond overflow. */
const positiveHalves = Array.from({ length: 0x7c00 }, (_, h) => naiveHalf(h));
function naiveToHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = 0x7bff;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (positiveHalves[mid]! <= a) lo = mid;
    else hi = mid - 1;
  }
  if (lo === 0x7bff) return sign | (a - 65504 < 65536 - a ? 0x7bff : 0x7c00);
  const below = a - positiveHalves[lo]!;
  const above = positiveHalves[lo + 1]! - a;
  if (below < above) return sign | lo;
  if (above < below) return sign | (lo + 1);
  return sign | (lo % 2 === 0 ? lo : lo + 1);
}

function f32(value: number): number {
  return Math.fround(value);
}

describe('fp16 to fp32', () => {
  it('decodes all 65,536 codes as the IEEE definition does', () => {
    const codes = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const out = halfToFloat32(codes);
    const wrong: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const expected = naiveHalf(h);
      const ok = Number.isNaN(expected) ? Number.isNaN(out[h]!) : Object.is(out[h], expected);
      if (!ok) wrong.push(`0x${h.toString(16)}: ${out[h]} instead of ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it('gives the same bits with the table and with bit manipulation, NaN payloads included', () => {
    const codes = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const table = new Uint32Array(halfToFloat32(codes).buffer);
    const bitwise = new Uint32Array(halfToFloat32Bitwise(codes).buffer);
    expect(table.findIndex((bits, h) => bits !== bitwise[h])).toBe(-1);
  });

  it('decodes the landmark values 65504, 2^-24, -0, infinity and 1/3', () => {
    expect(halfBitsToFloat(0x7bff)).toBe(65504);
    expect(halfBitsToFloat(0x0001)).toBe(5.960464477539063e-8);
    expect(halfBitsToFloat(0x0400)).toBe(6.103515625e-5);
    expect(Object.is(halfBitsToFloat(0x8000), -0)).toBe(true);
    expect(halfBitsToFloat(0xfc00)).toBe(-Infinity);
    expect(halfBitsToFloat(0x3555)).toBe(0.333251953125);
    expect(halfBitsToFloat(0x7e00)).toBeNaN();
  });

  it('writes into a given output array and refuses one of the wrong length', () => {
    const out = new Float32Array(2);
    expect(halfToFloat32(Uint16Array.of(0x3c00, 0xc000), out)).toBe(out);
    expect([...out]).toEqual([1, -2]);
    expect(() => halfToFloat32(Uint16Array.of(1, 2, 3), new Float32Array(2))).toThrow(
      'halfToFloat32: output holds 2 elements but the input has 3',
    );
  });
});

describe('fp32 to fp16', () => {
  it('keeps 65504 and overflows from the midpoint 65520 to infinity', () => {
    expect(floatToHalfBits(65504)).toBe(0x7bff);
    expect(floatToHalfBits(f32(65519.99))).toBe(0x7bff);
    expect(floatToHalfBits(65520)).toBe(0x7c00);
    expect(floatToHalfBits(1e6)).toBe(0x7c00);
    expect(floatToHalfBits(-1e6)).toBe(0xfc00);
    expect(floatToHalfBits(Infinity)).toBe(0x7c00);
    expect(floatToHalfBits(-Infinity)).toBe(0xfc00);
  });

  it('rounds ties to the even mantissa', () => {
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00);
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(floatToHalfBits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(floatToHalfBits(2048 + 1)).toBe(0x6800);
    expect(floatToHalfBits(2048 + 3)).toBe(0x6802);
  });

  it('rounds into and out of the subnormal range', () => {
    expect(floatToHalfBits(2 ** -24)).toBe(0x0001);
    expect(floatToHalfBits(2 ** -25)).toBe(0x0000);
    expect(floatToHalfBits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(floatToHalfBits(1.5 * 2 ** -24)).toBe(0x0002);
    expect(floatToHalfBits(2 ** -26)).toBe(0x0000);
    expect(floatToHalfBits(1023.5 * 2 ** -24)).toBe(0x0400);
    expect(floatToHalfBits(1022.5 * 2 ** -24)).toBe(0x03fe);
  });

  it('keeps the sign of zero and turns NaN into a quiet NaN', () => {
    expect(floatToHalfBits(0)).toBe(0x0000);
    expect(floatToHalfBits(-0)).toBe(0x8000);
    const nan = floatToHalfBits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });

  it('round-trips every finite half exactly', () => {
    const codes = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    const back = float32ToHalf(halfToFloat32(codes));
    expect(back.findIndex((h, i) => h !== codes[i])).toBe(-1);
  });

  it('matches a brute-force nearest-half search on 20,000 random floats of every magnitude', () => {
    let seed = 12345;
    const bits = new Uint32Array(20000);
    for (let i = 0; i < bits.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // Exponents 90..150 cover underflow, subnormals, normals and overflow of fp16.
      const exponent = 90 + (seed % 61);
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bits[i] = ((seed & 1) << 31) | (exponent << 23) | (seed >>> 9);
    }
    const floats = new Float32Array(bits.buffer);
    const halves = float32ToHalf(floats);
    const wrong: string[] = [];
    for (let i = 0; i < floats.length; i++) {
      const expected = naiveToHalf(floats[i]!);
      if (halves[i] !== expected) wrong.push(`${floats[i]}: 0x${halves[i]!.toString(16)} instead of 0x${expected.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('bfloat16', () => {
  it('decodes the top half of a float', () => {
    const out = bfloat16ToFloat32(Uint16Array.of(0x3f80, 0xc000, 0x7f80, 0x8000, 0x0001, 0x3eab));
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(-2);
    expect(out[2]).toBe(Infinity);
    expect(Object.is(out[3], -0)).toBe(true);
    expect(out[4]).toBe(2 ** -133);
    expect(out[5]).toBe(0.333984375);
  });

  it('encodes with ties to even, overflows the largest float to infinity and keeps NaN', () => {
    const out = float32ToBfloat16(Float32Array.of(1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, 3.4028234663852886e38, NaN, -0));
    expect([...out.subarray(0, 4)]).toEqual([0x3f80, 0x3f82, 0x3f81, 0x7f80]);
    expect(out[4]! & 0x7f80).toBe(0x7f80);
    expect(out[4]! & 0x7f).not.toBe(0);
    expect(out[5]).toBe(0x8000);
  });
});
