/**
 * Load Images (`VHS_LoadImages`: a folder in `input/`) and Load Images (Path) (`VHS_LoadImagesPath`): every image of a
 * folder, sorted by name, as one IMAGE batch (after skip_first_images, every select_every_nth-th, up to image_load_cap).
 * Images of another size than the most common one are resized to it (lanczos, centre crop); alpha becomes the MASK
 * (1 − alpha), as VHS gives it. With a meta batch, each run of the graph loads the next `frames_per_batch` images.
 */
import { readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { extname, join } from 'node:path';
import { defineNode, type RunContext } from '@piagraph/graph-core';
import sharp from 'sharp';
import { fileStamp, resolveInside } from '../../pipeline/model-folders.js';
import { PipelineError } from '../../pipeline/errors.js';
import type { PackContext } from '../pack-context.js';
import type { ImageValue, MaskValue } from '../socket-values.js';
import { lanczosFrame, rgbFramesToImage } from './frames.js';
import { VHS_CATEGORY } from './load-video.js';
import { metaBatchPasses, type MetaBatch, type OpenSource } from './meta-batch.js';
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

type LoadOutputs = [ImageValue, MaskValue, number];

/** The size every image is loaded at (the most common one) and whether any has alpha (then the MASK is its inverse). */
interface FolderLayout {
  readonly width: number;
  readonly height: number;
  readonly alpha: boolean;
}

/** The layout of `files`, from their headers (sizes as displayed, after EXIF rotation). */
async function folderLayout(files: readonly string[]): Promise<FolderLayout> {
  const headers = await Promise.all(files.map((file) => sharp(file).metadata()));
  // The most common size, the first one met on a tie (Python's max over a dict in insertion order).
  const counts = new Map<string, number>();
  for (const { autoOrient } of headers) counts.set(`${autoOrient.width}x${autoOrient.height}`, (counts.get(`${autoOrient.width}x${autoOrient.height}`) ?? 0) + 1);
  let best = '';
  for (const [size, n] of counts) if (!best || n > counts.get(best)!) best = size;
  const [width, height] = best.split('x').map(Number) as [number, number];
  return { width, height, alpha: headers.some((h) => h.hasAlpha) };
}

/** Loads `files` at the layout's size, as VHS does. */
async function loadFiles(files: readonly string[], layout: FolderLayout, input: string): Promise<LoadOutputs> {
  const { width, height, alpha } = layout;
  const decoded = await Promise.all(
    files.map(async (file) => {
      const { data, info } = await sharp(file).rotate().raw().toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, channels: info.channels, file };
    }),
  );
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

function noImages(dir: string, input: string): PipelineError {
  return new PipelineError('bad-option', `${input}: no images to load in "${dir}"`, {}, input);
}

/** Loads the picked images as VHS does: all at once, or the next chunk with a meta batch. */
async function loadFolder(dir: string, s: Selection, input: string, metaBatch: MetaBatch | undefined, ctx: RunContext): Promise<LoadOutputs> {
  if (metaBatch) return loadFolderChunk(dir, s, input, metaBatch, ctx);
  const files = pickFiles(dir, s, input);
  if (files.length === 0) throw noImages(dir, input);
  return loadFiles(files, await folderLayout(files), input);
}

/** A loader's place in its folder, kept in its meta batch between passes. */
interface FolderChunkSource extends OpenSource {
  readonly files: readonly string[];
  readonly layout: FolderLayout;
  next: number;
}

/**
 * The next `frames_per_batch` images for this pass of a meta batch. The file list and the size (which needs every
 * image's header) are worked out in the first pass; each pass decodes only its own chunk. Asks for another pass while
 * images remain.
 */
async function loadFolderChunk(dir: string, s: Selection, input: string, batch: MetaBatch, ctx: RunContext): Promise<LoadOutputs> {
  const passes = metaBatchPasses(ctx);
  const source = await batch.source<FolderChunkSource>(passes.index, ctx.nodeId, async () => {
    const files = pickFiles(dir, s, input);
    if (files.length === 0) throw noImages(dir, input);
    return { files, layout: await folderLayout(files), next: 0, close: async () => undefined };
  });
  const chunk = source.files.slice(source.next, source.next + batch.framesPerBatch);
  const outputs = await loadFiles(chunk, source.layout, input);
  source.next += chunk.length;
  const more = source.next < source.files.length;
  batch.report(passes.index, ctx.nodeId, chunk.length, more);
  if (more) passes.again();
  ctx.progress(source.next, source.files.length);
  return outputs;
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
    async run(inputs, ctx) {
      const dir = resolveInside(pack.settings.inputDir, inputs.directory, 'directory');
      const outputs = await loadFolder(dir, selectionOf(inputs), 'directory', inputs.meta_batch, ctx);
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
    async run(inputs, ctx) {
      const outputs = await loadFolder(dataPath(pack, inputs.directory, 'directory'), selectionOf(inputs), 'directory', inputs.meta_batch, ctx);
      return { outputs, sizeBytes: outputs[0].data.byteLength };
    },
  });
}
