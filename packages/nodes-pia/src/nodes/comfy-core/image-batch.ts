/** `ImageBatch` (two batches joined, the second resized to the first) and `RepeatImageBatch`. */
import { defineNode } from '@piagraph/graph-core';
import { resampleBatch } from '../../image/resample.js';
import type { PackContext } from '../pack-context.js';
import type { ImageValue } from '../socket-values.js';

/** `a` then `b`; `b` is first scaled (bilinear, centre crop) to `a`'s size when they differ, as ComfyUI does. */
export function joinImageBatches(a: ImageValue, b: ImageValue): ImageValue {
  const [n1, , h, w] = a.dims;
  const fitted = b.dims[2] === h && b.dims[3] === w ? b : resampleBatch(b, w, h, 'bilinear', 'center');
  const data = new Float32Array(a.data.length + fitted.data.length);
  data.set(a.data);
  data.set(fitted.data, a.data.length);
  return { data, dims: [n1 + fitted.dims[0], 3, h, w] };
}

/** The `ImageBatch` node. */
export function imageBatchNode(_pack: PackContext) {
  return defineNode({
    classType: 'ImageBatch',
    displayName: 'Batch Images',
    category: 'image',
    description: 'Joins two image batches; the second is resized (bilinear, centre crop) to the first one\'s size when they differ.',
    inputs: {
      required: {
        image1: { type: 'IMAGE' },
        image2: { type: 'IMAGE' },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    run({ image1, image2 }) {
      const out = joinImageBatches(image1, image2);
      return { outputs: [out], sizeBytes: out.data.byteLength };
    },
  });
}

/** The `RepeatImageBatch` node. */
export function repeatImageBatchNode(_pack: PackContext) {
  return defineNode({
    classType: 'RepeatImageBatch',
    displayName: 'RepeatImageBatch',
    category: 'image/batch',
    description: 'Repeats the whole batch `amount` times (e.g. one picture as the frames of a video latent).',
    inputs: {
      required: {
        image: { type: 'IMAGE' },
        amount: { type: 'INT', default: 1, min: 1, max: 4096 },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    run({ image, amount }) {
      const data = new Float32Array(image.data.length * amount);
      for (let i = 0; i < amount; i++) data.set(image.data, i * image.data.length);
      return { outputs: [{ data, dims: [image.dims[0] * amount, 3, image.dims[2], image.dims[3]] }], sizeBytes: data.byteLength };
    },
  });
}
