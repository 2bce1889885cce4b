import { describe, expect, it } from 'vitest';
import { ModelSamplingDiscrete, defaultNoiseSampler, runKSampler, type KSamplerResult } from '../../src/samplers/index.js';
import { REF, maxAbsError, type ReferenceCase } from './reference-data.js';
import { toyModel, type ToyCall } from './toy-model.js';

// Every sampling run of ComfyUI's reference data, end to end through runKSampler with the README's toy model.
// Tolerances: x_final within max(1e-5, the case's own float64-shadow gap), i.e. within the float32 noise
// ComfyUI's own result carries; the node output (÷ 0.18215) within 5.5× that; step means within 1e-4.
const ms = ModelSamplingDiscrete.fromSchedule();
const SHAPE = [1, 4, 4, 4];
const PLANE = 16;
const LATENT_SCALE = Math.fround(0.18215);
/** dpm_adaptive's step sizes come from a float32 error norm fed back through a controller; its σ grid drifts by ~1e-5. */
const sigmaTolerance = (c: ReferenceCase): number => (c.sampler_name === 'dpm_adaptive' ? 2e-5 : 1e-6);

interface Run {
  result: KSamplerResult;
  calls: ToyCall[];
  draws: [number, number][];
  steps: [number, number, number][];
}

async function run(c: ReferenceCase, latent: Float32Array, useDefaultNoise = false): Promise<Run> {
  const calls: ToyCall[] = [];
  const draws: [number, number][] = [];
  const steps: [number, number, number][] = [];
  // The README's noise: every sampler (Brownian-tree ones substituted) draws from a generator seeded seed + 1.
  const stream = defaultNoiseSampler(c.seed, latent.length);
  const result = await runKSampler({
    model: toyModel(ms, PLANE, calls),
    modelSampling: ms,
    seed: c.seed,
    steps: c.steps,
    cfg: c.cfg,
    samplerName: c.sampler_name,
    scheduler: c.scheduler,
    latent,
    shape: SHAPE,
    denoise: c.denoise,
    addNoise: c.add_noise,
    range: c.start_step === undefined ? {} : { startStep: c.start_step, lastStep: c.last_step, forceFullDenoise: c.force_full_denoise },
    noiseSampler: useDefaultNoise
      ? undefined
      : (sigma, next) => {
          draws.push([sigma, next]);
          return stream(sigma, next);
        },
    onStep: (i, denoised) => {
      let sum = 0;
      for (const v of denoised) sum += v;
      steps.push([i, sum / denoised.length, denoised[0]!]);
    },
  });
  return { result, calls, draws, steps };
}

function inputLatent(c: ReferenceCase): Float32Array {
  if (c.latent?.startsWith('img2img')) return Float32Array.from(REF.img2img_latent.values);
  return new Float32Array(64);
}

async function latentFor(c: ReferenceCase): Promise<Float32Array> {
  if (!c.id.endsWith('/pass2')) return inputLatent(c);
  // Pass 2 of a two-pass chain samples pass 1's node output.
  const first = REF.cases.find((p) => p.id === c.id.replace('/pass2', '/pass1'))!;
  return (await run(first, inputLatent(first))).result.samples;
}

function checkSigmaList(actual: ArrayLike<number>, expected: number[], rel: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!), `${what} ${i}`).toBeLessThanOrEqual(rel * Math.abs(expected[i]!));
  }
}

describe('ComfyUI KSampler reference runs (toy model)', () => {
  it('holds the 280 reference runs, 44 samplers among them', () => {
    expect(REF.cases).toHaveLength(280);
    expect(new Set(REF.cases.map((c) => c.sampler_name)).size).toBe(44);
  });

  for (const c of REF.cases) {
    it(`reproduces ${c.id}`, async () => {
      const latent = await latentFor(c);
      const { result, calls, draws, steps } = await run(c, latent);
      if (!c.x_final) {
        // Nothing to sample: ComfyUI hands back the input latent.
        expect(result.sampled).toBe(false);
        expect(result.samples).toEqual(latent);
        return;
      }
      const rel = sigmaTolerance(c);
      checkSigmaList(result.sigmas, c.sigmas, 1e-6, 'sigma');
      expect(calls.length, 'model evaluations').toBe(c.nfe);
      expect(calls.map((k) => k.t)).toEqual(c.model_call_t);
      expect(calls.every((k) => k.batch === c.model_call_batch), 'cond/uncond batch size').toBe(true);
      checkSigmaList(
        calls.map((k) => k.sigma),
        c.model_call_sigmas,
        rel,
        'model call sigma',
      );
      expect(draws.length, 'noise draws').toBe(c.noise_draws);
      if (c.noise_draw_sigmas) checkSigmaList(draws.flat(), c.noise_draw_sigmas.flat(), rel, 'noise draw sigma');
      if (c.x_init) expect(maxAbsError(calls[0]!.x, c.x_init), 'x_init').toBeLessThanOrEqual(1e-5 * Math.max(...c.x_init.map(Math.abs)));

      const tolerance = Math.max(1e-5, c.f64_shadow_max_abs_diff_x_final ?? 0);
      const xFinal = result.samples.map((v) => v * LATENT_SCALE);
      expect(maxAbsError(xFinal, c.x_final), 'x_final').toBeLessThanOrEqual(tolerance);
      if (c.samples) expect(maxAbsError(result.samples, c.samples), 'samples').toBeLessThanOrEqual(5.5 * tolerance);

      expect(steps.map((s) => s[0])).toEqual(c.steps_log.map((s) => s[0]));
      steps.forEach(([, mean, first], j) => {
        expect(Math.abs(mean - c.steps_log[j]![1]), `step ${j} mean`).toBeLessThanOrEqual(1e-4);
        expect(Math.abs(first - c.steps_log[j]![2]), `step ${j} denoised[0]`).toBeLessThanOrEqual(1e-4);
      });
    });
  }

  it('uses the seed + 1 stream by default for ancestral samplers (no noiseSampler given)', async () => {
    const c = REF.cases.find((k) => k.id === 'euler_ancestral/normal/10/cfg7.5')!;
    const { result } = await run(c, new Float32Array(64), true);
    const xFinal = result.samples.map((v) => v * LATENT_SCALE);
    expect(maxAbsError(xFinal, c.x_final!)).toBeLessThanOrEqual(1e-5);
  });
});
