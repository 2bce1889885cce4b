import { describe, expect, it } from 'vitest';
import { NormalGenerator, RandomError, parseSeed, randn, seedToKey } from '../../src/random/index.js';

function expectError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RandomError);
    expect((error as RandomError).code).toBe(code);
    expect((error as RandomError).message).toMatch(message);
    return;
  }
  throw new Error('expected a RandomError');
}

describe('randn', () => {
  it('turns the first Philox block of seed 0 into normals with Box–Muller', () => {
    // Block (counter 0, key 0) is Random123's first KAT answer: 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
    const bm = (x: number, y: number): [number, number] => {
      const r = Math.sqrt(-2 * Math.log(x / 2 ** 32 + 2 ** -33));
      const theta = 2 * Math.PI * (y / 2 ** 32 + 2 ** -33);
      return [r * Math.sin(theta), r * Math.cos(theta)];
    };
    const expected = [...bm(0x6627e8d5, 0xe169c58d), ...bm(0xbc57ac4c, 0x9b00dbd8)].map(Math.fround);
    expect(Array.from(randn(4, 0))).toEqual(expected);
  });

  it('gives the same numbers for the same seed on every call', () => {
    expect(randn(1000, 42)).toEqual(randn(1000, 42));
  });

  it('gives different numbers for seeds that differ only in the high word', () => {
    const a = randn(8, 5n);
    const b = randn(8, 5n + (1n << 32n));
    expect(a).not.toEqual(b);
  });

  it('accepts PIA seeds above 2^63 as decimal strings, equal to the bigint form', () => {
    expect(randn(16, '10201403011320481249')).toEqual(randn(16, 10201403011320481249n));
  });

  it('draws the tail of a stream at an offset, including one that starts mid-block', () => {
    const whole = randn(11, 7);
    expect(randn(6, 7, 5)).toEqual(whole.subarray(5));
  });

  it('has mean 0, variance 1 and the normal share within one sigma over 1e6 samples', () => {
    const n = 1_000_000;
    const x = randn(n, '5658137986800322011');
    let sum = 0;
    let sumSq = 0;
    let within = 0;
    for (const v of x) {
      sum += v;
      sumSq += v * v;
      if (Math.abs(v) < 1) within++;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    // standard errors: mean 1e-3, variance √(2/n) ≈ 1.4e-3, share √(p(1-p)/n) ≈ 4.7e-4; bounds ≈ 4–5 σ
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1)).toBeLessThan(0.006);
    expect(Math.abs(within / n - 0.682689)).toBeLessThan(0.002);
  });

  it('rejects a negative length', () => {
    expectError(() => randn(-1, 0), 'invalid_length', /length must be a non-negative integer, got -1/);
  });

  it('rejects a fractional offset', () => {
    expectError(() => randn(4, 0, 1.5), 'invalid_offset', /offset must be .*got 1.5/);
  });
});

describe('NormalGenerator', () => {
  it('continues the stream across draws of any size', () => {
    const gen = new NormalGenerator(123);
    const joined = new Float32Array([...gen.next(3), ...gen.next(6)]);
    expect(joined).toEqual(randn(9, 123));
    expect(gen.offset).toBe(9);
  });

  it('rejects a bad seed when constructed', () => {
    expectError(() => new NormalGenerator('abc'), 'invalid_seed', /"abc" is not a decimal integer/);
  });
});

describe('seeds', () => {
  it('splits a seed into its low and high 32-bit words', () => {
    expect(seedToKey(0x0123456789abcdefn)).toEqual([0x89abcdef, 0x01234567]);
  });

  it('accepts the largest unsigned 64-bit seed', () => {
    expect(parseSeed('18446744073709551615')).toBe(18446744073709551615n);
  });

  it('rejects a seed of 2^64', () => {
    expectError(() => parseSeed(1n << 64n), 'invalid_seed', /18446744073709551616 is outside \[0, 2\^64 - 1\]/);
  });

  it('rejects a negative seed', () => {
    expectError(() => parseSeed(-1n), 'invalid_seed', /-1 is outside/);
  });

  it('rejects a number seed past 2^53, which would have lost digits', () => {
    expectError(() => parseSeed(2 ** 60), 'invalid_seed', /not a safe integer.*bigint or a decimal string/);
  });

  it('rejects a non-decimal string', () => {
    expectError(() => parseSeed('0x10'), 'invalid_seed', /"0x10" is not a decimal integer/);
  });
});
