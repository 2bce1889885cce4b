import { describe, expect, it } from 'vitest';
import { applyGuidance, assembleUNetInput, conditionOnEveryFrame, predictOriginal, stackEmbeddings } from '../../src/pipeline/conditioning.js';
import { framesFirst, toUnitRange } from '../../src/pipeline/decode.js';
import { PipelineError } from '../../src/pipeline/errors.js';

// Shape [1, C=2, F=3, h=1, w=2]: latents numbered 100 + c·10 + f·2 + p so every position is recognisable.
const shape = { channels: 2, frames: 3, height: 1, width: 2 };
const latents = Float32Array.from({ length: 12 }, (_, i) => {
  const c = Math.floor(i / 6);
  const f = Math.floor((i % 6) / 2);
  return 100 + c * 10 + f * 2 + (i % 2);
});
const condition = Float32Array.of(7, 8, 9, 10); // [1, 2, 1, 2]
const mask = [1, 0.8, 0.5];

describe('the 9-channel U-Net input', () => {
  it('orders the channels latent | mask | condition latent for each frame', () => {
    const out = assembleUNetInput(latents, mask, condition, shape, 1);
    // 2 + 1 + 2 channels, each 3 frames × 2 pixels.
    const at = (c: number, f: number, p: number) => out[(c * 3 + f) * 2 + p];
    expect(out.length).toBe(5 * 3 * 2);
    expect(at(0, 2, 1)).toBe(105);
    expect(at(1, 0, 0)).toBe(110);
    expect([at(2, 0, 0), at(2, 1, 1), at(2, 2, 0)]).toEqual([1, Math.fround(0.8), 0.5]);
    expect([at(3, 0, 0), at(3, 2, 1), at(4, 1, 0), at(4, 1, 1)]).toEqual([7, 8, 9, 10]);
  });

  it('gives the unconditional half the same latent, mask and condition', () => {
    const out = assembleUNetInput(latents, mask, condition, shape, 2);
    expect(Array.from(out.subarray(30))).toEqual(Array.from(out.subarray(0, 30)));
  });

  it('refuses a mask whose length is not the frame count', () => {
    expect(() => assembleUNetInput(latents, [1, 0.5], condition, shape, 1)).toThrow(/mask has 2 frames but the latent has 3/);
  });

  it('refuses a condition latent of the wrong size', () => {
    expect(() => assembleUNetInput(latents, mask, Float32Array.of(1, 2), shape, 1)).toThrow(PipelineError);
  });

  it('copies the condition latent to every frame for an img2img start', () => {
    expect(Array.from(conditionOnEveryFrame(condition, shape))).toEqual([7, 8, 7, 8, 7, 8, 9, 10, 9, 10, 9, 10]);
  });
});

describe('guidance and the clean-latent estimate', () => {
  it('computes u + g·(c − u) with the unconditional half first', () => {
    // u = [1, 2], c = [3, -2], g = 7.5 → [1 + 15, 2 - 30]
    expect(Array.from(applyGuidance(Float32Array.of(1, 2, 3, -2), 7.5))).toEqual([16, -28]);
  });

  it('stacks embeddings in the given order', () => {
    expect(Array.from(stackEmbeddings([Float32Array.of(1, 2), Float32Array.of(3, 4)]))).toEqual([1, 2, 3, 4]);
  });

  it('recovers x0 from x_t = √ᾱ·x0 + √(1−ᾱ)·ε', () => {
    const a = 0.36; // √ᾱ = 0.6, √(1−ᾱ) = 0.8
    const x0 = 2;
    const eps = -1;
    const xt = 0.6 * x0 + 0.8 * eps;
    expect(predictOriginal(Float32Array.of(xt), Float32Array.of(eps), a)[0]).toBeCloseTo(x0, 6);
  });
});

describe('decoding helpers', () => {
  it('moves frames in front of channels', () => {
    // [1, C=2, F=2, plane=1]: c0f0 c0f1 c1f0 c1f1 → f0c0 f0c1 f1c0 f1c1
    expect(Array.from(framesFirst(Float32Array.of(1, 2, 3, 4), 2, 2, 1))).toEqual([1, 3, 2, 4]);
  });

  it('maps [-1, 1] to [0, 1] and clamps', () => {
    expect(Array.from(toUnitRange(Float32Array.of(-3, -1, 0, 0.5, 2)))).toEqual([0, 0, 0.5, 0.75, 1]);
  });
});
