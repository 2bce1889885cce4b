/**
 * VHS's IMAGE batch utilities: split at an index, merge two batches (scaling one to the other's size), every n-th
 * image, the count, repeats, and a selection by index text (`0, 2:5, -1`).
 */
import { defineNode } from '@piagraph/graph-core';
import { resampleBatch, type ResampleMethod } from '../../image/resample.js';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import type { ImageValue } from '../socket-values.js';

const BIG = Number.MAX_SAFE_INTEGER;
export const VHS_IMAGE_CATEGORY = 'Video Helper Suite 🎥🅥🅗🅢/image';

/** Images `[start, end)` of a batch (Python slice bounds, negatives from the end). */
export function sliceImages(images: ImageValue, start: number, end: number = images.dims[0], step = 1): ImageValue {
  const n = images.dims[0];
  const at = (i: number) => Math.min(n, Math.max(0, i < 0 ? n + i : i));
  const picked: number[] = [];
  for (let i = at(start); i < at(end); i += step) picked.push(i);
  return pickImages(images, picked);
}

/** The images at `indexes`, in that order. */
export function pickImages(images: ImageValue, indexes: readonly number[]): ImageValue {
  const [, c, h, w] = images.dims;
  const per = c * h * w;
  const data = new Float32Array(indexes.length * per);
  indexes.forEach((i, k) => data.set(images.data.subarray(i * per, (i + 1) * per), k * per));
  return { data, dims: [indexes.length, 3, h, w] };
}

/** The `VHS_SplitImages` node. */
export function splitImagesNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_SplitImages',
    displayName: 'Split Images 🎥🅥🅗🅢',
    category: VHS_IMAGE_CATEGORY,
    description: 'Splits a batch before split_index (negative: from the end): A gets the images before it, B the rest.',
    inputs: { required: { images: { type: 'IMAGE' }, split_index: { type: 'INT', default: 0, step: 1, min: -BIG, max: BIG } } },
    outputs: [
      { type: 'IMAGE', name: 'IMAGE_A' },
      { type: 'INT', name: 'A_count' },
      { type: 'IMAGE', name: 'IMAGE_B' },
      { type: 'INT', name: 'B_count' },
    ],
    run({ images, split_index }) {
      const a = sliceImages(images, 0, split_index);
      const b = sliceImages(images, split_index);
      return { outputs: [a, a.dims[0], b, b.dims[0]], sizeBytes: images.data.byteLength };
    },
  });
}

const MERGE_STRATEGIES = ['match A', 'match B', 'match smaller', 'match larger'] as const;
const SCALE_METHODS = ['nearest-exact', 'bilinear', 'area', 'bicubic', 'bislerp'] as const;
const CROP_METHODS = ['disabled', 'center'] as const;

/** Whether A's size is the template, as VHS decides it (A stays the template when it is the larger, for both "match" sizes). */
function aIsTemplate(strategy: (typeof MERGE_STRATEGIES)[number], aSize: number, bSize: number): boolean {
  if (strategy === 'match B') return false;
  if (strategy === 'match A' || aSize > bSize) return true;
  return strategy === 'match smaller';
}

/** The `VHS_MergeImages` node. */
export function mergeImagesNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_MergeImages',
    displayName: 'Merge Images 🎥🅥🅗🅢',
    category: VHS_IMAGE_CATEGORY,
    description: 'Appends images_B to images_A, scaling one batch to the size of the other when they differ.',
    inputs: {
      required: {
        images_A: { type: 'IMAGE' },
        images_B: { type: 'IMAGE' },
        merge_strategy: { type: 'COMBO', options: MERGE_STRATEGIES },
        scale_method: { type: 'COMBO', options: SCALE_METHODS },
        crop: { type: 'COMBO', options: CROP_METHODS },
      },
    },
    outputs: [
      { type: 'IMAGE', name: 'IMAGE' },
      { type: 'INT', name: 'count' },
    ],
    run({ images_A: a, images_B: b, merge_strategy, scale_method, crop }) {
      let [ia, ib] = [a, b];
      const [, , ah, aw] = a.dims;
      const [, , bh, bw] = b.dims;
      if (ah !== bh || aw !== bw) {
        const scale = (x: ImageValue, w: number, h: number): ImageValue => {
          const r = resampleBatch({ data: x.data, dims: x.dims }, w, h, scale_method as ResampleMethod, crop);
          return { data: r.data, dims: [r.dims[0], 3, r.dims[2], r.dims[3]] };
        };
        if (aIsTemplate(merge_strategy, aw * ah, bw * bh)) ib = scale(b, aw, ah);
        else ia = scale(a, bw, bh);
      }
      const data = new Float32Array(ia.data.length + ib.data.length);
      data.set(ia.data);
      data.set(ib.data, ia.data.length);
      const count = ia.dims[0] + ib.dims[0];
      return { outputs: [{ data, dims: [count, 3, ia.dims[2], ia.dims[3]] }, count], sizeBytes: data.byteLength };
    },
  });
}

/** The `VHS_SelectEveryNthImage` node. */
export function selectEveryNthImageNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_SelectEveryNthImage',
    displayName: 'Select Every Nth Image 🎥🅥🅗🅢',
    category: VHS_IMAGE_CATEGORY,
    inputs: {
      required: {
        images: { type: 'IMAGE' },
        select_every_nth: { type: 'INT', default: 1, min: 1, max: BIG, step: 1 },
        skip_first_images: { type: 'INT', default: 0, min: 0, max: BIG, step: 1 },
      },
    },
    outputs: [
      { type: 'IMAGE', name: 'IMAGE' },
      { type: 'INT', name: 'count' },
    ],
    run({ images, select_every_nth, skip_first_images }) {
      const picked = sliceImages(images, skip_first_images, images.dims[0], select_every_nth);
      return { outputs: [picked, picked.dims[0]], sizeBytes: picked.data.byteLength };
    },
  });
}

/** The `VHS_GetImageCount` node. */
export function getImageCountNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_GetImageCount',
    displayName: 'Get Image Count 🎥🅥🅗🅢',
    category: VHS_IMAGE_CATEGORY,
    inputs: { required: { images: { type: 'IMAGE' } } },
    outputs: [{ type: 'INT', name: 'count' }],
    run({ images }) {
      return { outputs: [images.dims[0]] };
    },
  });
}

/** The `VHS_DuplicateImages` node. */
export function duplicateImagesNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_DuplicateImages',
    displayName: 'Repeat Images 🎥🅥🅗🅢',
    category: VHS_IMAGE_CATEGORY,
    description: 'The whole batch multiply_by times over (1 2 3 1 2 3 …).',
    inputs: { required: { images: { type: 'IMAGE' }, multiply_by: { type: 'INT', default: 1, min: 1, max: BIG, step: 1 } } },
    outputs: [
      { type: 'IMAGE', name: 'IMAGE' },
      { type: 'INT', name: 'count' },
    ],
    run({ images, multiply_by }) {
      if (images.data.length * multiply_by > 2 ** 29) throw new PipelineError('bad-option', `${images.dims[0]} images × ${multiply_by} is more than one IMAGE can hold`, {}, 'multiply_by');
      const data = new Float32Array(images.data.length * multiply_by);
      for (let k = 0; k < multiply_by; k++) data.set(images.data, k * images.data.length);
      const count = images.dims[0] * multiply_by;
      return { outputs: [{ data, dims: [count, 3, images.dims[2], images.dims[3]] }, count], sizeBytes: data.byteLength };
    },
  });
}

/**
 * VHS's index text for `n` images: comma-separated indexes (negative from the end) and ranges `start:end[:step]`
 * (ends optional); indexes outside the batch fail unless `allowMissing`, where they are dropped.
 */
export function selectedIndexes(text: string, n: number, allowMissing: boolean): number[] {
  const out: number[] = [];
  const int = (s: string, what: string) => {
    if (!/^-?\d+$/.test(s)) throw new PipelineError('bad-option', `'${s}' in indexes is not an integer (${what})`, {}, 'indexes');
    return Number(s);
  };
  for (const raw of text.split(',').map((g) => g.trim()).filter((g) => g !== '')) {
    if (raw.includes(':')) {
      const [a = '', b = '', c = ''] = raw.split(':').map((p) => p.trim());
      const step = c === '' ? 1 : int(c, 'step');
      if (step === 0) throw new PipelineError('bad-option', `'${raw}': a step of 0 selects nothing`, {}, 'indexes');
      const clamp = (i: number) => (i < 0 ? Math.max(0, n + i) : Math.min(i, n));
      const start = a === '' ? (step > 0 ? 0 : n - 1) : clamp(int(a, 'start'));
      const end = b === '' ? (step > 0 ? n : -1) : clamp(int(b, 'end'));
      for (let i = start; step > 0 ? i < end : i > end; i += step) if (i >= 0 && i < n) out.push(i);
    } else {
      const i = int(raw, 'index');
      const at = i < 0 ? n + i : i;
      if (at < 0 || at >= n) {
        if (!allowMissing) throw new PipelineError('bad-option', `index ${i} is out of range for ${n} images`, {}, 'indexes');
        continue;
      }
      out.push(at);
    }
  }
  return out;
}

/** The `VHS_SelectImages` node. */
export function selectImagesNode(_pack: PackContext) {
  return defineNode({
    classType: 'VHS_SelectImages',
    displayName: 'Select Images 🎥🅥🅗🅢',
    category: VHS_IMAGE_CATEGORY,
    description: 'Images by index: "0, 2:5, -1" (ranges start:end[:step], negatives from the end).',
    inputs: {
      required: {
        image: { type: 'IMAGE' },
        indexes: { type: 'STRING', default: '0' },
        err_if_missing: { type: 'BOOLEAN', default: true },
        err_if_empty: { type: 'BOOLEAN', default: true },
      },
    },
    outputs: [{ type: 'IMAGE' }],
    run({ image, indexes, err_if_missing, err_if_empty }) {
      const picked = selectedIndexes(indexes, image.dims[0], !err_if_missing);
      if (picked.length === 0 && err_if_empty) throw new PipelineError('bad-option', `nothing was selected by "${indexes}"`, {}, 'indexes');
      const out = pickImages(image, picked);
      return { outputs: [out], sizeBytes: out.data.byteLength };
    },
  });
}
