/**
 * Cheap previews of a video latent while it is sampled: each latent pixel to RGB through SD 1.5's well-known 4×3
 * latent-to-RGB factors (ComfyUI's `latent_formats.SD15`), frames tiled in a grid, encoded as a small JPEG.
 * No VAE call, so a preview costs microseconds next to a U-Net step.
 */
import sharp from 'sharp';
import type { LatentShape } from './conditioning.js';

/** ComfyUI's SD 1.5 latent → RGB factors, rows = latent channels, columns = R, G, B. */
export const SD15_LATENT_RGB_FACTORS: readonly (readonly [number, number, number])[] = [
  [0.3512, 0.2297, 0.3227],
  [0.325, 0.4974, 0.235],
  [-0.2829, 0.1762, 0.2721],
  [-0.212, -0.2616, -0.7177],
];

/** A preview image as the engine's `ctx.progress` takes it. */
export interface LatentPreview {
  format: 'jpeg';
  data: Uint8Array;
  width: number;
  height: number;
}

/** Layout of the preview grid: columns, rows, and how much each latent pixel is enlarged. */
export function previewGrid(frames: number, height: number, width: number, maxSide = 512): { columns: number; rows: number; scale: number } {
  const columns = Math.ceil(Math.sqrt(frames));
  const rows = Math.ceil(frames / columns);
  const scale = Math.max(1, Math.min(8, Math.floor(maxSide / Math.max(columns * width, rows * height))));
  return { columns, rows, scale };
}

/**
 * Interleaved RGB bytes of the grid: frame f at column `f % columns`, row `⌊f / columns⌋`, each latent pixel a
 * `scale × scale` block of `((latent · factors) + 1) / 2` clamped to [0, 1] (ComfyUI's Latent2RGB previewer).
 */
export function latentToRgbGrid(latent: Float32Array, shape: LatentShape, maxSide = 512): { rgb: Uint8Array; width: number; height: number } {
  const { frames, height: h, width: w, channels } = shape;
  const { columns, rows, scale } = previewGrid(frames, h, w, maxSide);
  const width = columns * w * scale;
  const height = rows * h * scale;
  const rgb = new Uint8Array(width * height * 3);
  const plane = h * w;
  const used = Math.min(channels, SD15_LATENT_RGB_FACTORS.length);
  for (let f = 0; f < frames; f++) {
    const x0 = (f % columns) * w * scale;
    const y0 = Math.floor(f / columns) * h * scale;
    for (let p = 0; p < plane; p++) {
      const colour = [0, 0, 0];
      for (let c = 0; c < used; c++) {
        const v = latent[(c * frames + f) * plane + p]!;
        const factors = SD15_LATENT_RGB_FACTORS[c]!;
        for (let k = 0; k < 3; k++) colour[k]! += v * factors[k]!;
      }
      const bytes = colour.map((v) => Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255));
      const py = Math.floor(p / w) * scale;
      const px = (p % w) * scale;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const o = ((y0 + py + dy) * width + x0 + px + dx) * 3;
          rgb[o] = bytes[0]!;
          rgb[o + 1] = bytes[1]!;
          rgb[o + 2] = bytes[2]!;
        }
      }
    }
  }
  return { rgb, width, height };
}

/** The grid as a JPEG (quality 80). */
export async function latentPreview(latent: Float32Array, shape: LatentShape, maxSide = 512): Promise<LatentPreview> {
  const grid = latentToRgbGrid(latent, shape, maxSide);
  const data = await sharp(grid.rgb, { raw: { width: grid.width, height: grid.height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
  return { format: 'jpeg', data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: grid.width, height: grid.height };
}
