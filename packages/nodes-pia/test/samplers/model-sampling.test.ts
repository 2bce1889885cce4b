import { describe, expect, it } from 'vitest';
import {
  BETA_SCHEDULE_NAMES,
  KSamplerError,
  ModelSamplingDiscrete,
  ModelSamplingDiscreteDistilled,
  makeBetaSchedule,
  sd15ModelSampling,
} from '../../src/samplers/index.js';
import { REF } from './reference-data.js';

const ms = sd15ModelSampling();
const ulp32 = (x: number): number => 2 ** (Math.floor(Math.log2(Math.abs(x))) - 23);

describe('ModelSamplingDiscrete (SD 1.5) against ComfyUI', () => {
  it('has the 1000 training sigmas, bit for bit', () => {
    expect(Array.from(ms.sigmas)).toEqual(REF.model_sampling.sigmas);
  });

  it('has the log sigmas taken in float64 before the float32 cast, bit for bit', () => {
    expect(Array.from(ms.logSigmas)).toEqual(REF.model_sampling.log_sigmas);
  });

  it('reports sigma_min and sigma_max', () => {
    expect([ms.sigmaMin, ms.sigmaMax]).toEqual([REF.model_sampling.sigma_min, REF.model_sampling.sigma_max]);
  });

  it('maps sigma to the nearest timestep exactly, midpoints and out-of-range sigmas included', () => {
    for (const { sigma_f32, t } of REF.model_sampling.timestep_of_sigma) expect(ms.timestep(sigma_f32), `σ=${sigma_f32}`).toBe(t);
  });

  it('maps (fractional, clamped) timesteps to sigma within one float32 ulp', () => {
    // One value (t = 500) differs by one ulp: glibc's expf rounds that input the other way.
    for (const { t, sigma } of REF.model_sampling.sigma_of_timestep) {
      expect(Math.abs(ms.sigma(t) - sigma), `t=${t}`).toBeLessThanOrEqual(ulp32(sigma));
    }
  });

  it('converts percent to sigma as ComfyUI does, the 0 and 1 special cases included', () => {
    for (const { percent, sigma } of REF.model_sampling.percent_to_sigma) {
      expect(Math.abs(ms.percentToSigma(percent) - sigma), `p=${percent}`).toBeLessThanOrEqual(sigma === 0 ? 0 : ulp32(sigma));
    }
  });

  it('decides max_denoise like ComfyUI: within 1e-5 relative of sigma_max, or above it', () => {
    expect(ms.isMaxDenoise(14.614640235900879)).toBe(true); // normal scheduler's first sigma = σ(999)
    expect(ms.isMaxDenoise(20)).toBe(true);
    expect(ms.isMaxDenoise(14.6)).toBe(false);
  });

  it('scales the first noise by sqrt(1 + σ²) at full denoise and by σ otherwise, adding the latent', () => {
    const noise = Float32Array.of(1, -2);
    const latent = Float32Array.of(0.5, 0.25);
    const full = ms.noiseScaling(3, noise, latent, true);
    const partial = ms.noiseScaling(3, noise, latent, false);
    expect(Array.from(full)).toEqual([Math.fround(Math.sqrt(10)) + 0.5, Math.fround(-2 * Math.fround(Math.sqrt(10))) + 0.25].map(Math.fround));
    expect(Array.from(partial)).toEqual([3.5, -5.75]);
  });

  it('computes the EPS model input x / sqrt(σ² + 1) and the denoised x - ε·σ', () => {
    expect(Array.from(ms.calculateInput(Math.sqrt(3), Float32Array.of(2, -4)))).toEqual([1, -2]);
    expect(Array.from(ms.calculateDenoised(2, Float32Array.of(0.5, 1), Float32Array.of(3, 3)))).toEqual([2, 1]);
  });
});

describe('beta schedules (the betas are an input)', () => {
  /** A naive reference: betas from the closed form, ᾱ as a running product, σ = sqrt((1 - ᾱ)/ᾱ). */
  function naiveSigmas(beta: (i: number) => number): number[] {
    let abar = 1;
    return Array.from({ length: 1000 }, (_, i) => {
      abar *= 1 - beta(i);
      return Math.sqrt((1 - abar) / abar);
    });
  }

  it("builds ComfyUI's 'linear' (squared linspace of square roots, SD 1.5) from 0.00085 to 0.012", () => {
    const betas = makeBetaSchedule('linear', 1000, 0.00085, 0.012);
    expect(betas[0]).toBeCloseTo(0.00085, 15);
    expect(betas[999]).toBeCloseTo(0.012, 15);
    const a = Math.sqrt(0.00085);
    const b = Math.sqrt(0.012);
    expect(betas[500]).toBeCloseTo((a + ((b - a) * 500) / 999) ** 2, 15);
  });

  it("builds 'sqrt_linear' (AnimateDiff's plain linspace) whose sigmas match a naive computation", () => {
    const built = ModelSamplingDiscrete.fromSchedule({ betaSchedule: 'sqrt_linear' });
    const naive = naiveSigmas((i) => 0.00085 + ((0.012 - 0.00085) * i) / 999);
    naive.forEach((s, i) => expect(Math.abs(built.sigmas[i]! - s) / s).toBeLessThan(2e-7));
  });

  it('accepts given betas and rescales to zero terminal SNR on request', () => {
    const betas = makeBetaSchedule('linear', 1000, 0.00085, 0.012);
    expect(ModelSamplingDiscrete.fromBetas(betas).sigmas).toEqual(ms.sigmas);
    const zsnr = ModelSamplingDiscrete.fromBetas(betas, true);
    // Zero terminal SNR: ᾱ_T is pinned to 4.8973451890853435e-08, so σ_T = sqrt((1 - ᾱ)/ᾱ) ≈ 4518.8.
    expect(zsnr.sigmaMax).toBeCloseTo(Math.sqrt((1 - 4.8973451890853435e-8) / 4.8973451890853435e-8), 0);
    expect(zsnr.sigmaMin).toBeCloseTo(ms.sigmaMin, 6);
  });

  it('lists its schedule names and rejects unknown ones, naming the valid ones', () => {
    expect(BETA_SCHEDULE_NAMES).toContain('sqrt_linear');
    expect(() => makeBetaSchedule('quadratic' as never, 1000)).toThrow(/unknown beta schedule "quadratic"; valid beta schedules: linear, sqrt_linear/);
    expect(() => ModelSamplingDiscrete.fromBetas([0.1, 1.5])).toThrow(KSamplerError);
  });
});

describe('ModelSamplingDiscreteDistilled (LCM)', () => {
  const lcm = new ModelSamplingDiscreteDistilled(ms);

  it('keeps the 50 training sigmas at timesteps 19, 39, … 999', () => {
    expect(lcm.sigmas).toHaveLength(50);
    expect(lcm.sigmas[0]).toBe(ms.sigmas[19]);
    expect(lcm.sigmas[1]).toBe(ms.sigmas[39]);
    expect(lcm.sigmas[49]).toBe(ms.sigmas[999]);
  });

  it('maps sigmas to training timesteps index·20 + 19 and back', () => {
    expect(lcm.timestep(ms.sigmas[999]!)).toBe(999);
    expect(lcm.timestep(ms.sigmas[39]!)).toBe(39);
    expect(lcm.timestep(ms.sigmas[45]!)).toBe(39); // nearest distilled sigma
    expect(lcm.sigma(999)).toBeCloseTo(ms.sigmas[999]!, 5);
    expect(lcm.sigma(19)).toBeCloseTo(ms.sigmas[19]!, 6);
    expect(lcm.sigma(0)).toBeCloseTo(ms.sigmas[19]!, 6); // clamped
  });

  it("applies LCM's boundary condition: c_out·(x - ε·σ) + c_skip·x with t' = 10·timestep, σ_data = 0.5", () => {
    const sigma = ms.sigmas[39]!; // timestep 39, t' = 390
    const cSkip = 0.25 / (390 ** 2 + 0.25);
    const cOut = 390 / Math.sqrt(390 ** 2 + 0.25);
    const x = Float32Array.of(1.5, -0.5);
    const eps = Float32Array.of(0.2, 0.1);
    const got = lcm.calculateDenoised(sigma, eps, x);
    [0, 1].forEach((i) => expect(got[i]).toBeCloseTo(cOut * (x[i]! - eps[i]! * sigma) + cSkip * x[i]!, 6));
  });
});
