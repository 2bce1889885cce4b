/**
 * Save Video: IMAGE frames → a GIF/WebP/MP4/WebM file (or PNG sequence) in `output/` (or `temp/`), returned in
 * ComfyUI's shapes: `images` + `animated: [true]` for the core frontend and clients, `gifs` as VideoHelperSuite's
 * Video Combine reports it. Also registered as `VHS_VideoCombine` for imported ComfyUI workflows, with VHS's
 * `meta_batch` input besides (meta-batching: one MP4/WebM written a chunk per run of the graph).
 */
import { basename } from 'node:path';
import { defineNode, type ExtraData, type FileRef, type ReadonlyApiPrompt } from '@piagraph/graph-core';
import { outputPrefixProblem, saveVideo, type OutputMetadata, type SaveVideoOptions, type VideoFormat } from '../video/index.js';
import { appendChunk } from './vhs/combine-chunks.js';
import type { PackContext } from './pack-context.js';

/**
 * What the file embeds, from the run's context as ComfyUI's hidden `PROMPT` and `EXTRA_PNGINFO` inputs give it: the
 * API prompt, and from `extra_pnginfo` the UI workflow (`workflow`) and the piagraph graph document (`piagraph`)
 * that the host put there. Dropping the file into the editor restores the graph from them.
 */
export function embeddedMetadata(prompt: ReadonlyApiPrompt, extraData: ExtraData): OutputMetadata {
  const metadata: OutputMetadata = { prompt: JSON.stringify(prompt) };
  const info = extraData['extra_pnginfo'];
  if (info === null || typeof info !== 'object' || Array.isArray(info)) return metadata;
  const { workflow, piagraph } = info as Record<string, unknown>;
  if (workflow !== undefined && workflow !== null) metadata.workflow = JSON.stringify(workflow);
  if (piagraph !== undefined && piagraph !== null) metadata.graph = JSON.stringify(piagraph);
  return metadata;
}

/** One file of the result, as ComfyUI's UI dict lists it. */
export function videoFileRefs(saved: { filename: string; subfolder: string; files: readonly string[] }, type: 'output' | 'temp'): FileRef[] {
  return saved.files.map((f) => basename(f)).map((filename) => ({ filename, subfolder: saved.subfolder, type }));
}

/** The Save Video node under `classType`, with `prefix` as the default filename prefix. */
export function saveVideoNode(pack: PackContext, classType = 'PIASaveVideo', prefix = 'piagraph') {
  return defineNode({
    classType,
    displayName: classType === 'PIASaveVideo' ? 'Save Video' : 'Video Combine',
    category: 'pia/video',
    description:
      'Writes the frames as an animation. loop_count: GIF/WebP loop field (0 = forever); MP4/WebM: extra repeats of the ' +
      'clip (0 = play once). The prompt is embedded in the file, and the workflow or graph document when the host passes one.',
    outputNode: true,
    inputs: {
      required: {
        images: { type: 'IMAGE' },
        frame_rate: { type: 'FLOAT', default: 8, min: 1, max: 120, step: 1, tooltip: 'Frames per second (PIA saves at 8).' },
        loop_count: { type: 'INT', default: 0, min: 0, max: 100 },
        filename_prefix: { type: 'STRING', default: prefix, tooltip: 'May contain subfolders; files are {prefix}_{counter:05}_.{ext}.' },
        format: { type: 'COMBO', options: () => pack.videoFormats(), default: 'image/gif' },
        pingpong: { type: 'BOOLEAN', default: false, tooltip: 'Append the frames reversed (without repeating the ends).' },
        save_output: { type: 'BOOLEAN', default: true, tooltip: 'true: output folder; false: temp folder (previews).' },
      },
      optional: {
        crf: { type: 'INT', default: 19, min: 0, max: 63, tooltip: 'MP4 (≤ 51) / WebM quality; lower is better.' },
        lossless: { type: 'BOOLEAN', default: false, tooltip: 'WebP: lossless.' },
        // VHS's meta-batching: each run of the graph appends its chunk of frames to one MP4/WebM.
        ...(classType === 'VHS_VideoCombine' ? { meta_batch: { type: 'VHS_BatchManager' } as const } : {}),
      },
    },
    outputs: [],
    async validate(literals) {
      const issues: { input: string; message: string }[] = [];
      // A prefix that can never be saved is refused before the prompt is queued, not after the frames are made.
      const prefix = literals['filename_prefix'];
      const prefixProblem = typeof prefix === 'string' ? outputPrefixProblem(prefix) : undefined;
      if (prefixProblem) issues.push({ input: 'filename_prefix', message: prefixProblem });
      const available = await pack.formatsReady;
      const format = String(literals['format']);
      if (!available.includes(format as VideoFormat)) {
        issues.push({ input: 'format', message: `${format} cannot be written here (ffmpeg or its encoder is missing); available: ${available.join(', ')}` });
      }
      return issues;
    },
    async run(inputs, ctx) {
      const type = inputs.save_output ? 'output' : 'temp';
      const metadata = embeddedMetadata(ctx.prompt, ctx.extraData);
      const format = inputs.format as VideoFormat;
      const crf = inputs.crf === undefined ? undefined : format === 'video/h264-mp4' ? Math.min(inputs.crf, 51) : inputs.crf;
      const options: SaveVideoOptions = {
        outputDir: inputs.save_output ? pack.settings.outputDir : pack.settings.tempDir,
        filenamePrefix: inputs.filename_prefix,
        format,
        frameRate: inputs.frame_rate,
        loopCount: inputs.loop_count,
        pingpong: inputs.pingpong,
        ...(crf !== undefined && (format === 'video/h264-mp4' || format === 'video/webm') ? { crf } : {}),
        ...(inputs.lossless !== undefined ? { lossless: inputs.lossless } : {}),
        metadata,
      };
      const saved = inputs.meta_batch ? await appendChunk(inputs.meta_batch, inputs.images, options, ctx) : await saveVideo(inputs.images, options);
      // A meta batch's earlier chunks: the file is not finished, so there is nothing to show yet.
      if (!saved) return { outputs: [] };
      const files = videoFileRefs(saved, type);
      const gif: FileRef = { filename: saved.filename, subfolder: saved.subfolder, type, format, frame_rate: inputs.frame_rate };
      return {
        outputs: [],
        ui: {
          images: files,
          animated: [true],
          gifs: [{ ...gif, frame_count: saved.frameCount, width: saved.width, height: saved.height }],
        },
      };
    },
  });
}
