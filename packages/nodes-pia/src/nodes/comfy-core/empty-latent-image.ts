/** Empty Latent Image (ComfyUI's `EmptyLatentImage`): a zero latent batch to sample from. */
import { defineNode } from '@piagraph/graph-core';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';

/** ComfyUI's `MAX_RESOLUTION`. */
export const MAX_RESOLUTION = 16384;

/** The latent size of SD 1.5: 4 channels, 1/8 of the pixels. */
const LATENT_CHANNELS = 4;
const DOWNSCALE = 8;

/** The `EmptyLatentImage` node. */
export function emptyLatentImageNode(_pack: PackContext) {
  return defineNode({
    classType: 'EmptyLatentImage',
    displayName: 'Empty Latent Image',
    category: 'latent',
    description: 'Creates a batch of empty latent images to be denoised by a sampler (for AnimateDiff, the batch is the frames).',
    inputs: {
      required: {
        width: { type: 'INT', default: 512, min: 16, max: MAX_RESOLUTION, step: 8, tooltip: 'The width of the latent images in pixels.' },
        height: { type: 'INT', default: 512, min: 16, max: MAX_RESOLUTION, step: 8, tooltip: 'The height of the latent images in pixels.' },
        batch_size: { type: 'INT', default: 1, min: 1, max: 4096, tooltip: 'The number of latent images in the batch.' },
      },
    },
    outputs: [{ type: 'LATENT', tooltip: 'The empty latent image batch.' }],
    run({ width, height, batch_size }) {
      const h = Math.floor(height / DOWNSCALE);
      const w = Math.floor(width / DOWNSCALE);
      const size = batch_size * LATENT_CHANNELS * h * w;
      // 2^31 floats is a 8 GiB array: refuse clearly rather than let the allocation fail.
      if (size > 2 ** 31 - 1) {
        throw new PipelineError('bad-option', `a ${batch_size}×${width}×${height} latent batch is too large (${size} values)`, { size }, 'batch_size');
      }
      const samples = new Float32Array(size);
      return { outputs: [{ samples, dims: [batch_size, LATENT_CHANNELS, h, w] }], sizeBytes: samples.byteLength };
    },
  });
}
