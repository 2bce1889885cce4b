/**
 * ADE's sample settings noise, frame by frame against draws of PyTorch's CPU generator made here directly (the
 * generator itself is tested bit-exact against PyTorch in test/random).
 */
import { describe, expect, it } from 'vitest';
import { adeInitialNoise } from '../../src/motion/noise.js';
import { DEFAULT_SAMPLE_SETTINGS, type SampleSettingsValue } from '../../src/motion/settings.js';
import { TorchCpuGenerator } from '../../src/random/torch-generator.js';
import type { ContextOptionsValue } from '../../src/samplers/context/options.js';

const shape = [10, 4, 2, 3] as const;
const frame = 4 * 2 * 3;
const settings = (s: Partial<SampleSettingsValue>): SampleSettingsValue => ({ ...DEFAULT_SAMPLE_SETTINGS, ...s });
const draw = (seed: number, count: number) => new TorchCpuGenerator(BigInt(seed)).randn(count);
const frameOf = (noise: Float32Array, i: number) => Array.from(noise.subarray(i * frame, (i + 1) * frame));
const context = (length: number, overlap: number): ContextOptionsValue => ({
  kind: 'context-options',
  schedule: 'standard_uniform',
  contextLength: length,
  contextStride: 1,
  contextOverlap: overlap,
  closedLoop: false,
  fuseMethod: 'pyramid',
  useOnEqualLength: false,
  startPercent: 0,
  guaranteeSteps: 1,
});

describe("ADE's initial noise", () => {
  it("keeps ComfyUI's noise with default settings", () => {
    expect(adeInitialNoise(DEFAULT_SAMPLE_SETTINGS, 5, shape, undefined)).toBeUndefined();
  });

  it('comfy: one draw for the batch from seed + seed_offset, the first batch_offset frames dropped', () => {
    const noise = adeInitialNoise(settings({ seedOffset: 3, batchOffset: 2 }), 5, shape, undefined)!;
    const all = draw(8, 12 * frame);
    for (let i = 0; i < 10; i++) expect(frameOf(noise, i)).toEqual(frameOf(all, i + 2));
  });

  it('seed_override replaces the sampler seed', () => {
    const noise = adeInitialNoise(settings({ seedOverride: 40 }), 5, shape, undefined)!;
    expect(Array.from(noise)).toEqual(Array.from(draw(40, 10 * frame)));
  });

  it('auto1111: frame i from its own seed, seed + i + batch_offset', () => {
    const noise = adeInitialNoise(settings({ seedGen: 'auto1111', batchOffset: 1 }), 5, shape, undefined)!;
    for (const i of [0, 4, 9]) expect(frameOf(noise, i)).toEqual(Array.from(draw(5 + i + 1, frame)));
  });

  it('constant: the first frame of the draw on every frame; empty: zeros', () => {
    const constant = adeInitialNoise(settings({ noiseType: 'constant' }), 5, shape, undefined)!;
    for (const i of [0, 7]) expect(frameOf(constant, i)).toEqual(Array.from(draw(5, frame)));
    expect(adeInitialNoise(settings({ noiseType: 'empty' }), 5, shape, undefined)!.every((v) => v === 0)).toBe(true);
  });

  it("repeated_context: the first window's frames over and over", () => {
    const noise = adeInitialNoise(settings({ noiseType: 'repeated_context' }), 5, shape, context(4, 1))!;
    const all = draw(5, 10 * frame);
    for (let i = 0; i < 10; i++) expect(frameOf(noise, i)).toEqual(frameOf(all, i % 4));
  });

  it('FreeNoise: the first window keeps its frames, each later stretch is a shuffle of the frames a window before it', () => {
    // Windows of 4 with overlap 1 step by 3: frames 4–6 reuse frames 0–2, then frames 7–9 reuse (the new) frames 3–5.
    const noise = adeInitialNoise(settings({ noiseType: 'FreeNoise' }), 5, shape, context(4, 1))!;
    const all = draw(5, 10 * frame);
    const key = (f: number[]) => f.join(',');
    for (let i = 0; i < 4; i++) expect(frameOf(noise, i)).toEqual(frameOf(all, i));
    const sorted = (list: number[][]) => list.map(key).sort();
    expect(sorted([4, 5, 6].map((i) => frameOf(noise, i)))).toEqual(sorted([0, 1, 2].map((i) => frameOf(all, i))));
    expect(sorted([7, 8, 9].map((i) => frameOf(noise, i)))).toEqual(sorted([3, 4, 5].map((i) => frameOf(noise, i))));
  });
});
