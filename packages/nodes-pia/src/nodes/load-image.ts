/** Load Image: a picture from `input/` → IMAGE (one frame, its own size). Non-images fail validation, before any model loads. */
import { defineNode } from '@piagraph/graph-core';
import { probeImage } from '../image/index.js';
import { loadAlphaMask } from '../image/load-mask.js';
import { loadImageFrames } from '../pipeline/condition-image.js';
import { fileStamp, resolveInside } from '../pipeline/model-folders.js';
import type { PackContext } from './pack-context.js';

/** The `LoadImage` node (ComfyUI's name and upload widget; IMAGE here is planar `[1, 3, H, W]`). */
export function loadImageNode(pack: PackContext) {
  const pathOf = (name: string) => resolveInside(pack.settings.inputDir, name, 'image');
  return defineNode({
    classType: 'LoadImage',
    displayName: 'Load Image',
    category: 'image',
    description: 'Loads an image from the input folder (EXIF orientation applied, transparency dropped) at its own size.',
    inputs: {
      required: {
        image: { type: 'COMBO', options: () => pack.inputImages(), image_upload: true, image_folder: 'input' },
      },
    },
    outputs: [{ type: 'IMAGE' }, { type: 'MASK', tooltip: '1 − alpha: transparent pixels are masked (64×64 zeros without alpha), as in ComfyUI.' }],
    async fingerprint(literals) {
      const name = String(literals['image']);
      await pack.prepareImage(name);
      return fileStamp(pathOf(name));
    },
    async validate(literals) {
      const name = String(literals['image']);
      let path: string;
      try {
        path = pathOf(name);
      } catch (error) {
        return [{ input: 'image', message: (error as Error).message }];
      }
      await pack.prepareImage(name);
      const probe = await probeImage(path, name);
      return probe.ok ? [] : [{ input: 'image', message: probe.error.message }];
    },
    async run({ image }) {
      await pack.prepareImage(image);
      const frames = await loadImageFrames(pathOf(image), image);
      const mask = await loadAlphaMask(pathOf(image), image);
      return { outputs: [frames, mask], sizeBytes: frames.data.byteLength + mask.data.byteLength };
    },
  });
}
