/** Empty Latent Image (Big Batch) (`ADE_EmptyLatentImageLarge`): a zero latent batch of up to 262,144 frames. */
import { defineNode } from '@piagraph/graph-core';
import { MAX_RESOLUTION } from '../comfy-core/empty-latent-image.js';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import { ADE_CATEGORY } from './categories.js';

/** Elements of a latent this process can hold in one Float32Array (2^31 − 1 bytes / 4, with room to spare). */
const MAX_LATENT_ELEMENTS = 2 ** 29;

/** The `ADE_EmptyLatentImageLarge` node. */
export function emptyLatentImageLargeNode(_pack: PackContext) {
  return defineNode({
    classType: 'ADE_EmptyLatentImageLarge',
    displayName: 'Empty Latent Image (Big Batch) 🎭🅐🅓',
    category: ADE_CATEGORY.extras,
    description: 'A batch of empty latents (zeros), one per frame; the batch may be far larger than Empty Latent Image allows.',
    inputs: {
      required: {
        width: { type: 'INT', default: 512, min: 64, max: MAX_RESOLUTION, step: 8 },
        height: { type: 'INT', default: 512, min: 64, max: MAX_RESOLUTION, step: 8 },
        batch_size: { type: 'INT', default: 1, min: 1, max: 262144 },
      },
    },
    outputs: [{ type: 'LATENT' }],
    run({ width, height, batch_size }) {
      const h = Math.floor(height / 8);
      const w = Math.floor(width / 8);
      if (batch_size * 4 * h * w > MAX_LATENT_ELEMENTS) {
        throw new PipelineError('bad-option', `a ${batch_size}-frame latent of ${width}×${height} needs ${batch_size * 4 * h * w} values, more than one process holds (${MAX_LATENT_ELEMENTS})`, {}, 'batch_size');
      }
      const samples = new Float32Array(batch_size * 4 * h * w);
      return { outputs: [{ samples, dims: [batch_size, 4, h, w] }], sizeBytes: samples.byteLength };
    },
  });
}
