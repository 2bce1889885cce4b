import { describe, expect, it } from 'vitest';
import { torchRandn } from '../../src/random/index.js';
import {
  BrownianTreeNoiseSampler,
  KSamplerError,
  cfgCombine,
  cfgDenoiser,
  defaultNoiseSampler,
  prepareNoise,
  sample,
  sd15ModelSampling,
  type ConditionedModel,
} from '../../src/samplers/index.js';
import { REF } from './reference-data.js';

const ms = sd15ModelSampling();

describe('noise', () => {
  it("prepare_noise(seed 42) gives ComfyUI's initial noise bit for bit", () => {
    expect(Array.from(prepareNoise(REF.noise.seed, REF.noise.shape))).toEqual(REF.noise.initial_noise);
  });

  it("the sampler noise stream is seeded seed + 1 and continues across draws (ComfyUI's first two draws)", () => {
    const stream = defaultNoiseSampler(REF.noise.seed, 64);
    expect(Array.from(stream(1, 0.5))).toEqual(REF.noise.sampler_noise_first_draws[0]);
    expect(Array.from(stream(0.5, 0))).toEqual(REF.noise.sampler_noise_first_draws[1]);
  });

  it('with batch_index, gives each latent the draw of its index in a stream of single-item draws', () => {
    // Indices [2, 0]: the generator makes draws 0, 1, 2 of shape [1, 4, 2, 2]; latent 0 gets draw 2, latent 1 draw 0.
    const generatorDraws = prepareNoise(9, [3, 4, 2, 2], [0, 1, 2]);
    const picked = prepareNoise(9, [2, 4, 2, 2], [2, 0]);
    expect(picked.subarray(0, 16)).toEqual(generatorDraws.subarray(32, 48));
    expect(picked.subarray(16, 32)).toEqual(generatorDraws.subarray(0, 16));
    expect(generatorDraws.subarray(0, 16)).toEqual(torchRandn([1, 4, 2, 2], 9));
    // One stream: with 16-value items (whole Box–Muller blocks) the three draws equal a single draw of 48.
    expect(generatorDraws).toEqual(torchRandn([3, 4, 2, 2], 9));
    expect(() => prepareNoise(9, [2, 4, 2, 2], [0])).toThrow(KSamplerError);
  });
});

describe('Brownian tree noise sampler', () => {
  const length = 4096;

  it('returns the same increments for the same queries, in any order', () => {
    const a = new BrownianTreeNoiseSampler(5, length, 0.03, 14.6);
    const b = new BrownianTreeNoiseSampler(5, length, 0.03, 14.6);
    const late = a.increment(1.2, 0.7);
    const early = a.increment(14.6, 9.0);
    expect(b.increment(14.6, 9.0)).toEqual(early);
    expect(b.increment(1.2, 0.7)).toEqual(late);
  });

  it('gives standard normal increments (mean ~0, variance ~1 over 4096 values)', () => {
    const tree = new BrownianTreeNoiseSampler(11, length, 0.03, 14.6);
    const z = tree.increment(5.0, 3.5);
    const mean = z.reduce((s, v) => s + v, 0) / length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / length;
    expect(Math.abs(mean)).toBeLessThan(0.06); // 4 standard errors
    expect(Math.abs(variance - 1)).toBeLessThan(0.09);
  });

  it('adds up like Brownian increments: W(a→c)·√(a-c) = W(a→b)·√(a-b) + W(b→c)·√(b-c)', () => {
    const tree = new BrownianTreeNoiseSampler(3, 64, 0.03, 14.6);
    const ac = tree.increment(6, 2);
    const ab = tree.increment(6, 4.5);
    const bc = tree.increment(4.5, 2);
    for (let i = 0; i < 64; i++) expect(ac[i]! * 2).toBeCloseTo(ab[i]! * Math.sqrt(1.5) + bc[i]! * Math.sqrt(2.5), 4);
  });

  it('correlates overlapping steps and not disjoint ones (unlike independent draws)', () => {
    const tree = new BrownianTreeNoiseSampler(8, length, 0.03, 14.6);
    const corr = (x: Float32Array, y: Float32Array): number => x.reduce((s, v, i) => s + v * y[i]!, 0) / length;
    // Overlap of [5, 3] and [4, 3] is 1 of lengths 2 and 1: correlation 1/√2.
    expect(corr(tree.increment(5, 3), tree.increment(4, 3))).toBeCloseTo(Math.SQRT1_2, 1);
    expect(Math.abs(corr(tree.increment(5, 4), tree.increment(3, 2)))).toBeLessThan(0.07);
  });
});

describe('CFG', () => {
  it("combines denoised predictions as uncond + (cond - uncond)·cfg", () => {
    expect(Array.from(cfgCombine(Float32Array.of(1, 2), Float32Array.of(0.5, 4), 7.5))).toEqual([4.25, -11]);
  });

  it('evaluates cond and uncond as one batch, and only the cond at cfg 1', async () => {
    const batches: string[][] = [];
    const model: ConditionedModel = async (x, _sigma, conds) => {
      batches.push([...conds]);
      return conds.map((k) => x.map((v) => (k === 'cond' ? v + 1 : v - 1)));
    };
    const x = Float32Array.of(0, 2);
    expect(Array.from(await cfgDenoiser(model, 7.5)(x, 1))).toEqual([14, 16]);
    expect(Array.from(await cfgDenoiser(model, 1)(x, 1))).toEqual([1, 3]);
    const both = await cfgDenoiser(model, 1).withUncond!(x, 1);
    expect([Array.from(both.denoised), Array.from(both.uncond)]).toEqual([[1, 3], [-1, 1]]);
    expect(batches).toEqual([['uncond', 'cond'], ['cond'], ['uncond', 'cond']]);
  });
});

describe('sample()', () => {
  const identity: ConditionedModel = async (x, _s, conds) => conds.map(() => new Float32Array(x.length));
  const sigmas = Float32Array.of(14.6, 5, 1, 0);

  it('rejects an unknown sampler, naming the valid ones', async () => {
    await expect(sample('euler_a', { denoiser: cfgDenoiser(identity, 7), sigmas, x: new Float32Array(4), modelSampling: ms })).rejects.toThrow(
      /unknown sampler "euler_a"; valid samplers: euler, euler_cfg_pp, euler_ancestral/,
    );
  });

  it('asks for a seed when a sampler needs noise and none is given', async () => {
    await expect(
      sample('euler_ancestral', { denoiser: cfgDenoiser(identity, 7), sigmas, x: new Float32Array(4), modelSampling: ms }),
    ).rejects.toMatchObject({ code: 'missing_seed' });
  });

  it('stops between model evaluations when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const model: ConditionedModel = async (x, _s, conds) => {
      calls += 1;
      if (calls === 2) controller.abort();
      return conds.map(() => new Float32Array(x.length));
    };
    await expect(
      sample('euler', { denoiser: cfgDenoiser(model, 7), sigmas, x: new Float32Array(4), modelSampling: ms, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toBe(2);
  });

  it('rejects a denoiser output of the wrong length and negative sigmas', async () => {
    const short: ConditionedModel = async (_x, _s, conds) => conds.map(() => new Float32Array(2));
    await expect(sample('euler', { denoiser: cfgDenoiser(short, 7), sigmas, x: new Float32Array(4), modelSampling: ms })).rejects.toThrow(
      KSamplerError,
    );
    await expect(
      sample('euler', { denoiser: cfgDenoiser(identity, 7), sigmas: [1, -1, 0], x: new Float32Array(4), modelSampling: ms }),
    ).rejects.toMatchObject({ code: 'invalid_sigmas' });
  });

  it('copes with a model that reuses one output buffer (multistep samplers keep old predictions)', async () => {
    const fresh: ConditionedModel = async (x, s, conds) => conds.map(() => x.map((v) => v / (1 + s)));
    const shared = new Float32Array(4);
    const reusing: ConditionedModel = async (x, s, conds) => {
      shared.set(x.map((v) => v / (1 + s)));
      return conds.map(() => shared);
    };
    const x = Float32Array.of(3, -1, 2, 5);
    const a = await sample('dpmpp_2m', { denoiser: cfgDenoiser(fresh, 1), sigmas, x, modelSampling: ms });
    const b = await sample('dpmpp_2m', { denoiser: cfgDenoiser(reusing, 1), sigmas, x, modelSampling: ms });
    expect(b).toEqual(a);
  });
});
