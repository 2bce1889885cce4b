/**
 * Load Images (`VHS_LoadImages`: a folder in `input/`) and Load Images (Path) (`VHS_LoadImagesPath`): every image of a
 * folder, sorted by name, as one IMAGE batch (after skip_first_images, every select_every_nth-th, up to image_load_cap).
 * Images of another size than the most common one are resized to it (lanczos, centre crop); alpha becomes the MASK
 * (1 − alpha), as VHS gives it.
 */
import { readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { extname, join } from 'node:path';
import { defineNode } from '@piagraph/graph-core';
import sharp from 'sharp';
import { fileStamp, resolveInside } from '../../pipeline/model-folders.js';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import type { ImageValue, MaskValue } from '../socket-values.js';
import { lanczosFrame, rgbFramesToImage } from './frames.js';
import { VHS_CATEGORY } from './load-video.js';
import { dataPath } from './paths.js';

/** The extensions ComfyUI's `FolderOfImages` reads. */
const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];
const BIG = Number.MAX_SAFE_INTEGER;

const OPTIONAL = {
  image_load_cap: { type: 'INT', default: 0, min: 0, max: BIG, step: 1 },
  skip_first_images: { type: 'INT', default: 0, min: 0, max: BIG, step: 1 },
  select_every_nth: { type: 'INT', default: 1, min: 1, max: BIG, step: 1 },
  meta_batch: { type: 'VHS_BatchManager' },
} as const;

const OUTPUTS = [
  { type: 'IMAGE', name: 'IMAGE' },
  { type: 'MASK', name: 'MASK' },
  { type: 'INT', name: 'frame_count' },
] as const;

interface Selection {
  readonly cap: number;
  readonly skip: number;
  readonly nth: number;
}

/** The files VHS picks from `dir`, in order. */
function pickFiles(dir: string, s: Selection, input: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new PipelineError('model-not-found', `${input}: folder "${dir}" cannot be found`, {}, input);
  }
  const files = names.map((n) => join(dir, n)).filter((p) => statSync(p).isFile() && IMAGE_EXTENSIONS.includes(extname(p).toLowerCase()));
  const picked = files.slice(s.skip).filter((_, i) => i % s.nth === 0);
  return s.cap > 0 ? picked.slice(0, s.cap) : picked;
}

/** Loads the picked images as VHS does. */
async function loadFolder(dir: string, s: Selection, input: string): Promise<[ImageValue, MaskValue, number]> {
  const files = pickFiles(dir, s, input);
  if (files.length === 0) throw new PipelineError('bad-option', `${input}: no images to load in "${dir}"`, {}, input);
  const decoded = await Promise.all(
    files.map(async (file) => {
      const { data, info } = await sharp(file).rotate().raw().toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, channels: info.channels, file };
    }),
  );
  // The most common size, the first one met on a tie (Python's max over a dict in insertion order).
  const counts = new Map<string, number>();
  for (const d of decoded) counts.set(`${d.width}x${d.height}`, (counts.get(`${d.width}x${d.height}`) ?? 0) + 1);
  let best = '';
  for (const [size, n] of counts) if (!best || n > counts.get(best)!) best = size;
  const [width, height] = best.split('x').map(Number) as [number, number];
  const alpha = decoded.some((d) => d.channels === 4 || d.channels === 2);
  const rgb: Uint8Array[] = [];
  const masks = alpha ? new Float32Array(files.length * width * height) : new Float32Array(files.length * 64 * 64);
  for (const [i, d] of decoded.entries()) {
    const pixels = d.width * d.height;
    const three = new Uint8Array(pixels * 3);
    const a = new Uint8Array(pixels).fill(255);
    for (let p = 0; p < pixels; p++) {
      const gray = d.channels <= 2;
      for (let c = 0; c < 3; c++) three[p * 3 + c] = d.data[p * d.channels + (gray ? 0 : c)]!;
      if (d.channels === 4 || d.channels === 2) a[p] = d.data[p * d.channels + d.channels - 1]!;
    }
    rgb.push(await lanczosFrame(three, d.width, d.height, width, height));
    if (alpha) {
      const sized = d.width === width && d.height === height ? a : (await lanczosFrame(grayToRgb(a), d.width, d.height, width, height)).filter((_, k) => k % 3 === 0);
      for (let p = 0; p < width * height; p++) masks[i * width * height + p] = 1 - sized[p]! / 255;
    }
  }
  const image = rgbFramesToImage(rgb, width, height, input);
  const mask: MaskValue = alpha ? { data: masks, dims: [files.length, height, width] } : { data: masks, dims: [files.length, 64, 64] };
  return [image, mask, files.length];
}

function grayToRgb(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length * 3);
  for (let i = 0; i < a.length; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = a[i]!;
  return out;
}

/** Stamps of the picked files, so a changed folder re-runs the node. */
function folderStamp(dir: string, s: Selection): string {
  try {
    const hash = createHash('sha256');
    for (const f of pickFiles(dir, s, 'directory')) hash.update(`${f}:${fileStamp(f)}\n`);
    return hash.digest('hex');
  } catch {
    return 'missing';
  }
}

const selectionOf = (inputs: { image_load_cap?: number | undefined; skip_first_images?: number | undefined; select_every_nth?: number | undefined }): Selection => ({
  cap: inputs.image_load_cap ?? 0,
  skip: inputs.skip_first_images ?? 0,
  nth: inputs.select_every_nth ?? 1,
});

function refuseMetaBatch(metaBatch: unknown): void {
  if (metaBatch !== undefined) throw new PipelineError('unsupported', 'meta_batch (VHS_BatchManager) is not supported', {}, 'meta_batch');
}

/** Folders directly in `input/` (ComfyUI's `clipspace` left out). */
function inputFolders(inputDir: string): string[] {
  try {
    return readdirSync(inputDir)
      .filter((n) => n !== 'clipspace' && statSync(join(inputDir, n)).isDirectory())
      .sort();
  } catch {
    return [];
  }
}

/** The `VHS_LoadImages` node. */
export function loadImagesNode(pack: PackContext) {
  return defineNode({
    classType: 'VHS_LoadImages',
    displayName: 'Load Images (Upload) 🎥🅥🅗🅢',
    category: VHS_CATEGORY,
    description: 'Loads the images of a folder in the input folder, sorted by name, as one batch of frames.',
    inputs: {
      required: { directory: { type: 'COMBO', options: () => inputFolders(pack.settings.inputDir) } },
      optional: OPTIONAL,
    },
    outputs: OUTPUTS,
    fingerprint: (literals) => folderStamp(join(pack.settings.inputDir, String(literals['directory'])), selectionOf(literals as Record<string, number>)),
    async run(inputs) {
      refuseMetaBatch(inputs.meta_batch);
      const dir = resolveInside(pack.settings.inputDir, inputs.directory, 'directory');
      const outputs = await loadFolder(dir, selectionOf(inputs), 'directory');
      return { outputs, sizeBytes: outputs[0].data.byteLength };
    },
  });
}

/** The `VHS_LoadImagesPath` node. */
export function loadImagesPathNode(pack: PackContext) {
  return defineNode({
    classType: 'VHS_LoadImagesPath',
    displayName: 'Load Images (Path) 🎥🅥🅗🅢',
    category: VHS_CATEGORY,
    description: 'Loads the images of a folder by path (inside the input, output or temp folders; relative paths are in input/).',
    inputs: {
      required: { directory: { type: 'STRING', default: '', placeholder: 'X://path/to/images' } },
      optional: OPTIONAL,
    },
    outputs: OUTPUTS,
    fingerprint: (literals) => {
      try {
        return folderStamp(dataPath(pack, String(literals['directory']), 'directory'), selectionOf(literals as Record<string, number>));
      } catch {
        return 'invalid';
      }
    },
    async run(inputs) {
      refuseMetaBatch(inputs.meta_batch);
      const outputs = await loadFolder(dataPath(pack, inputs.directory, 'directory'), selectionOf(inputs), 'directory');
      return { outputs, sizeBytes: outputs[0].data.byteLength };
    },
  });
}
