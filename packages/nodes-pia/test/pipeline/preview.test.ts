import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SD15_LATENT_RGB_FACTORS, latentPreview, latentToRgbGrid, previewGrid } from '../../src/pipeline/preview.js';

describe('latent previews', () => {
  it('lays 16 frames out 4 × 4 and 5 frames 3 × 2', () => {
    expect(previewGrid(16, 8, 8)).toMatchObject({ columns: 4, rows: 4 });
    expect(previewGrid(5, 8, 8)).toMatchObject({ columns: 3, rows: 2 });
  });

  it('colours a latent pixel with the SD 1.5 factors, (v + 1)/2 clamped', () => {
    // One frame, one pixel, latent (1, 0, 0, 0): RGB = row 0 of the factors.
    const { rgb, width, height } = latentToRgbGrid(Float32Array.of(1, 0, 0, 0), { channels: 4, frames: 1, height: 1, width: 1 }, 1);
    expect([width, height]).toEqual([1, 1]);
    const expected = SD15_LATENT_RGB_FACTORS[0]!.map((v) => Math.round(((v + 1) / 2) * 255));
    expect(Array.from(rgb)).toEqual(expected);
  });

  it('puts frame f at column f % columns', () => {
    // Two frames of 1×1, channel 0 = -1 on frame 0 and +1 on frame 1 → frame 1 is brighter in red.
    const latent = Float32Array.of(-1, 1, 0, 0, 0, 0, 0, 0);
    const { rgb } = latentToRgbGrid(latent, { channels: 4, frames: 2, height: 1, width: 1 }, 2);
    expect(rgb[3]!).toBeGreaterThan(rgb[0]!);
  });

  it('encodes a JPEG of the grid size', async () => {
    const preview = await latentPreview(new Float32Array(4 * 4 * 8 * 12), { channels: 4, frames: 4, height: 8, width: 12 });
    const meta = await sharp(preview.data).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([preview.width, preview.height]);
  });
});
