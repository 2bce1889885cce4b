/**
 * The MASK Load Image gives, as ComfyUI computes it: `1 − alpha / 255` (transparent pixels are the masked ones,
 * ready for inpainting), and a 64×64 zero mask for an image without alpha.
 */
import sharp from 'sharp';
import { ImageLoadError } from './errors.js';

/** ComfyUI's placeholder when the image has no alpha channel. */
const NO_ALPHA_SIZE = 64;

/** The mask `[1, H, W]` of an image file (EXIF orientation applied, as for the pixels). */
export async function loadAlphaMask(path: string, name: string): Promise<{ data: Float32Array; dims: [1, number, number] }> {
  try {
    const image = sharp(path, { autoOrient: true });
    const meta = await image.metadata();
    if (!meta.hasAlpha) return { data: new Float32Array(NO_ALPHA_SIZE * NO_ALPHA_SIZE), dims: [1, NO_ALPHA_SIZE, NO_ALPHA_SIZE] };
    const { data, info } = await image.ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
    const mask = new Float32Array(info.width * info.height);
    for (let i = 0; i < mask.length; i++) mask[i] = 1 - data[i]! / 255;
    return { data: mask, dims: [1, info.height, info.width] };
  } catch (error) {
    throw new ImageLoadError('corrupt', name, `Cannot read the alpha channel of "${name}": ${(error as Error).message}`);
  }
}
