import { describe, expect, it } from 'vitest';
import {
  KSamplerError,
  SAMPLER_NAMES,
  SCHEDULER_NAMES,
  betaPpf,
  computeSigmas,
  cutSigmas,
  ksamplerSigmas,
  sd15ModelSampling,
  torchLinspace,
} from '../../src/samplers/index.js';
import { REF, maxRelativeError } from './reference-data.js';

const ms = sd15ModelSampling();

describe('schedulers against ComfyUI calculate_sigmas', () => {
  it("lists ComfyUI's 9 schedulers in its order", () => {
    expect([...SCHEDULER_NAMES]).toEqual(REF.schedulers.names);
  });

  for (const [name, bySteps] of Object.entries(REF.schedulers.sigmas)) {
    for (const [steps, expected] of Object.entries(bySteps)) {
      it(`${name} with ${steps} steps matches within 1e-6 relative`, () => {
        const got = computeSigmas(ms, name, Number(steps));
        expect(got).toHaveLength(expected.length);
        expected.forEach((e, i) => {
          if (e === null) expect(got[i]).toBeNaN(); // kl_optimal with 1 step divides 0 by 0, as ComfyUI does
          else expect(Math.abs(got[i]! - e), `sigma ${i}`).toBeLessThanOrEqual(1e-6 * Math.abs(e));
        });
      });
    }
  }

  it('rejects an unknown scheduler, naming the valid ones', () => {
    try {
      computeSigmas(ms, 'cosine', 10);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KSamplerError);
      expect((error as KSamplerError).code).toBe('unknown_scheduler');
      expect((error as KSamplerError).message).toContain('"cosine"');
      expect((error as KSamplerError).message).toContain('simple, sgm_uniform, karras');
    }
  });

  it('rejects a step count that is not a positive integer', () => {
    expect(() => computeSigmas(ms, 'normal', 0)).toThrow(/steps must be an integer/);
    expect(() => computeSigmas(ms, 'normal', 2.5)).toThrow(KSamplerError);
  });
});

describe('torch.linspace and the beta quantile', () => {
  it('fills halves from each end and vectors from their first element, as PyTorch does', () => {
    // Hand-computed float32 values: step = fround(1/9); element 6 = 1 - 3·step rounded once (fused) = 0.6666667.
    const small = torchLinspace(0, 1, 10);
    expect(small[6]).toBe(Math.fround(2 / 3));
    expect(small[9]).toBe(1);
    expect(torchLinspace(5, 7, 1)[0]).toBe(5);
    expect(torchLinspace(0, 1, 0)).toHaveLength(0);
  });

  it('inverts the Beta(0.6, 0.6) CDF like scipy.stats.beta.ppf', () => {
    // scipy 1.10: beta.ppf(0.3, 0.6, 0.6) = 0.23401700387523572, beta.ppf(0.95, ...) = 0.9874455431263885.
    expect(betaPpf(0.3, 0.6, 0.6)).toBeCloseTo(0.23401700387523572, 13);
    expect(betaPpf(0.95, 0.6, 0.6)).toBeCloseTo(0.9874455431263885, 13);
    expect(betaPpf(0.5, 0.6, 0.6)).toBeCloseTo(0.5, 14);
  });
});

describe('KSampler sigma selection', () => {
  it("lists ComfyUI's 44 samplers in its order", () => {
    expect(SAMPLER_NAMES).toHaveLength(44);
    expect(SAMPLER_NAMES.slice(0, 3)).toEqual(['euler', 'euler_cfg_pp', 'euler_ancestral']);
    expect(SAMPLER_NAMES.slice(-3)).toEqual(['ddim', 'uni_pc', 'uni_pc_bh2']);
  });

  for (const c of REF.ksampler_sigmas.cases) {
    it(`KSampler ${c.sampler}/${c.scheduler} steps ${c.steps} denoise ${c.denoise}`, () => {
      const got = ksamplerSigmas({ modelSampling: ms, scheduler: c.scheduler, sampler: c.sampler, steps: c.steps, denoise: c.denoise });
      expect(got).toHaveLength(c.sigmas.length);
      expect(maxRelativeError(got, c.sigmas)).toBeLessThanOrEqual(1e-6);
    });
  }

  for (const c of REF.ksampler_advanced_sigmas.cases) {
    const label = `${c.start_at_step}-${c.end_at_step}${c.force_full_denoise ? ' full' : ''}`;
    it(`KSamplerAdvanced ${c.sampler}/${c.scheduler} steps ${label}`, () => {
      const all = ksamplerSigmas({ modelSampling: ms, scheduler: c.scheduler, sampler: c.sampler, steps: c.steps });
      const got = cutSigmas(all, { startStep: c.start_at_step, lastStep: c.end_at_step, forceFullDenoise: c.force_full_denoise });
      if (c.sigmas === null) {
        expect(got).toBeNull();
        return;
      }
      expect(got).not.toBeNull();
      expect(got!).toHaveLength(c.sigmas.length);
      expect(maxRelativeError(got!, c.sigmas)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('does not modify the full list when cutting with force_full_denoise', () => {
    const all = ksamplerSigmas({ modelSampling: ms, scheduler: 'normal', sampler: 'euler', steps: 20 });
    const before = all.slice();
    cutSigmas(all, { startStep: 0, lastStep: 10, forceFullDenoise: true });
    expect(all).toEqual(before);
  });

  it('rejects unknown samplers and bad denoise or step values', () => {
    expect(() => ksamplerSigmas({ modelSampling: ms, scheduler: 'normal', sampler: 'euler_a', steps: 20 })).toThrow(
      /unknown sampler "euler_a"; valid samplers: euler, euler_cfg_pp/,
    );
    expect(() => ksamplerSigmas({ modelSampling: ms, scheduler: 'normal', sampler: 'euler', steps: 20, denoise: 1.5 })).toThrow(
      /denoise must be/,
    );
    expect(() => cutSigmas(new Float32Array(3), { startStep: -1 })).toThrow(/startStep must be a non-negative integer/);
  });
});
