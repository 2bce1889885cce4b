import { describe, expect, it } from 'vitest';
import { frameDelays, frameOrder, padToEven, toFrameSequence, VideoWriteError } from '../../src/video/index.js';

describe('frameOrder', () => {
  it('plays 4 frames forward then back without repeating the ends: 0 1 2 3 2 1', () => {
    expect(frameOrder(4, true)).toEqual([0, 1, 2, 3, 2, 1]);
  });

  it('gives 2n − 2 frames for ping-pong of n ≥ 2 frames', () => {
    for (const n of [2, 3, 8, 16]) expect(frameOrder(n, true)).toHaveLength(2 * n - 2);
  });

  it('leaves a single frame alone under ping-pong', () => {
    expect(frameOrder(1, true)).toEqual([0]);
  });

  it('appends whole extra copies for repeats', () => {
    expect(frameOrder(3, false, 2)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });
});

describe('frameDelays', () => {
  it('alternates 130 and 120 ms for 8 fps in centiseconds, averaging 125 ms', () => {
    expect(frameDelays(4, 8, 10)).toEqual([130, 120, 130, 120]);
  });

  it('keeps the total within one unit of frames / fps', () => {
    const delays = frameDelays(30, 24, 10);
    const total = delays.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - (30 * 1000) / 24)).toBeLessThanOrEqual(5);
  });

  it('never gives a zero delay at very high frame rates', () => {
    expect(Math.min(...frameDelays(5, 500, 10))).toBe(10);
  });
});

describe('padToEven', () => {
  it('repeats the last column and row of a 3×3 frame to make 4×4', () => {
    // Pixel (x, y) has all channels equal to 10·y + x.
    const rgb = Uint8Array.from({ length: 27 }, (_, i) => {
      const p = Math.floor(i / 3);
      return 10 * Math.floor(p / 3) + (p % 3);
    });
    const padded = padToEven(rgb, 3, 3);
    expect([padded.width, padded.height]).toEqual([4, 4]);
    const reds = Array.from({ length: 16 }, (_, p) => padded.rgb[p * 3]);
    expect(reds).toEqual([0, 1, 2, 2, 10, 11, 12, 12, 20, 21, 22, 22, 20, 21, 22, 22]);
  });

  it('returns an even frame unchanged', () => {
    const rgb = new Uint8Array(2 * 2 * 3);
    expect(padToEven(rgb, 2, 2).rgb).toBe(rgb);
  });
});

describe('toFrameSequence', () => {
  it('refuses zero frames', () => {
    expect(() => toFrameSequence({ width: 4, height: 4, frames: [] })).toThrow(
      new VideoWriteError('no-frames', 'Cannot write a video of 0 frames'),
    );
  });

  it('refuses a float tensor of zero frames', () => {
    expect(() => toFrameSequence({ data: new Float32Array(0), dims: [0, 3, 4, 4] })).toThrow('Cannot write a video of 0 frames');
  });

  it('refuses RGB frames of mismatched sizes, naming the frame', () => {
    const frames = [new Uint8Array(4 * 4 * 3), new Uint8Array(4 * 3 * 3)];
    expect(() => toFrameSequence({ width: 4, height: 4, frames })).toThrow('Frame 1 holds 36 bytes, but 4×4 RGB frames need 48');
  });

  it('refuses a float tensor whose data does not fill its dims', () => {
    expect(() => toFrameSequence({ data: new Float32Array(47), dims: [1, 3, 4, 4] })).toThrow(
      'Frame data holds 47 values, but dims [1, 3, 4, 4] need 48',
    );
  });
});
