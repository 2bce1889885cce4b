/** ImageCompositeMasked: pastes `source` onto `destination` at (x, y), blended by an optional mask. */
import { defineNode } from '@piagraph/graph-core';
import { resampleBatch } from '../../image/resample.js';
import type { PackContext } from '../pack-context.js';
import type { ImageValue, MaskValue } from '../socket-values.js';
import { MAX_RESOLUTION } from './empty-latent-image.js';

/** The batch entry `i` of a batch of `n`, repeating the batch as ComfyUI's `repeat_to_batch_size` does. */
const entry = (i: number, n: number) => i % n;

/** `dest` with `source` composited at (x, y); the mask (resized bilinearly to the source) weights the source. */
export function compositeMasked(dest: ImageValue, source: ImageValue, x: number, y: number, resizeSource: boolean, mask?: MaskValue): ImageValue {
  const [n, , H, W] = dest.dims;
  const src = resizeSource && (source.dims[2] !== H || source.dims[3] !== W) ? resampleBatch(source, W, H, 'bilinear') : source;
  const [sn, , sh, sw] = src.dims;
  const weights = mask ? resampleBatch({ data: mask.data, dims: [mask.dims[0], 1, mask.dims[1], mask.dims[2]] }, sw, sh, 'bilinear') : undefined;
  const out = Float32Array.from(dest.data);
  const left = Math.min(x, W);
  const top = Math.min(y, H);
  const visibleW = Math.min(sw, W - left);
  const visibleH = Math.min(sh, H - top);
  for (let i = 0; i < n; i++) {
    const s = entry(i, sn);
    const m = weights ? entry(i, weights.dims[0]) : 0;
    for (let c = 0; c < 3; c++) {
      for (let row = 0; row < visibleH; row++) {
        for (let col = 0; col < visibleW; col++) {
          const a = weights ? weights.data[(m * sh + row) * sw + col]! : 1;
          const d = ((i * 3 + c) * H + top + row) * W + left + col;
          out[d] = a * src.data[((s * 3 + c) * sh + row) * sw + col]! + (1 - a) * out[d]!;
        }
      }
    }
  }
  return { data: out, dims: dest.dims };
}

/** The `ImageCompositeMasked` node. */
export function imageCompositeMaskedNode(_pack: PackContext) {
  return defineNode({
    classType: 'ImageCompositeMasked',
    displayName: 'ImageCompositeMasked',
    category: 'image',
    description: 'Pastes the source image onto the destination at x, y (optionally resized to the destination), blended by the mask.',
    inputs: {
      required: {
        destination: { type: 'IMAGE' },
        source: { type: 'IMAGE' },
        x: { type: 'INT', default: 0, min: 0, max: MAX_RESOLUTION, step: 1 },
        y: { type: 'INT', default: 0, min: 0, max: MAX_RESOLUTION, step: 1 },
        resize_source: { type: 'BOOLEAN', default: false },
      },
      optional: {
        mask: { type: 'MASK' },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    run({ destination, source, x, y, resize_source, mask }) {
      const out = compositeMasked(destination, source, x, y, resize_source, mask);
      return { outputs: [out], sizeBytes: out.data.byteLength };
    },
  });
}
