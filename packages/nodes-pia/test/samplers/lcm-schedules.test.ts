/**
 * AnimateDiff-Evolved's LCM beta schedules (`lcm`, `lcm[100_ots]`, `lcm >> sqrt_linear`, `lcm avg(sqrt_linear,linear)`)
 * as ComfyUI's distilled LCM sampling, against a plain float64 computation: betas → ᾱ → σ = sqrt((1 − ᾱ)/ᾱ), the
 * distilled timesteps taken every 1000/ots from 999 down, and the KSampler's `normal` sigmas interpolated by hand.
 */
import { describe, expect, it } from 'vitest';
import { betaScheduleSampling } from '../../src/motion/beta-schedules.js';
import { ksamplerSigmas, ModelSamplingDiscreteDistilled } from '../../src/samplers/index.js';

/** σ_t for t = 0 … 999 of SD's 0.00085 → 0.012 schedule in float64 (`linear`: squares of a linspace of roots). */
function naiveSigmas(schedule: 'linear' | 'sqrt_linear'): number[] {
  const [a, b] = schedule === 'linear' ? [Math.sqrt(0.00085), Math.sqrt(0.012)] : [0.00085, 0.012];
  let cumprod = 1;
  return Array.from({ length: 1000 }, (_, t) => {
    const x = a + ((b - a) * t) / 999;
    const beta = schedule === 'linear' ? x * x : x;
    cumprod *= 1 - beta;
    return Math.sqrt((1 - cumprod) / cumprod);
  });
}
const linear = naiveSigmas('linear');
const sqrtLinear = naiveSigmas('sqrt_linear');
const relClose = (got: number, want: number, tol = 2e-6) => expect(Math.abs(got - want) / want, `${got} vs ${want}`).toBeLessThan(tol);

describe('LCM beta schedules', () => {
  it('lcm: the linear schedule at timesteps 19, 39, … 999, with t = index·20 + 19', () => {
    const ms = betaScheduleSampling('lcm');
    expect(ms).toBeInstanceOf(ModelSamplingDiscreteDistilled);
    expect(ms.sigmas).toHaveLength(50);
    for (let k = 0; k < 50; k++) relClose(ms.sigmas[k]!, linear[20 * k + 19]!);
    expect(ms.timestep(ms.sigmas[0]!)).toBe(19);
    expect(ms.timestep(ms.sigmas[10]!)).toBe(219);
    expect(ms.timestep(ms.sigmaMax)).toBe(999);
  });

  it('lcm[100_ots]: 100 timesteps 9, 19, … 999', () => {
    const ms = betaScheduleSampling('lcm[100_ots]') as ModelSamplingDiscreteDistilled;
    expect(ms.sigmas).toHaveLength(100);
    expect(ms.skipSteps).toBe(10);
    for (let k = 0; k < 100; k++) relClose(ms.sigmas[k]!, linear[10 * k + 9]!);
    expect(ms.timestep(ms.sigmas[3]!)).toBe(39);
  });

  it('lcm >> sqrt_linear: the sqrt_linear schedule distilled the same way', () => {
    const ms = betaScheduleSampling('lcm >> sqrt_linear');
    expect(ms).toBeInstanceOf(ModelSamplingDiscreteDistilled);
    for (let k = 0; k < 50; k++) relClose(ms.sigmas[k]!, sqrtLinear[20 * k + 19]!);
  });

  it('lcm avg(sqrt_linear,linear): the mean of both distilled sigma sets, still LCM', () => {
    const ms = betaScheduleSampling('lcm avg(sqrt_linear,linear)');
    expect(ms).toBeInstanceOf(ModelSamplingDiscreteDistilled);
    for (let k = 0; k < 50; k++) relClose(ms.sigmas[k]!, (linear[20 * k + 19]! + sqrtLinear[20 * k + 19]!) / 2);
    expect(ms.timestep(ms.sigmas[49]!)).toBe(999);
    // LCM's boundary condition at t = 999: t' = 9990, c_skip = 0.25/(t'² + 0.25), c_out = t'/sqrt(t'² + 0.25).
    const sigma = ms.sigmas[49]!;
    const [x, eps] = [Float32Array.of(2), Float32Array.of(0.5)];
    const tp = 9990;
    relClose(ms.calculateDenoised(sigma, eps, x)[0]!, (tp / Math.sqrt(tp * tp + 0.25)) * (2 - 0.5 * sigma) + (0.25 / (tp * tp + 0.25)) * 2, 1e-5);
  });

  it("gives KSampler's normal scheduler the distilled sigmas: timesteps from 999 to 19, interpolated in log σ", () => {
    // linspace(999, 19, 4) = 999, 672.33, 345.67, 19 → distilled index (t − 19)/20 = 49, 32.617, 16.333, 0.
    const table = Array.from({ length: 50 }, (_, k) => linear[20 * k + 19]!);
    const at = (index: number) => {
      const lo = Math.floor(index);
      const hi = Math.ceil(index);
      const w = index - lo;
      return Math.exp((1 - w) * Math.log(table[lo]!) + w * Math.log(table[hi]!));
    };
    const want = [999, 999 - 980 / 3, 999 - 1960 / 3, 19].map((t) => at((t - 19) / 20));
    const got = ksamplerSigmas({ modelSampling: betaScheduleSampling('lcm'), scheduler: 'normal', sampler: 'lcm', steps: 4 });
    expect(got).toHaveLength(5);
    want.forEach((s, i) => relClose(got[i]!, s, 2e-5));
    expect(got[4]).toBe(0);
  });
});
