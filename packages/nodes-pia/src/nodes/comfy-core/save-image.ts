/**
 * Save Image (`SaveImage`) and Preview Image (`PreviewImage`): each image of the batch as a PNG named
 * `{prefix}_{counter:05}_.png` (ComfyUI's naming and counter rule), with the API prompt and the workflow (or
 * piagraph graph document) in tEXt chunks, so dropping the PNG on the editor (or on ComfyUI) restores the graph.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { defineNode, type ExtraData, type FileRef, type ReadonlyApiPrompt } from '@piagraph/graph-core';
import { floatFrameToRgb8 } from '../../image/pixels.js';
import { encodePngFrame, metadataEntries, outputPrefixProblem, reserveOutputFiles } from '../../video/index.js';
import type { PackContext } from '../pack-context.js';
import { embeddedMetadata } from '../save-video.js';
import type { ImageValue } from '../socket-values.js';

/** Writes every image of the batch; returns ComfyUI's UI entries. */
async function saveImages(
  images: ImageValue,
  folder: string,
  prefix: string,
  type: 'output' | 'temp',
  embed: { prompt: ReadonlyApiPrompt; extraData: ExtraData } | undefined,
): Promise<FileRef[]> {
  const [n, , height, width] = images.dims;
  const metadata = embed ? metadataEntries(embeddedMetadata(embed.prompt, embed.extraData)) : [];
  const reserved = await reserveOutputFiles(folder, prefix, 'png', n);
  const refs: FileRef[] = [];
  for (let i = 0; i < n; i++) {
    const file = reserved[i]!;
    await writeFile(file.path, await encodePngFrame(floatFrameToRgb8(images, i), width, height, metadata));
    refs.push({ filename: file.filename, subfolder: file.subfolder, type });
  }
  return refs;
}

/** The `SaveImage` node. */
export function saveImageNode(pack: PackContext) {
  return defineNode({
    classType: 'SaveImage',
    displayName: 'Save Image',
    category: 'image',
    description: 'Saves the input images to your output directory, with the prompt and workflow embedded.',
    outputNode: true,
    inputs: {
      required: {
        images: { type: 'IMAGE', tooltip: 'The images to save.' },
        filename_prefix: {
          type: 'STRING',
          default: 'ComfyUI',
          tooltip: 'The prefix for the file to save; may contain subfolders (e.g. "portraits/run").',
        },
      },
    },
    outputs: [],
    validate(literals) {
      // A prefix that can never be saved is refused before the prompt is queued, not after the pictures are made.
      const prefix = literals['filename_prefix'];
      const problem = typeof prefix === 'string' ? outputPrefixProblem(prefix) : undefined;
      return problem ? [{ input: 'filename_prefix', message: problem }] : [];
    },
    async run({ images, filename_prefix }, ctx) {
      const refs = await saveImages(images, pack.settings.outputDir, filename_prefix, 'output', { prompt: ctx.prompt, extraData: ctx.extraData });
      return { outputs: [], ui: { images: refs } };
    },
  });
}

/** The `PreviewImage` node: like Save Image, into `temp/` under a random prefix (cleared when the server starts). */
export function previewImageNode(pack: PackContext) {
  return defineNode({
    classType: 'PreviewImage',
    displayName: 'Preview Image',
    category: 'image',
    description: 'Saves the input images to the temporary directory, to be shown in the editor.',
    outputNode: true,
    inputs: {
      required: {
        images: { type: 'IMAGE' },
      },
    },
    outputs: [],
    async run({ images }, ctx) {
      // ComfyUI's temp prefix: "ComfyUI_temp_" and five random lowercase letters.
      const suffix = Array.from(randomBytes(5), (b) => String.fromCharCode(97 + (b % 26))).join('');
      const refs = await saveImages(images, pack.settings.tempDir, `ComfyUI_temp_${suffix}`, 'temp', { prompt: ctx.prompt, extraData: ctx.extraData });
      return { outputs: [], ui: { images: refs } };
    },
  });
}
