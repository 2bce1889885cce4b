/** ComfyUI's mask basics: `SolidMask`, `ImageToMask`, `MaskToImage` (MASK is `[B, H, W]` in [0, 1]). */
import { defineNode } from '@piagraph/graph-core';
import type { PackContext } from '../pack-context.js';
import { MAX_RESOLUTION } from './empty-latent-image.js';

/** The `SolidMask` node. */
export function solidMaskNode(_pack: PackContext) {
  return defineNode({
    classType: 'SolidMask',
    displayName: 'SolidMask',
    category: 'mask',
    description: 'A mask of one value.',
    inputs: {
      required: {
        value: { type: 'FLOAT', default: 1.0, min: 0.0, max: 1.0, step: 0.01 },
        width: { type: 'INT', default: 512, min: 1, max: MAX_RESOLUTION, step: 1 },
        height: { type: 'INT', default: 512, min: 1, max: MAX_RESOLUTION, step: 1 },
      },
    },
    outputs: [{ type: 'MASK' }],
    run({ value, width, height }) {
      const data = new Float32Array(width * height).fill(value);
      return { outputs: [{ data, dims: [1, height, width] }], sizeBytes: data.byteLength };
    },
  });
}

const CHANNELS = ['red', 'green', 'blue', 'alpha'] as const;

/** The `ImageToMask` node: one channel of the images (IMAGE has no alpha here, so `alpha` is fully opaque: 1). */
export function imageToMaskNode(_pack: PackContext) {
  return defineNode({
    classType: 'ImageToMask',
    displayName: 'Convert Image to Mask',
    category: 'mask',
    description: 'Takes one colour channel of the images as a mask.',
    inputs: {
      required: {
        image: { type: 'IMAGE' },
        channel: { type: 'COMBO', options: CHANNELS },
      },
    },
    outputs: [{ type: 'MASK' }],
    run({ image, channel }) {
      const [n, , h, w] = image.dims;
      const plane = h * w;
      const data = new Float32Array(n * plane);
      const c = CHANNELS.indexOf(channel);
      if (c === 3) data.fill(1);
      else for (let i = 0; i < n; i++) data.set(image.data.subarray((i * 3 + c) * plane, (i * 3 + c + 1) * plane), i * plane);
      return { outputs: [{ data, dims: [n, h, w] }], sizeBytes: data.byteLength };
    },
  });
}

/** The `MaskToImage` node: grey images of the masks. */
export function maskToImageNode(_pack: PackContext) {
  return defineNode({
    classType: 'MaskToImage',
    displayName: 'Convert Mask to Image',
    category: 'mask',
    description: 'Shows masks as grey images.',
    inputs: {
      required: {
        mask: { type: 'MASK' },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    run({ mask }) {
      const [n, h, w] = mask.dims;
      const plane = h * w;
      const data = new Float32Array(n * 3 * plane);
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) data.set(mask.data.subarray(i * plane, (i + 1) * plane), (i * 3 + c) * plane);
      return { outputs: [{ data, dims: [n, 3, h, w] }], sizeBytes: data.byteLength };
    },
  });
}
