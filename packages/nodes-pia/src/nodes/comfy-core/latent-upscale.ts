/** Upscale Latent (`LatentUpscale`) and Upscale Latent By (`LatentUpscaleBy`), ComfyUI's size rules. */
import { defineNode } from '@piagraph/graph-core';
import { resampleBatch, roundHalfEven, type ResampleMethod } from '../../image/resample.js';
import type { PackContext } from '../pack-context.js';
import type { LatentValue } from '../socket-values.js';
import { MAX_RESOLUTION } from './empty-latent-image.js';

/** ComfyUI's latent upscale methods, in its order. */
export const LATENT_UPSCALE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp'] as const satisfies readonly ResampleMethod[];
export const CROP_METHODS = ['disabled', 'center'] as const;

function resized(latent: LatentValue, width: number, height: number, method: ResampleMethod, crop: 'disabled' | 'center'): LatentValue {
  const { data, dims } = resampleBatch({ data: latent.samples, dims: latent.dims }, width, height, method, crop);
  // A noise mask no longer lines up with the resized latent; ComfyUI drops it too (it copies only `samples`).
  return { samples: data, dims, ...(latent.batchIndex ? { batchIndex: latent.batchIndex } : {}) };
}

/** The `LatentUpscale` node: to a pixel size (0 keeps the aspect ratio from the other side). */
export function latentUpscaleNode(_pack: PackContext) {
  return defineNode({
    classType: 'LatentUpscale',
    displayName: 'Upscale Latent',
    category: 'latent',
    description: 'Resizes latents to a pixel size (÷8); with width or height 0 the other keeps the aspect ratio; at least 64 pixels a side.',
    inputs: {
      required: {
        samples: { type: 'LATENT' },
        upscale_method: { type: 'COMBO', options: LATENT_UPSCALE_METHODS },
        width: { type: 'INT', default: 512, min: 0, max: MAX_RESOLUTION, step: 8 },
        height: { type: 'INT', default: 512, min: 0, max: MAX_RESOLUTION, step: 8 },
        crop: { type: 'COMBO', options: CROP_METHODS },
      },
    },
    outputs: [{ type: 'LATENT' }],
    run({ samples, upscale_method, width, height, crop }) {
      if (width === 0 && height === 0) return { outputs: [samples], sizeBytes: samples.samples.byteLength };
      const [, , h, w] = samples.dims;
      let outW = width;
      let outH = height;
      if (width === 0) {
        outH = Math.max(64, height);
        outW = Math.max(64, roundHalfEven((w * outH) / h));
      } else if (height === 0) {
        outW = Math.max(64, width);
        outH = Math.max(64, roundHalfEven((h * outW) / w));
      } else {
        outW = Math.max(64, width);
        outH = Math.max(64, height);
      }
      const out = resized(samples, Math.floor(outW / 8), Math.floor(outH / 8), upscale_method, crop);
      return { outputs: [out], sizeBytes: out.samples.byteLength };
    },
  });
}

/** The `LatentUpscaleBy` node: by a factor. */
export function latentUpscaleByNode(_pack: PackContext) {
  return defineNode({
    classType: 'LatentUpscaleBy',
    displayName: 'Upscale Latent By',
    category: 'latent',
    description: 'Resizes latents by a factor (each side rounded), e.g. 1.5 for a hires-fix second pass.',
    inputs: {
      required: {
        samples: { type: 'LATENT' },
        upscale_method: { type: 'COMBO', options: LATENT_UPSCALE_METHODS },
        scale_by: { type: 'FLOAT', default: 1.5, min: 0.01, max: 8.0, step: 0.01 },
      },
    },
    outputs: [{ type: 'LATENT' }],
    run({ samples, upscale_method, scale_by }) {
      const [, , h, w] = samples.dims;
      const out = resized(samples, Math.max(1, roundHalfEven(w * scale_by)), Math.max(1, roundHalfEven(h * scale_by)), upscale_method, 'disabled');
      return { outputs: [out], sizeBytes: out.samples.byteLength };
    },
  });
}
