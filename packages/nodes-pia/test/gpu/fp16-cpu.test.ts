/**
 * The fp16 graphs a GPU runs by default, run on the CPU provider against the fp32 graphs of the same weights: U-Net,
 * VAE and a short whole sample, as element errors and as decoded pictures (the device check's correctness half, so
 * a GPU run reports the same figures). Bounds come from fp16's unit roundoff u = 2⁻¹¹ ≈ 4.9e-4, not from a run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCorrectness, checkModelFiles, difference, psnr, type CorrectnessReport } from '../../src/device-check/index.js';
import { loadPiaModels, type PiaModels } from '../../src/models/load.js';

let dir: string;
let fp32: PiaModels;
let fp16: PiaModels;
let report: CorrectnessReport;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piagraph-fp16-'));
  const files = await checkModelFiles('tiny', dir);
  const common = { ...files, cacheDir: join(dir, 'cache'), parts: ['unet', 'vae'] as const, threads: 2, device: 'cpu' as const };
  fp32 = await loadPiaModels({ ...common, precision: 'float32' });
  fp16 = await loadPiaModels({ ...common, precision: 'float16' });
  report = await checkCorrectness(fp32, fp16, { frames: 8, height: 8, width: 12 }, 5);
  console.log('fp16 vs fp32 on the CPU', JSON.stringify(report));
}, 300_000);

afterAll(async () => {
  await fp16?.release();
  await fp32?.release();
  await rm(dir, { recursive: true, force: true });
});

describe('the comparison measures', () => {
  it('report exact agreement as zero error and infinite PSNR, and a known offset as its size', () => {
    const a = Float32Array.of(0.25, 0.5, -1);
    expect(difference(a, a)).toEqual({ maxAbs: 0, maxRel: 0, rms: 0, nonFinite: 0 });
    expect(psnr(a, a)).toBe(Infinity);
    const b = Float32Array.of(0.35, 0.5, -1);
    expect(difference(b, a).maxAbs).toBeCloseTo(0.1, 6);
    expect(difference(b, a).maxRel).toBeCloseTo(0.1, 6);
    // MSE 0.01/3 over a peak of 1: 10·log10(300) = 24.77 dB.
    expect(psnr(b, a)).toBeCloseTo(24.77, 2);
  });

  it('count NaN and infinity (an fp16 overflow) instead of hiding them', () => {
    const d = difference(Float32Array.of(Number.NaN, Infinity, 1), Float32Array.of(1, 1, 1));
    expect(d.nonFinite).toBe(2);
    expect(psnr(Float32Array.of(Number.NaN), Float32Array.of(0))).toBe(0);
  });
});

describe('fp16 graphs on the CPU provider against fp32', () => {
  it('keep every value finite', () => {
    for (const part of [report.unet, report.vae, report.sample]) expect(part.nonFinite).toBe(0);
  });

  it('predict the U-Net’s noise to within a few fp16 roundings of its scale, pictures above 50 dB', () => {
    // Weights, activations and every op's result are rounded to fp16 (relative u); a few roundings through the network.
    expect(report.unet.maxRel).toBeGreaterThan(0);
    expect(report.unet.maxRel).toBeLessThan(20 * 2 ** -11);
    expect(report.unet.psnr!).toBeGreaterThan(50);
  });

  it('decode with the fp16 VAE to within 8-bit quantisation (PSNR above 48 dB, 1/255 steps give 48.1 dB)', () => {
    expect(report.vae.psnr!).toBeGreaterThan(48);
    expect(report.vae.maxAbs).toBeLessThan(2 / 255);
  });

  it('sample a whole short animation to within fp16 rounding, and the same pictures to above 40 dB', () => {
    expect(report.sample.maxRel).toBeLessThan(20 * 2 ** -11);
    expect(report.sample.psnr!).toBeGreaterThan(40);
  });

  it('run the device-resident loop on fp16 to the host loop’s bits (float64 step graph on the CPU)', () => {
    expect(report.loops.maxAbs).toBe(0);
  });
});
