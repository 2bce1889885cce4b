/** Upscale Image (`ImageScale`) and Upscale Image By (`ImageScaleBy`), ComfyUI's size rules and methods. */
import { defineNode } from '@piagraph/graph-core';
import sharp from 'sharp';
import { centreCrop, resampleBatch, roundHalfEven, type PlanarBatch } from '../../image/resample.js';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import type { ImageValue } from '../socket-values.js';
import { MAX_RESOLUTION } from './empty-latent-image.js';
import { CROP_METHODS } from './latent-upscale.js';

/** ComfyUI's image upscale methods, in its order. */
export const IMAGE_UPSCALE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'lanczos'] as const;
type ImageMethod = (typeof IMAGE_UPSCALE_METHODS)[number];

/**
 * Lanczos as ComfyUI does it: through 8-bit images (it uses PIL's LANCZOS; sharp's `lanczos3` is the same a = 3
 * kernel), so the result is quantised to 1/255 like ComfyUI's.
 */
async function lanczos(batch: PlanarBatch, width: number, height: number): Promise<PlanarBatch> {
  const [n, c, h, w] = batch.dims;
  const out = new Float32Array(n * c * width * height);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    const rgb = new Uint8Array(plane * c);
    for (let ch = 0; ch < c; ch++) {
      const src = batch.data.subarray((i * c + ch) * plane, (i * c + ch + 1) * plane);
      for (let p = 0; p < plane; p++) rgb[p * c + ch] = Math.min(255, Math.max(0, Math.trunc(src[p]! * 255)));
    }
    const resized = await sharp(rgb, { raw: { width: w, height: h, channels: c as 1 | 3 | 4 } })
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
    const outPlane = width * height;
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < outPlane; p++) out[(i * c + ch) * outPlane + p] = resized[p * c + ch]! / 255;
    }
  }
  return { data: out, dims: [n, c, height, width] };
}

async function scaleImages(image: ImageValue, width: number, height: number, method: ImageMethod, crop: 'disabled' | 'center'): Promise<ImageValue> {
  if (width < 1 || height < 1) throw new PipelineError('bad-option', `cannot scale to ${width}×${height}`, { width, height }, 'width');
  const batch: PlanarBatch = { data: image.data, dims: image.dims };
  const scaled = method === 'lanczos' ? await lanczos(crop === 'center' ? centreCrop(batch, width, height) : batch, width, height) : resampleBatch(batch, width, height, method, crop);
  return { data: scaled.data, dims: [scaled.dims[0], 3, scaled.dims[2], scaled.dims[3]] };
}

/** The `ImageScale` node. */
export function imageScaleNode(_pack: PackContext) {
  return defineNode({
    classType: 'ImageScale',
    displayName: 'Upscale Image',
    category: 'image/upscaling',
    description: 'Resizes images to width × height; with one of them 0 the other keeps the aspect ratio.',
    inputs: {
      required: {
        image: { type: 'IMAGE' },
        upscale_method: { type: 'COMBO', options: IMAGE_UPSCALE_METHODS },
        width: { type: 'INT', default: 512, min: 0, max: MAX_RESOLUTION, step: 1 },
        height: { type: 'INT', default: 512, min: 0, max: MAX_RESOLUTION, step: 1 },
        crop: { type: 'COMBO', options: CROP_METHODS },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    async run({ image, upscale_method, width, height, crop }) {
      if (width === 0 && height === 0) return { outputs: [image], sizeBytes: image.data.byteLength };
      const [, , h, w] = image.dims;
      const outW = width === 0 ? Math.max(1, roundHalfEven((w * height) / h)) : width;
      const outH = height === 0 ? Math.max(1, roundHalfEven((h * width) / w)) : height;
      const out = await scaleImages(image, outW, outH, upscale_method, crop);
      return { outputs: [out], sizeBytes: out.data.byteLength };
    },
  });
}

/** The `ImageScaleBy` node. */
export function imageScaleByNode(_pack: PackContext) {
  return defineNode({
    classType: 'ImageScaleBy',
    displayName: 'Upscale Image By',
    category: 'image/upscaling',
    description: 'Resizes images by a factor (each side rounded).',
    inputs: {
      required: {
        image: { type: 'IMAGE' },
        upscale_method: { type: 'COMBO', options: IMAGE_UPSCALE_METHODS },
        scale_by: { type: 'FLOAT', default: 1.0, min: 0.01, max: 8.0, step: 0.01 },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    async run({ image, upscale_method, scale_by }) {
      const [, , h, w] = image.dims;
      const out = await scaleImages(image, roundHalfEven(w * scale_by), roundHalfEven(h * scale_by), upscale_method, 'disabled');
      return { outputs: [out], sizeBytes: out.data.byteLength };
    },
  });
}
