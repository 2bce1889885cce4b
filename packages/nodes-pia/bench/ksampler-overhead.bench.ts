/**
 * The samplers' own work per step (everything but the U-Net): a no-op model on an SD 1.5 latent [1, 4, 64, 64]
 * (512×512) and on PIA's 16-frame latent [1, 4, 16, 64, 64], 20 karras steps, every sampler. Printed per step
 * and per model evaluation, with the CFG combination (cfg 7.5) included, and as a ratio to the floor: one
 * Euler update written as a single loop over the latent. Noise (PyTorch-exact randn, or the Brownian tree for
 * the SDE samplers) is part of the work.
 * Run: `npx -y pnpm@12.21.0 --filter @piagraph/nodes-pia bench` (or `npx tsx bench/ksampler-overhead.bench.ts`).
 */
import { performance } from 'node:perf_hooks';
import {
  SAMPLER_NAMES,
  cfgDenoiser,
  ksamplerSigmas,
  sample,
  sd15ModelSampling,
  type ConditionedModel,
} from '../src/samplers/index.js';

const STEPS = 20;
const ms = sd15ModelSampling();

/** A model that costs nothing: hands back the same prepared predictions on every call. */
function noOpModel(length: number): { model: ConditionedModel; calls: () => number } {
  const cond = Float32Array.from({ length }, (_, i) => Math.sin(i) * 0.5);
  const uncond = Float32Array.from({ length }, (_, i) => Math.cos(i) * 0.5);
  let count = 0;
  return {
    model: async (_x, _sigma, conds) => {
      count += 1;
      return conds.map((k) => (k === 'cond' ? cond : uncond));
    },
    calls: () => count,
  };
}

/** The floor: x += (x - d)/σ·dt in one loop, the least any sampler step can do. */
function floorMsPerStep(length: number): number {
  const x = Float32Array.from({ length }, (_, i) => Math.sin(i));
  const d = Float32Array.from({ length }, (_, i) => Math.cos(i));
  const repeats = 200;
  const started = performance.now();
  for (let r = 0; r < repeats; r++) {
    const dt = -0.01 * (r + 1);
    for (let i = 0; i < length; i++) x[i] = x[i]! + ((x[i]! - d[i]!) / 3) * dt;
  }
  return (performance.now() - started) / repeats;
}

async function timeSampler(name: string, shape: number[]): Promise<{ perStep: number; perCall: number }> {
  const length = shape.reduce((a, b) => a * b, 1);
  const sigmas = ksamplerSigmas({ modelSampling: ms, scheduler: 'karras', sampler: name, steps: STEPS });
  const x = Float32Array.from({ length }, (_, i) => Math.sin(i * 0.37) * sigmas[0]!);
  const run = async (): Promise<{ ms: number; calls: number }> => {
    const { model, calls } = noOpModel(length);
    const started = performance.now();
    await sample(name, { denoiser: cfgDenoiser(model, 7.5), sigmas, x, modelSampling: ms, seed: 42 });
    return { ms: performance.now() - started, calls: calls() };
  };
  await run(); // warm-up (JIT)
  const timed = [await run(), await run(), await run()].sort((a, b) => a.ms - b.ms)[1]!;
  return { perStep: timed.ms / (sigmas.length - 1), perCall: timed.ms / timed.calls };
}

export async function benchKSamplerOverhead(): Promise<void> {
  for (const shape of [
    [1, 4, 64, 64],
    [1, 4, 16, 64, 64],
  ]) {
    const length = shape.reduce((a, b) => a * b, 1);
    const floor = floorMsPerStep(length);
    console.log(`\nsampler overhead on [${shape.join(', ')}] (${length} values), ${STEPS} karras steps, no-op model, cfg 7.5`);
    console.log(`floor (one fused Euler loop): ${floor.toFixed(3)} ms/step`);
    console.log(`${'sampler'.padEnd(32)} ${'ms/step'.padStart(9)} ${'ms/eval'.padStart(9)} ${'× floor'.padStart(9)}`);
    for (const name of SAMPLER_NAMES) {
      const { perStep, perCall } = await timeSampler(name, shape);
      console.log(`${name.padEnd(32)} ${perStep.toFixed(3).padStart(9)} ${perCall.toFixed(3).padStart(9)} ${(perStep / floor).toFixed(1).padStart(9)}`);
    }
  }
}

await benchKSamplerOverhead();
