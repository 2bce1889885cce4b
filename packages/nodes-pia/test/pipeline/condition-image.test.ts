import { describe, expect, it } from 'vitest';
import { conditionSize, frameToRgb8, prepareConditionPixels } from '../../src/pipeline/condition-image.js';
import { PipelineError } from '../../src/pipeline/errors.js';
import { imageSizeMultiple } from '../../src/pipeline/sizes.js';
import { sd15, tiny } from '../../src/models/config.js';

/** A 6×4 frame: left half red (1, 0, 0), right half blue (0, 0, 1). */
function halves(width = 6, height = 4) {
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (x < width / 2) data[i] = 1;
      else data[2 * plane + i] = 1;
    }
  }
  return { data, dims: [1, 3, height, width] as const };
}

describe('sizing the condition image', () => {
  it("follows PIA's rule: long edge scaled to the limit, sides floored to the multiple", () => {
    // 1024×683 → 512×341 (int truncation) → 512×336 with multiples of 8, 512×320 with multiples of 64.
    expect(conditionSize(1024, 683, { mode: 'pia', longEdge: 512 })).toEqual({ width: 512, height: 336 });
    expect(conditionSize(1024, 683, { mode: 'pia', longEdge: 512 }, 64)).toEqual({ width: 512, height: 320 });
    expect(conditionSize(96, 64, { mode: 'pia', longEdge: 512 }, 16)).toEqual({ width: 96, height: 64 });
  });

  it('floors to multiples of 8 for both model configs, as PIA does, whatever the latent halves to', () => {
    expect(imageSizeMultiple(sd15)).toBe(8);
    expect(imageSizeMultiple(tiny)).toBe(8);
    // 1024×1008 → 512×504 (scale 0.5): a 64×63 latent, which PIA's U-Net takes.
    expect(conditionSize(1024, 1008, { mode: 'pia', longEdge: 512 }, imageSizeMultiple(sd15))).toEqual({ width: 512, height: 504 });
  });

  it('takes the exact size for crop and refuses one the model cannot take, naming width', () => {
    expect(conditionSize(96, 64, { mode: 'crop', width: 72, height: 64 }, 8)).toEqual({ width: 72, height: 64 });
    try {
      conditionSize(96, 64, { mode: 'crop', width: 100, height: 64 }, 8);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as PipelineError).input).toBe('width');
      expect((error as PipelineError).message).toContain('100×64');
    }
  });

  it('rounds [0, 1] floats to bytes so a loaded image round-trips exactly', () => {
    const data = Float32Array.from([0, 1 / 255, 254 / 255], (v) => v);
    expect(Array.from(frameToRgb8({ data: Float32Array.of(data[0]!, data[1]!, data[2]!), dims: [1, 3, 1, 1] }, 0))).toEqual([0, 1, 254]);
  });

  it('centre-crops for crop and maps pixels to [−1, 1]', async () => {
    // 6×4 → cover 2×4: scale 1, keep columns 2–3 (one red, one blue).
    const out = await prepareConditionPixels(halves(), { mode: 'crop', width: 2, height: 4 }, 2);
    expect([out.width, out.height]).toEqual([2, 4]);
    const plane = 8;
    expect(out.data[0]).toBe(1); // red channel, left column
    expect(out.data[1]).toBe(-1); // red channel, right column
    expect(out.data[2 * plane + 1]).toBe(1); // blue channel, right column
  });

  it('keeps an image already at its size untouched', async () => {
    const out = await prepareConditionPixels(halves(8, 4), { mode: 'pia', longEdge: 512 }, 4);
    expect([out.width, out.height]).toEqual([8, 4]);
    expect(Array.from(out.data.subarray(0, 8))).toEqual([1, 1, 1, 1, -1, -1, -1, -1]);
  });
});
