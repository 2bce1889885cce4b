import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Mt19937, RandomError, TorchCpuGenerator, fmaf, shapeSize, torchRandn } from '../../src/random/index.js';

// Numbers printed by PyTorch 1.13 itself (the folder's expected.json says how); the repo root is four levels up.
const DATA = fileURLToPath(new URL('../../../../../shared/data/torch-randn/expected.json', import.meta.url));
interface RandnCase {
  seed: string;
  shape: number[];
  count: number;
  sum: number;
  sumsq: number;
  head: number[];
  tail: number[];
  at: Record<string, number>;
  values?: number[];
}
interface RandnData {
  cases: RandnCase[];
  continuation: { seed: string; draws: number[][]; second_values: number[] };
  rand_uniform_seed42_20: number[];
  randn_float64_seed42_20: number[];
}
const REF = JSON.parse(readFileSync(DATA, 'utf8')) as RandnData;

describe('torch.randn (float32, CPU) against PyTorch', () => {
  it('holds the 70 reference cases', () => {
    expect(REF.cases).toHaveLength(70);
  });

  for (const c of REF.cases) {
    it(`reproduces seed ${c.seed}, shape [${c.shape.join(', ')}] bit for bit`, () => {
      const out = torchRandn(c.shape, c.seed);
      expect(out).toHaveLength(c.count);
      if (c.values) expect(Array.from(out)).toEqual(c.values);
      expect(Array.from(out.subarray(0, c.head.length))).toEqual(c.head);
      expect(Array.from(out.subarray(out.length - c.tail.length))).toEqual(c.tail);
      for (const [index, value] of Object.entries(c.at)) expect(out[Number(index)]).toBe(value);
      // float64 sums of every value. PyTorch adds in another order (observed gaps: 1e-13 on the sum,
      // 1e-13 relative on the sum of squares); one value of magnitude > 0.01 one float32 ulp off moves the sum by > 1e-9.
      let sum = 0;
      let sumsq = 0;
      for (const v of out) {
        sum += v;
        sumsq += v * v;
      }
      expect(Math.abs(sum - c.sum)).toBeLessThan(1e-9);
      expect(Math.abs(sumsq - c.sumsq)).toBeLessThan(3e-13 * c.sumsq);
    });
  }

  it('continues one stream across draws', () => {
    const { seed, draws, second_values } = REF.continuation;
    const g = new TorchCpuGenerator(seed);
    g.randn(draws[0]!);
    expect(Array.from(g.randn(draws[1]!))).toEqual(second_values);
  });

  it('reproduces torch.rand (float32) for seed 42', () => {
    expect(Array.from(new TorchCpuGenerator(42).rand(20))).toEqual(REF.rand_uniform_seed42_20);
  });

  it('reproduces float64 torch.randn for seed 42 to the last few bits', () => {
    const out = new TorchCpuGenerator(42).randnFloat64(20);
    REF.randn_float64_seed42_20.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 14));
  });
});

describe('TorchCpuGenerator', () => {
  it('matches the reference MT19937 (10,000th output of seed 5489 is 4123659995)', () => {
    // The C++11 standard's own check value for std::mt19937.
    const mt = new Mt19937(5489n);
    let last = 0;
    for (let i = 0; i < 10000; i++) last = mt.nextUint32();
    expect(last).toBe(4123659995);
  });

  it('seeds MT19937 from the low 32 bits only', () => {
    expect(torchRandn([40], 2n ** 32n + 5n)).toEqual(torchRandn([40], 5));
  });

  it('hands the cached second normal of a small draw to the next small draw', () => {
    // randn(1) computes a pair and keeps the sine half, so randn(1) twice = the first two values of randn(2).
    const g = new TorchCpuGenerator(7);
    const a = g.randn(1)[0];
    const b = g.randn(1)[0];
    expect([a, b]).toEqual(Array.from(torchRandn(2, 7)));
  });

  it('keeps the cached normal through a vectorised draw, which does not use it', () => {
    const g = new TorchCpuGenerator(7);
    g.randn(3); // 2 pairs: the fourth normal stays cached
    g.randn(16);
    const fresh = new TorchCpuGenerator(7);
    const expected = Math.fround(fresh.randnFloat64(4)[3]!);
    expect(g.randn(1)[0]).toBe(expected);
  });

  it('forgets the cached normal on manualSeed', () => {
    const g = new TorchCpuGenerator(7);
    g.randn(1);
    g.manualSeed(7);
    expect(g.randn(3)).toEqual(torchRandn(3, 7));
  });

  it('redraws the last 16 uniforms for a size that is not a multiple of 16', () => {
    // 17 values take 17 + 16 uniforms from the stream; the next draw starts after them.
    const g = new TorchCpuGenerator(3);
    g.randn(17);
    const skip = new TorchCpuGenerator(3);
    skip.rand(33);
    expect(g.rand(4)).toEqual(skip.rand(4));
  });

  it('rejects bad shapes and seeds with a RandomError', () => {
    expect(() => shapeSize([2, -1])).toThrow(RandomError);
    expect(() => shapeSize([1.5])).toThrow(/not a non-negative integer/);
    expect(() => torchRandn(4, -1)).toThrow(RandomError);
    expect(() => torchRandn(4, 'abc')).toThrow(/not a decimal integer/);
  });
});

describe('fmaf', () => {
  it('rounds a·b + c once, also when the float64 sum lands on a float32 midpoint', () => {
    expect(fmaf(1 + 2 ** -23, 1, 0)).toBe(1 + 2 ** -23);
    expect(fmaf(1, 1 + 2 ** -23, -(2 ** -23))).toBe(1);
    const a = Math.fround(1 + 2 ** -12);
    // a² = 1 + 2^-11 + 2^-24: exactly a midpoint between 1 + 2^-11 and 1 + 2^-11 + 2^-23.
    expect(fmaf(a, a, 0)).toBe(1 + 2 ** -11); // tie to even
    expect(fmaf(a, a, 2 ** -60)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(fmaf(a, a, -(2 ** -60))).toBe(1 + 2 ** -11);
  });
});
