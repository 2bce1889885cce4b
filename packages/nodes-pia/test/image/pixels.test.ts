import { describe, expect, it } from 'vitest';
import { FrameDataError, floatFramesToRgb8, rgb8ToChw, type FloatFrames } from '../../src/image/index.js';

describe('floatFramesToRgb8', () => {
  it('truncates like numpy clip(x * 255, 0, 255).astype(uint8) on float32 values', () => {
    const xs = [0.5, 1.0, 1.5, -0.2, 0.999, 0.1, 0.2, 0.3, 0.7, 0.9, 100 / 255, 0.0039215689, 0.99999994, 1 / 3, 2 / 3];
    // Printed by numpy 2.4 for np.array(xs, dtype=np.float32): np.clip(xs * np.float32(255), 0, 255).astype(np.uint8).
    const numpy = [127, 255, 255, 0, 254, 25, 51, 76, 178, 229, 100, 1, 254, 85, 170];
    // One frame of 1×n pixels, the same values in all three channels.
    const data = new Float32Array([...xs, ...xs, ...xs]);
    const [rgb] = floatFramesToRgb8({ data, dims: [1, 3, 1, xs.length] });
    expect([...rgb!].filter((_, i) => i % 3 === 0)).toEqual(numpy);
  });

  it('maps NaN to 0', () => {
    const [rgb] = floatFramesToRgb8({ data: new Float32Array([NaN, 1, 0.5]), dims: [1, 3, 1, 1] });
    expect([...rgb!]).toEqual([0, 255, 127]);
  });

  it('interleaves planar channels into RGB pixels frame by frame', () => {
    // 2 frames of 1×2 pixels. Frame f, channel c, pixel p holds (f * 6 + c * 2 + p) / 255 exactly.
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 255);
    const frames = floatFramesToRgb8({ data, dims: [2, 3, 1, 2] });
    expect(frames.map((f) => [...f])).toEqual([
      [0, 2, 4, 1, 3, 5],
      [6, 8, 10, 7, 9, 11],
    ]);
  });

  it('rejects dims with other than 3 channels', () => {
    const frames: FloatFrames = { data: new Float32Array(4), dims: [1, 4, 1, 1] };
    expect(() => floatFramesToRgb8(frames)).toThrow(new FrameDataError('Frames must have 3 channels (RGB), got 4 in dims [1, 4, 1, 1]'));
  });

  it('rejects zero frames', () => {
    expect(() => floatFramesToRgb8({ data: new Float32Array(0), dims: [0, 3, 8, 8] })).toThrow(
      'Frames need at least one frame of at least 1×1 pixels, got dims [0, 3, 8, 8]',
    );
  });

  it('rejects data whose length does not match the dims', () => {
    expect(() => floatFramesToRgb8({ data: new Float32Array(10), dims: [1, 3, 2, 2] })).toThrow(
      'Frame data holds 10 values, but dims [1, 3, 2, 2] need 12',
    );
  });
});

describe('rgb8ToChw', () => {
  it('maps bytes to [-1, 1] planes', () => {
    const chw = rgb8ToChw(Uint8Array.from([0, 255, 51, 102, 204, 255]), 2, 1);
    // R plane (0, 102), G plane (255, 204), B plane (51, 255); v / 255 * 2 - 1 by hand.
    const expected = [-1, -0.2, 1, 0.6, -0.6, 1];
    expected.forEach((v, i) => expect(chw[i]).toBeCloseTo(v, 6));
  });

  it('maps bytes to [0, 1] planes in the unit range', () => {
    const chw = rgb8ToChw(Uint8Array.from([0, 255, 51]), 1, 1, 'unit');
    expect([...chw].map((v) => Number(v.toFixed(6)))).toEqual([0, 1, 0.2]);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => rgb8ToChw(new Uint8Array(5), 1, 2)).toThrow('RGB buffer holds 5 bytes, expected 6 for 1×2×3');
  });
});
