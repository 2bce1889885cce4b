import { rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { encodeAnimatedImage } from './encode-animated.js';
import { encodeFfmpegVideo, isFfmpegFormat } from './encode-ffmpeg.js';
import { encodePngFrame } from './encode-png.js';
import { VideoWriteError } from './errors.js';
import { requireFfmpeg } from './ffmpeg.js';
import { VIDEO_FORMATS, videoFormatInfo, type VideoFormat } from './formats.js';
import { frameOrder, toFrameSequence, type FrameSequence, type VideoFrames } from './frames.js';
import { metadataEntries, type OutputMetadata } from './metadata.js';
import { reserveOutputFiles } from './output-path.js';

/** How frames become a video. */
export interface EncodeVideoOptions {
  format: VideoFormat;
  /** Frames per second, > 0 (VHS's default is 8, PIA's GIFs are 8). */
  frameRate: number;
  /**
   * GIF/WebP: how many times the animation plays, 0 = forever (the container's loop field). MP4/WebM: how many extra
   * times the clip is repeated, 0 = once (VideoHelperSuite's meaning). Ignored for PNG sequences. Default 0.
   */
  loopCount?: number;
  /** Append the frames reversed without repeating either end frame (VHS's `pingpong`). Default false. */
  pingpong?: boolean;
  /** MP4/WebM constant rate factor; default 19 for H.264 (VHS's default), 20 for VP9. */
  crf?: number;
  /** WebP: lossless encoding. Default false. */
  lossless?: boolean;
  /** WebP lossy quality 1–100. Default 90. */
  quality?: number;
  /** Graph metadata to embed; see {@link OutputMetadata}. */
  metadata?: OutputMetadata;
  /** ffmpeg to use for MP4/WebM; default `$FFMPEG_PATH`, else `ffmpeg` on PATH. */
  ffmpegPath?: string;
}

/** Where {@link saveVideo} puts files: ComfyUI's output folder and filename prefix. */
export interface SaveVideoOptions extends EncodeVideoOptions {
  outputDir: string;
  /** May contain subfolders (`videos/pia`), never leading outside `outputDir`. */
  filenamePrefix: string;
}

/** What was written. */
export interface VideoOutput {
  format: VideoFormat;
  /** Absolute paths: one file, or one per frame for `image/png-sequence`. */
  files: string[];
  /** Size as written (MP4/WebM round odd sizes up to even). */
  width: number;
  height: number;
  /** Frames written, after ping-pong and repeats. */
  frameCount: number;
  frameRate: number;
}

/** {@link VideoOutput} plus the names a ComfyUI-style UI result needs. */
export interface SavedVideo extends VideoOutput {
  /** Name of the (first) file. */
  filename: string;
  /** Folder relative to the output folder, `/`-separated, `''` at its root. */
  subfolder: string;
}

interface Plan {
  frames: FrameSequence;
  order: number[];
  metadata: Array<[string, string]>;
  crf: number;
}

function badOption(message: string): VideoWriteError {
  return new VideoWriteError('bad-option', message);
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badOption(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** The options once checked: the crf to use and the metadata entries to embed. */
export interface CheckedOptions {
  crf: number;
  metadata: Array<[string, string]>;
}

/** Checks the options that do not depend on the frames, and that ffmpeg can write the format. */
export async function checkEncodeOptions(options: EncodeVideoOptions): Promise<CheckedOptions> {
  const info = videoFormatInfo(options.format);
  if (!info) {
    throw badOption(`Unknown video format "${options.format}"; expected one of ${VIDEO_FORMATS.map((f) => f.format).join(', ')}`);
  }
  if (!Number.isFinite(options.frameRate) || options.frameRate <= 0 || options.frameRate > 1000) {
    throw badOption(`frameRate must be a number of frames per second above 0 and at most 1000, got ${options.frameRate}`);
  }
  checkInteger('loopCount', options.loopCount ?? 0, 0, 65535);
  const crf = options.crf ?? (options.format === 'video/webm' ? 20 : 19);
  checkInteger('crf', crf, 0, options.format === 'video/webm' ? 63 : 51);
  checkInteger('quality', options.quality ?? 90, 1, 100);
  const metadata = metadataEntries(options.metadata);
  if (info.ffmpegEncoder) await requireFfmpeg(options.format, info.ffmpegEncoder, options.ffmpegPath);
  return { crf, metadata };
}

/** Validates everything that can be validated before any file is touched. */
async function plan(frames: VideoFrames, options: EncodeVideoOptions): Promise<Plan> {
  const sequence = toFrameSequence(frames);
  const { crf, metadata } = await checkEncodeOptions(options);
  const repeats = isFfmpegFormat(options.format) ? (options.loopCount ?? 0) : 0;
  return { frames: sequence, order: frameOrder(sequence.count, options.pingpong ?? false, repeats), metadata, crf };
}

async function writeSingleFile(path: string, options: EncodeVideoOptions, planned: Plan): Promise<VideoOutput> {
  const { frames, order, metadata, crf } = planned;
  const base = { format: options.format, files: [path], frameCount: order.length, frameRate: options.frameRate };
  if (isFfmpegFormat(options.format)) {
    const size = await encodeFfmpegVideo(frames, order, options.format, path, {
      frameRate: options.frameRate,
      crf,
      metadata,
      ...(options.ffmpegPath !== undefined && { ffmpegPath: options.ffmpegPath }),
    });
    return { ...base, ...size };
  }
  const kind = options.format === 'image/gif' ? 'gif' : 'webp';
  const bytes = await encodeAnimatedImage(frames, order, kind, {
    frameRate: options.frameRate,
    loopCount: options.loopCount ?? 0,
    lossless: options.lossless ?? false,
    quality: options.quality ?? 90,
    metadata,
  });
  await writeFile(path, bytes);
  return { ...base, width: frames.width, height: frames.height };
}

/**
 * Writes frames as one GIF, WebP, MP4 or WebM file at `path` (overwritten). PNG sequences write several files:
 * use {@link saveVideo}. Throws VideoWriteError for bad frames, options or metadata, a missing ffmpeg, or a
 * failed encode (with ffmpeg's stderr tail); a partial file is removed.
 */
export async function writeVideo(frames: VideoFrames, path: string, options: EncodeVideoOptions): Promise<VideoOutput> {
  if (options.format === 'image/png-sequence') throw badOption('image/png-sequence writes one file per frame: use saveVideo');
  const planned = await plan(frames, options);
  try {
    return await writeSingleFile(path, options, planned);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/**
 * Saves frames into `outputDir` under ComfyUI's naming, `{prefix}_{counter:05}_.{ext}` with the counter following
 * the files already there (a PNG sequence takes one counter per frame, as SaveImage does for a batch). Everything is
 * validated before a file is created; on failure the reserved files are removed.
 */
export async function saveVideo(frames: VideoFrames, options: SaveVideoOptions): Promise<SavedVideo> {
  const planned = await plan(frames, options);
  const info = videoFormatInfo(options.format)!;
  const sequence = options.format === 'image/png-sequence';
  const reserved = await reserveOutputFiles(options.outputDir, options.filenamePrefix, info.extension, sequence ? planned.order.length : 1);
  const paths = reserved.map((r) => r.path);
  try {
    let output: VideoOutput;
    if (sequence) {
      const { frames: source, order, metadata } = planned;
      for (const [position, index] of order.entries()) {
        await writeFile(paths[position]!, await encodePngFrame(source.rgb(index), source.width, source.height, metadata));
      }
      output = { format: options.format, files: paths, width: source.width, height: source.height, frameCount: order.length, frameRate: options.frameRate };
    } else {
      output = await writeSingleFile(paths[0]!, options, planned);
    }
    return { ...output, filename: basename(paths[0]!), subfolder: reserved[0]!.subfolder };
  } catch (error) {
    await Promise.all(paths.map((path) => rm(path, { force: true })));
    throw error;
  }
}
