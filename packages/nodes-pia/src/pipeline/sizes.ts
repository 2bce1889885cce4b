/**
 * Which image sizes a model can take. The VAE needs multiples of 8; the ONNX U-Net upsamples by exactly 2 in each
 * up block (PIA's PyTorch U-Net instead resizes to the skip tensor's size), so the latent must also halve evenly
 * through every down block: pixel sides multiple of 8·2^(blocks−1), 64 for SD 1.5 and 16 for the tiny model.
 */
import { vaeScaleFactor, type PiaModelConfig } from '../models/index.js';

/** The multiple both pixel sides must be for `config`. */
export function unetSizeMultiple(config: PiaModelConfig): number {
  return vaeScaleFactor(config.vae) * 2 ** (config.unet.blockOutChannels.length - 1);
}
