/**
 * Load Video (`VHS_LoadVideo`, a file in `input/`) and Load Video (Path) (`VHS_LoadVideoPath`): frames decoded with
 * ffmpeg and chosen by VHS's rules (force_rate, skip_first_frames, select_every_nth, frame_load_cap), resized to the
 * custom size or the format's size multiple (lanczos, centre crop), plus the frame count, the audio's place and the
 * video info.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { defineNode } from '@piagraph/graph-core';
import { fileStamp, resolveInside } from '../../pipeline/model-folders.js';
import { PipelineError } from '../../pipeline/errors.js';
import { decodeVideo } from '../../video/frame-reader.js';
import { probeVideo, VHS_LOAD_FORMATS, vhsTargetSize, type VhsLoadFormat } from '../../video/load-video.js';
import type { PackContext } from '../pack-context.js';
import type { ImageValue, VaeValue } from '../socket-values.js';
import { lanczosFrame, rgbFramesToImage } from './frames.js';
import { dataPath } from './paths.js';
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
  readonly metaBatch?: unknown;
}

/** Loads `file` as VHS does; `input` names the video widget in errors. */
async function loadVideo(file: string, request: LoadRequest, input: string, signal: AbortSignal): Promise<[ImageValue, number, AudioFileValue, VideoInfoValue]> {
  if (request.vae) throw new PipelineError('unsupported', 'loading straight to latents (vae) is not supported; connect a VAE Encode after the frames', {}, 'vae');
  if (request.metaBatch !== undefined) throw new PipelineError('unsupported', 'meta_batch (VHS_BatchManager) is not supported', {}, 'meta_batch');
  const probe = await probeVideo(file, input);
  const format: { multiple?: number; frames?: readonly [number, number] } = VHS_LOAD_FORMATS[request.format] ?? {};
  const size = vhsTargetSize(probe.width, probe.height, request.customWidth, request.customHeight, format.multiple ?? 1);
  const raw: Uint8Array[] = [];
  const selection = { forceRate: request.forceRate, skipFirstFrames: request.skipFirstFrames, selectEveryNth: request.selectEveryNth, frameLoadCap: request.frameLoadCap };
  await decodeVideo(file, probe, selection, (rgb) => raw.push(rgb), input, signal);
  if (raw.length === 0) throw new PipelineError('bad-option', `no frames were loaded from "${file}" (skip_first_frames, select_every_nth or force_rate left none)`, {}, input);
  let frames = await Promise.all(raw.map((rgb) => lanczosFrame(rgb, probe.width, probe.height, size.width, size.height)));
  if (format.frames && frames.length % format.frames[0] !== format.frames[1]) {
    const [div, mod] = format.frames;
    frames = frames.slice(0, Math.floor((frames.length - mod) / div) * div + mod);
  }
  const image = rgbFramesToImage(frames, size.width, size.height, input);
  const targetFrameTime = request.forceRate === 0 ? 1 / probe.fps : 1 / request.forceRate;
  const loadedFrameTime = targetFrameTime * request.selectEveryNth;
  const count = frames.length;
  const audio: AudioFileValue = { kind: 'audio-file', path: file, start: request.skipFirstFrames * targetFrameTime, duration: request.frameLoadCap * loadedFrameTime };
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

function requestOf(inputs: {
  force_rate: number;
  custom_width: number;
  custom_height: number;
  frame_load_cap: number;
  skip_first_frames: number;
  select_every_nth: number;
  format?: VhsLoadFormat | undefined;
  vae?: VaeValue | undefined;
  meta_batch?: unknown;
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
    ...(inputs.meta_batch !== undefined ? { metaBatch: inputs.meta_batch } : {}),
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
      const outputs = await loadVideo(file, requestOf(inputs), 'video', ctx.signal);
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
      const outputs = await loadVideo(file, requestOf(inputs), 'video', ctx.signal);
      return { outputs, sizeBytes: outputs[0].data.byteLength };
    },
  });
}
