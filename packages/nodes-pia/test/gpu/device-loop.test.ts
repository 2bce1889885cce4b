/**
 * The device-resident sampler loop against the host loop it replaces: on the CPU the same bits (float64 step graph),
 * the GPU's float32 step graph to float32 rounding, the step graph against DDIM worked by hand, and (where a WebGPU
 * adapter exists) the whole loop on WebGPU against the host loop on the CPU.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareMaskCoefByStatistics } from '../../src/affinity/index.js';
import { demoModelPaths, ensureDemoModels } from '../../src/demo/index.js';
import { loadPiaModels, type PiaModels } from '../../src/models/load.js';
import { OnnxSession, probeWebGpu } from '../../src/onnx/index.js';
import { STEP_IO, buildStepGraph, sampleVideoOnDevice } from '../../src/pipeline/device-loop.js';
import { sampleVideo, type StepInfo } from '../../src/pipeline/sampler.js';
import { randn } from '../../src/random/index.js';

let dir: string;
let cpu: PiaModels;
let adapter = false;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-device-loop-'));
  const paths = await ensureDemoModels(join(dir, 'models'));
  cpu = await loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir: join(dir, 'cache'), threads: 2, parts: ['unet'] });
  adapter = (await probeWebGpu()).ok;
}, 180_000);

afterAll(async () => {
  await cpu?.release();
  await rm(dir, { recursive: true, force: true });
});

const F = 4;
const h = 6;
const w = 8;

function inputs() {
  const d = cpu.config.unet.crossAttentionDim;
  return {
    positive: randn(77 * d, 1),
    negative: randn(77 * d, 2),
    textDims: [77, d] as const,
    conditionLatent: randn(4 * h * w, 3),
    mask: prepareMaskCoefByStatistics(F, 0, 'moderate-motion'),
    height: h,
    width: w,
    seed: 42,
    steps: 6,
    cfg: 7.5,
  };
}

function maxAbs(a: Float32Array, b: Float32Array): { diff: number; scale: number } {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { diff, scale };
}

describe('the device-resident loop on the CPU provider', () => {
  it.each([
    ['CFG 7.5, eta 0', {}],
    ['eta 0.5 (noise drawn at every step)', { eta: 0.5 }],
    ['CFG 1 (no unconditional half)', { cfg: 1 }],
    ['strength 0.6 (img2img start)', { strength: 0.6 }],
    ['philox noise', { noise: 'philox' as const }],
  ])('gives the host loop’s bits: %s', async (_label, extra) => {
    const options = { ...inputs(), ...extra, unet: cpu.unet! };
    const host = await sampleVideo({ ...options, loop: 'host' });
    const device = await sampleVideo({ ...options, loop: 'device' });
    expect(maxAbs(device, host).diff).toBe(0);
  }, 120_000);

  it('reports the host loop’s clean-latent estimates as previews, one per step', async () => {
    const options = { ...inputs(), unet: cpu.unet! };
    const hostSteps: StepInfo[] = [];
    const deviceSteps: StepInfo[] = [];
    await sampleVideo({ ...options, loop: 'host', onStep: (s) => void hostSteps.push(s) });
    await sampleVideo({ ...options, loop: 'device', onStep: (s) => void deviceSteps.push(s) });
    expect(deviceSteps.map((s) => [s.step, s.total, s.timestep])).toEqual(hostSteps.map((s) => [s.step, s.total, s.timestep]));
    deviceSteps.forEach((s, i) => expect(maxAbs(s.denoised!, hostSteps[i]!.denoised!).diff).toBe(0));
  }, 120_000);

  it('leaves previews out when they are not wanted', async () => {
    const seen: (Float32Array | undefined)[] = [];
    await sampleVideo({ ...inputs(), steps: 2, unet: cpu.unet!, loop: 'device', previews: false, onStep: (s) => void seen.push(s.denoised) });
    expect(seen).toEqual([undefined, undefined]);
  }, 60_000);

  it('agrees with the host loop to float32 rounding in the float32 arithmetic a GPU runs', async () => {
    const options = { ...inputs(), unet: cpu.unet! };
    const host = await sampleVideo({ ...options, loop: 'host' });
    const gpuForm = await sampleVideoOnDevice({ ...options, arithmetic: 'float32' });
    const { diff, scale } = maxAbs(gpuForm, host);
    // A few float32 roundings (relative 6e-8 each) per element and step, slightly amplified by the U-Net.
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(1e-5 * scale);
  }, 60_000);

  it('stops before the next step when interrupted', async () => {
    const controller = new AbortController();
    const run = sampleVideo({ ...inputs(), unet: cpu.unet!, loop: 'device', signal: controller.signal, onStep: (s) => (s.step === 2 ? controller.abort() : undefined) });
    await expect(run).rejects.toThrow('sampling interrupted before step 3');
  }, 60_000);

  it('is not used for context windows, which the host loop samples', async () => {
    // The refusal comes before the options are read.
    const context = { kind: 'context-options' } as never;
    await expect(sampleVideo({ ...inputs(), unet: cpu.unet!, loop: 'device', context })).rejects.toThrow('does not sample in context windows');
  });
});

describe('the step graph', () => {
  it('computes CFG and a DDIM step as worked by hand', async () => {
    const g = buildStepGraph({ batch: 2, arithmetic: 'float32', noise: true, denoised: true });
    const session = await OnnxSession.load('(step)', { modelBytes: await g.toBytes(), threads: 1 });
    try {
      // One latent channel, one frame, two pixels; a condition block of one channel.
      const x = [0.5, -1];
      const u = [0.1, 0.2];
      const c = [0.3, -0.2];
      const noise = [1, -2];
      const [cfg, sqrtAT, sqrtBT, sqrtAPrev, dirCoef, std] = [2, 0.6, 0.8, 0.9, 0.3, 0.1];
      const out = await session.run({
        [STEP_IO.latents]: new ort.Tensor('float32', Float32Array.from(x), [1, 1, 1, 1, 2]),
        [STEP_IO.prediction]: new ort.Tensor('float32', Float32Array.from([...u, ...c]), [2, 1, 1, 1, 2]),
        [STEP_IO.condition]: new ort.Tensor('float32', Float32Array.from([7, 8, 7, 8]), [2, 1, 1, 1, 2]),
        [STEP_IO.coefficients]: new ort.Tensor('float32', Float32Array.from([cfg, sqrtAT, sqrtBT, sqrtAPrev, dirCoef, std]), [6]),
        [STEP_IO.noise]: new ort.Tensor('float32', Float32Array.from(noise), [1, 1, 1, 1, 2]),
      });
      // ε = u + 2(c − u) = [0.5, −0.6]; x0 = (x − 0.8ε)/0.6 = [0.1/0.6, −0.52/0.6]; x' = 0.9·x0 + 0.3ε + 0.1·noise.
      const eps = [0.5, -0.6];
      const x0 = [(0.5 - 0.8 * 0.5) / 0.6, (-1 + 0.8 * 0.6) / 0.6];
      const next = [0.9 * x0[0]! + 0.3 * eps[0]! + 0.1, 0.9 * x0[1]! + 0.3 * eps[1]! - 0.2];
      const close = (t: ort.Tensor, expected: number[]) => Array.from(t.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
      close(out[STEP_IO.denoised]!, x0);
      close(out[STEP_IO.next]!, next);
      // The next U-Net input: the new latent for both halves, each followed by its condition channels.
      close(out[STEP_IO.nextSample]!, [next[0]!, next[1]!, 7, 8, next[0]!, next[1]!, 7, 8]);
      expect(out[STEP_IO.nextSample]!.dims).toEqual([2, 2, 1, 1, 2]);
    } finally {
      await session.release();
    }
  });
});

describe('the device-resident loop on WebGPU', () => {
  it('agrees with the host loop on the CPU (float32 graphs)', async (ctx) => {
    if (!adapter) ctx.skip();
    const paths = demoModelPaths(join(dir, 'models'));
    const gpu = await loadPiaModels({ checkpoint: paths.checkpoint, pia: paths.pia, cacheDir: join(dir, 'cache'), parts: ['unet'], device: 'webgpu', precision: 'float32' });
    try {
      const options = { ...inputs(), steps: 3 };
      const host = await sampleVideo({ ...options, unet: cpu.unet!, loop: 'host' });
      const steps: StepInfo[] = [];
      // The default on a GPU: the device loop.
      const device = await sampleVideo({ ...options, unet: gpu.unet!, onStep: (s) => void steps.push(s) });
      expect(steps).toHaveLength(3);
      expect(steps.every((s) => s.denoised !== undefined && s.latents === undefined)).toBe(true);
      const { diff, scale } = maxAbs(device, host);
      expect(diff).toBeLessThan(1e-4 * scale);
    } finally {
      await gpu.release();
    }
  }, 600_000);
});
