/**
 * Which image sizes a model can take: multiples of the VAE's downsampling factor (8), as PIA's `preprocess_img`
 * floors them. The latent may then have odd sides: the U-Net's stride-2 convs give ⌈h/2⌉ and each upsampler
 * resizes to the size of the skip it meets, as diffusers' `upsample_size` does (512×504 → a 64×63 latent).
 */
import { vaeScaleFactor, type PiaModelConfig } from '../models/index.js';

/** PIA's size multiple (`preprocess_img`: `(w // 8) * 8`), which the crop widgets are validated against before a model loads. */
export const PIA_SIZE_MULTIPLE = 8;

/** The multiple both pixel sides must be for `config`: the VAE's scale factor (8 for SD 1.5 and the tiny model). */
export function imageSizeMultiple(config: PiaModelConfig): number {
  return vaeScaleFactor(config.vae);
}
