import { describe, expect, it } from 'vitest';
import { ImageLoadError, piaTargetSize, planResize } from '../../src/image/index.js';

describe('piaTargetSize', () => {
  it('scales a 1000×750 image to 512×384', () => {
    // 512 / 1000 = 0.512; 750 × 0.512 = 384; both already multiples of 8.
    expect(piaTargetSize(1000, 750)).toEqual({ width: 512, height: 384 });
  });

  it('truncates then floors each side to a multiple of 8', () => {
    // 512 / 1023 × 700 = 350.34… → int 350 → 344; 1023 → 512.
    expect(piaTargetSize(1023, 700)).toEqual({ width: 512, height: 344 });
  });

  it('reproduces the double rounding of int(561 * (512 / 561)) = 511, as Python computes it', () => {
    // Python: int(561 * (512 / 561)) == 511 and int(400 * (512 / 561)) == 365, floored to 504 and 360.
    expect(piaTargetSize(561, 400)).toEqual({ width: 504, height: 360 });
  });

  it('never upscales a small image, only floors it', () => {
    expect(piaTargetSize(300, 203)).toEqual({ width: 296, height: 200 });
  });

  it('honours a larger max size', () => {
    // 768 / 2000 × 1500 = 576.
    expect(piaTargetSize(2000, 1500, 768)).toEqual({ width: 768, height: 576 });
  });
});

describe('planResize', () => {
  it('keeps exact sizes for cover and stretch', () => {
    expect(planResize('a.png', 100, 50, { mode: 'cover', width: 64, height: 64 })).toEqual({ width: 64, height: 64, fit: 'cover' });
    expect(planResize('a.png', 100, 50, { mode: 'stretch', width: 64, height: 32 })).toEqual({ width: 64, height: 32, fit: 'fill' });
  });

  it('refuses an image too small to reach a multiple of 8', () => {
    const error = (() => {
      try {
        planResize('tiny.png', 5, 40);
      } catch (e) {
        return e;
      }
    })() as ImageLoadError;
    expect(error).toBeInstanceOf(ImageLoadError);
    expect(error.code).toBe('too-small');
    expect(error.message).toBe('Image "tiny.png" is 5×40: too small to give a size that is a multiple of 8 with the long edge at most 512');
  });

  it('refuses a non-integer exact size', () => {
    expect(() => planResize('a.png', 10, 10, { mode: 'stretch', width: 12.5, height: 8 })).toThrow(
      'Resize option width must be a positive integer, got 12.5 (loading "a.png")',
    );
  });
});
