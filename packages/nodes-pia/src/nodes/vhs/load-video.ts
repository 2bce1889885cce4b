/**
 * Load Video (`VHS_LoadVideo`, a file in `input/`) and Load Video (Path) (`VHS_LoadVideoPath`): frames decoded with
 * ffmpeg and chosen by VHS's rules (force_rate, skip_first_frames, select_every_nth, frame_load_cap), resized to the
 * custom size or the format's size multiple (lanczos, centre crop), plus the frame count, the audio's place and the
 * video info. With a meta batch (`VHS_BatchManager`), each run of the graph loads the next `frames_per_batch` frames.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { defineNode, type RunContext } from '@piagraph/graph-core';
import { fileStamp, resolveInside } from '../../pipeline/model-folders.js';
import { PipelineError } from '../../pipeline/errors.js';
import { decodeVideo, VideoFrameReader } from '../../video/frame-reader.js';
import { probeVideo, VHS_LOAD_FORMATS, vhsTargetSize, type FrameSelection, type VhsLoadFormat, type VideoProbe } from '../../video/load-video.js';
import type { PackContext } from '../pack-context.js';
import type { ImageValue, VaeValue } from '../socket-values.js';
import { lanczosFrame, rgbFramesToImage } from './frames.js';
import { dataPath } from './paths.js';
import { metaBatchPasses, type MetaBatch, type OpenSource } from './meta-batch.js';
import type { AudioFileValue, VideoInfoValue } from './values.js';

/** VHS's video extensions. */
export const VIDEO_EXTENSIONS = ['webm', 'mp4', 'mkv', 'gif', 'mov'];
const BIG = Number.MAX_SAFE_INTEGER;
/** VHS's DIMMAX. */
const DIMMAX = 8192;
export const VHS_CATEGORY = 'Video Helper Suite 🎥🅥🅗🅢';

/** Videos directly in `input/`, sorted. */
function inputVideos(inputDir: string): string[] {
  try {
    return readdirSync(inputDir)
      .filter((f) => VIDEO_EXTENSIONS.includes(extname(f).slice(1).toLowerCase()) && statSync(join(inputDir, f)).isFile())
      .sort();
  } catch {
    return [];
  }
}

/** The loading widgets both nodes share, in VHS's order. */
const LOAD_INPUTS = {
  force_rate: { type: 'FLOAT', default: 0, min: 0, max: 60, step: 1, tooltip: 'Frames per second to resample to; 0 keeps the video\'s.' },
  custom_width: { type: 'INT', default: 0, min: 0, max: DIMMAX },
  custom_height: { type: 'INT', default: 0, min: 0, max: DIMMAX },
  frame_load_cap: { type: 'INT', default: 0, min: 0, max: BIG, step: 1, tooltip: 'At most this many frames (0: all).' },
  skip_first_frames: { type: 'INT', default: 0, min: 0, max: BIG, step: 1 },
  select_every_nth: { type: 'INT', default: 1, min: 1, max: BIG, step: 1 },
} as const;

const OPTIONAL = {
  meta_batch: { type: 'VHS_BatchManager' },
  vae: { type: 'VAE' },
  format: { type: 'COMBO', options: Object.keys(VHS_LOAD_FORMATS) as VhsLoadFormat[], default: 'AnimateDiff' as VhsLoadFormat },
} as const;

const OUTPUTS = [
  { type: 'IMAGE', name: 'IMAGE' },
  { type: 'INT', name: 'frame_count' },
  { type: 'AUDIO', name: 'audio' },
  { type: 'VHS_VIDEOINFO', name: 'video_info' },
] as const;

interface LoadRequest {
  readonly forceRate: number;
  readonly customWidth: number;
  readonly customHeight: number;
  readonly frameLoadCap: number;
  readonly skipFirstFrames: number;
  readonly selectEveryNth: number;
  readonly format: VhsLoadFormat;
  readonly vae?: VaeValue;
  readonly metaBatch?: MetaBatch;
}

type LoadOutputs = [ImageValue, number, AudioFileValue, VideoInfoValue];

/** What loading a video needs besides the frames: its facts, the loaded size and the format's frame rule. */
interface VideoLayout {
  readonly file: string;
  readonly probe: VideoProbe;
  readonly size: { width: number; height: number };
  readonly frameRule: readonly [number, number] | undefined;
}

async function videoLayout(file: string, request: LoadRequest, input: string): Promise<VideoLayout> {
  const probe = await probeVideo(file, input);
  const format: { multiple?: number; frames?: readonly [number, number] } = VHS_LOAD_FORMATS[request.format] ?? {};
  const size = vhsTargetSize(probe.width, probe.height, request.customWidth, request.customHeight, format.multiple ?? 1);
  return { file, probe, size, frameRule: format.frames };
}

const selectionOf = (request: LoadRequest): FrameSelection => ({
  forceRate: request.forceRate,
  skipFirstFrames: request.skipFirstFrames,
  selectEveryNth: request.selectEveryNth,
  frameLoadCap: request.frameLoadCap,
});

/**
 * Decoded frames resized to the layout's size, and cut to the format's frame rule (count ≡ mod (mod div)) as VHS
 * cuts them, with the other outputs: the count, the audio's place and the video info.
 */
async function loadOutputs(raw: readonly Uint8Array[], layout: VideoLayout, request: LoadRequest, input: string): Promise<LoadOutputs> {
  const { probe, size, frameRule } = layout;
  let frames = await Promise.all(raw.map((rgb) => lanczosFrame(rgb, probe.width, probe.height, size.width, size.height)));
  if (frameRule && frames.length % frameRule[0] !== frameRule[1]) {
    const [div, mod] = frameRule;
    frames = frames.slice(0, Math.floor((frames.length - mod) / div) * div + mod);
  }
  const image = rgbFramesToImage(frames, size.width, size.height, input);
  const targetFrameTime = request.forceRate === 0 ? 1 / probe.fps : 1 / request.forceRate;
  const loadedFrameTime = targetFrameTime * request.selectEveryNth;
  const count = frames.length;
  const audio: AudioFileValue = { kind: 'audio-file', path: layout.file, start: request.skipFirstFrames * targetFrameTime, duration: request.frameLoadCap * loadedFrameTime };
  const info: VideoInfoValue = {
    source_fps: probe.fps,
    source_frame_count: probe.frameCount,
    source_duration: probe.duration,
    source_width: probe.width,
    source_height: probe.height,
    loaded_fps: 1 / loadedFrameTime,
    loaded_frame_count: count,
    loaded_duration: count * loadedFrameTime,
    loaded_width: size.width,
    loaded_height: size.height,
  };
  return [image, count, audio, info];
}

function noFrames(file: string, input: string): PipelineError {
  return new PipelineError('bad-option', `no frames were loaded from "${file}" (skip_first_frames, select_every_nth or force_rate left none)`, {}, input);
}

/** Loads `file` as VHS does, all selected frames at once, or the next chunk with a meta batch; `input` names the video widget in errors. */
async function loadVideo(file: string, request: LoadRequest, input: string, ctx: RunContext): Promise<LoadOutputs> {
  if (request.vae) throw new PipelineError('unsupported', 'loading straight to latents (vae) is not supported; connect a VAE Encode after the frames', {}, 'vae');
  if (request.metaBatch) return loadVideoChunk(file, request, request.metaBatch, input, ctx);
  const layout = await videoLayout(file, request, input);
  const raw: Uint8Array[] = [];
  await decodeVideo(file, layout.probe, selectionOf(request), (rgb) => raw.push(rgb), input, ctx.signal);
  if (raw.length === 0) throw noFrames(file, input);
  return loadOutputs(raw, layout, request, input);
}

/** A loader's decoder kept open in its meta batch between passes. */
interface VideoChunkSource extends OpenSource {
  readonly layout: VideoLayout;
  readonly reader: VideoFrameReader;
  /** Frames handed out so far. */
  delivered: number;
  /** How many frames the selection should give in all (from the container's count: an estimate, for progress). */
  readonly expected: number;
}

/** VHS's rule: with a frame-count format, every chunk but the last must already have a suitable length. */
function checkChunkLength(perBatch: number, request: LoadRequest, rule: readonly [number, number] | undefined): void {
  if (!rule || perBatch % rule[0] === rule[1]) return;
  const [div, mod] = rule;
  const below = perBatch - ((((perBatch - mod) % div) + div) % div);
  const suggestion = below >= 1 && perBatch - below <= div / 2 ? below : below + div;
  throw new PipelineError(
    'bad-option',
    `meta_batch: frames_per_batch ${perBatch} does not suit format ${request.format}, whose frame counts are ${div}·n + ${mod}; try ${suggestion}`,
    {},
    'meta_batch',
  );
}

/** How many frames `selection` should give from `probe` (the container's frame count can be an estimate). */
function expectedFrames(probe: VideoProbe, request: LoadRequest): number {
  const rated = request.forceRate === 0 ? probe.frameCount : Math.floor((probe.frameCount / probe.fps) * request.forceRate);
  const picked = Math.ceil(Math.max(0, rated - request.skipFirstFrames) / request.selectEveryNth);
  return request.frameLoadCap > 0 ? Math.min(picked, request.frameLoadCap) : picked;
}

/**
 * The next `frames_per_batch` frames of `file` for this pass of a meta batch: the decoder opens in the first pass
 * and stays open in the batch, so memory holds one chunk however long the video. Asks for another pass while frames
 * remain.
 */
async function loadVideoChunk(file: string, request: LoadRequest, batch: MetaBatch, input: string, ctx: RunContext): Promise<LoadOutputs> {
  const passes = metaBatchPasses(ctx);
  const source = await batch.source<VideoChunkSource>(passes.index, ctx.nodeId, async () => {
    const layout = await videoLayout(file, request, input);
    checkChunkLength(batch.framesPerBatch, request, layout.frameRule);
    const reader = new VideoFrameReader(file, layout.probe, selectionOf(request), input);
    return { layout, reader, delivered: 0, expected: expectedFrames(layout.probe, request), close: () => reader.close() };
  });
  const { frames: raw, more } = await source.reader.take(batch.framesPerBatch, ctx.signal);
  if (raw.length === 0) throw noFrames(file, input);
  const outputs = await loadOutputs(raw, source.layout, request, input);
  batch.report(passes.index, ctx.nodeId, outputs[1], more);
  if (more) passes.again();
  source.delivered += outputs[1];
  ctx.progress(source.delivered, Math.max(source.expected, source.delivered + (more ? 1 : 0)));
  ctx.text(`batch ${passes.index + 1}: frames ${source.delivered - outputs[1] + 1}–${source.delivered}${more ? '' : ' (last)'}`);
  return outputs;
}

function requestOf(inputs: {
  force_rate: number;
  custom_width: number;
  custom_height: number;
  frame_load_cap: number;
  skip_first_frames: number;
  select_every_nth: number;
  format?: VhsLoadFormat | undefined;
  vae?: VaeValue | undefined;
  meta_batch?: MetaBatch | undefined;
}): LoadRequest {
  return {
    forceRate: inputs.force_rate,
    customWidth: inputs.custom_width,
    customHeight: inputs.custom_height,
    frameLoadCap: inputs.frame_load_cap,
    skipFirstFrames: inputs.skip_first_frames,
    selectEveryNth: inputs.select_every_nth,
    // Older workflows without the format widget load at the video's own size, as VHS does.
    format: inputs.format ?? 'None',
    ...(inputs.vae ? { vae: inputs.vae } : {}),
    ...(inputs.meta_batch ? { metaBatch: inputs.meta_batch } : {}),
  };
}

/** The `VHS_LoadVideo` node. */
export function loadVideoNode(pack: PackContext) {
  return defineNode({
    classType: 'VHS_LoadVideo',
    displayName: 'Load Video (Upload) 🎥🅥🅗🅢',
    category: VHS_CATEGORY,
    description: 'Loads frames of a video in the input folder (webm, mp4, mkv, gif, mov) with ffmpeg.',
    inputs: {
      required: {
        video: { type: 'COMBO', options: () => inputVideos(pack.settings.inputDir) },
        ...LOAD_INPUTS,
      },
      optional: OPTIONAL,
    },
    outputs: OUTPUTS,
    fingerprint: (literals) => fileStamp(join(pack.settings.inputDir, String(literals['video']))),
    async run(inputs, ctx) {
      const file = resolveInside(pack.settings.inputDir, inputs.video, 'video');
      if (fileStamp(file) === 'missing') throw new PipelineError('model-not-found', `video "${inputs.video}" is not in ${pack.settings.inputDir}`, {}, 'video');
      const outputs = await loadVideo(file, requestOf(inputs), 'video', ctx);
      return { outputs, sizeBytes: outputs[0].data.byteLength };
    },
  });
}

/** The `VHS_LoadVideoPath` node. */
export function loadVideoPathNode(pack: PackContext) {
  return defineNode({
    classType: 'VHS_LoadVideoPath',
    displayName: 'Load Video (Path) 🎥🅥🅗🅢',
    category: VHS_CATEGORY,
    description: 'Loads frames of a video by path (inside the input, output or temp folders; relative paths are in input/).',
    inputs: {
      required: {
        video: { type: 'STRING', default: '', placeholder: 'X://insert/path/here.mp4' },
        ...LOAD_INPUTS,
      },
      optional: OPTIONAL,
    },
    outputs: OUTPUTS,
    fingerprint: (literals) => {
      try {
        return fileStamp(dataPath(pack, String(literals['video']), 'video'));
      } catch {
        return 'invalid';
      }
    },
    async run(inputs, ctx) {
      const file = dataPath(pack, inputs.video, 'video');
      if (fileStamp(file) === 'missing') throw new PipelineError('model-not-found', `video: "${file}" does not exist`, {}, 'video');
      const outputs = await loadVideo(file, requestOf(inputs), 'video', ctx);
      return { outputs, sizeBytes: outputs[0].data.byteLength };
    },
  });
}
