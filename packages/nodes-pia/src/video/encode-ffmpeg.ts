import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VideoWriteError } from './errors.js';
import { FfmpegInput, requireFfmpeg } from './ffmpeg.js';
import { padToEven, type FrameSequence } from './frames.js';
import { videoFormatInfo, type VideoFormat } from './formats.js';
import { ffmetadataFile, metadataComment } from './metadata.js';

/** Settings of an ffmpeg-encoded video. */
export interface FfmpegVideoSettings {
  frameRate: number;
  /** Constant rate factor: lower is better and larger (x264 0–51, VP9 0–63). */
  crf: number;
  metadata: ReadonlyArray<[string, string]>;
  ffmpegPath?: string;
}

/** Encoder arguments per format. Colour is converted with, and tagged as, BT.709 limited range (as VHS does). */
const CODEC_ARGS: Record<'video/h264-mp4' | 'video/webm', (crf: number) => string[]> = {
  'video/h264-mp4': (crf) => ['-c:v', 'libx264', '-preset', 'medium', '-crf', String(crf), '-movflags', '+faststart'],
  'video/webm': (crf) => ['-c:v', 'libvpx-vp9', '-crf', String(crf), '-b:v', '0', '-deadline', 'good', '-cpu-used', '4', '-row-mt', '1'],
};

const COLOUR_ARGS = ['-vf', 'scale=out_color_matrix=bt709:out_range=tv', '-color_range', 'tv', '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'];

/**
 * An MP4 (H.264, yuv420p, faststart) or WebM (VP9, yuv420p) being written by the system ffmpeg, fed raw RGB frames
 * on its stdin as they come: all at once ({@link encodeFfmpegVideo}), or a chunk at a time over a long while
 * (meta-batching keeps one open across the passes of a graph). Odd sizes are padded to even by repeating the last
 * column/row, since 4:2:0 chroma needs even dimensions. Metadata becomes the container's `comment` tag through an
 * FFMETADATA file.
 */
export class FfmpegVideoStream {
  readonly #ffmpeg: FfmpegInput;
  readonly #scratch: string | undefined;
  readonly #path: string;
  /** The frames' size (before padding), which every later chunk must have too. */
  readonly width: number;
  readonly height: number;
  #frames = 0;

  private constructor(ffmpeg: FfmpegInput, scratch: string | undefined, path: string, width: number, height: number) {
    this.#ffmpeg = ffmpeg;
    this.#scratch = scratch;
    this.#path = path;
    this.width = width;
    this.height = height;
  }

  /** Starts writing `format` to `path` for frames of `width × height`; fails when ffmpeg or its encoder is missing. */
  static async open(
    format: 'video/h264-mp4' | 'video/webm',
    path: string,
    width: number,
    height: number,
    settings: FfmpegVideoSettings,
  ): Promise<FfmpegVideoStream> {
    const info = videoFormatInfo(format)!;
    const ffmpeg = await requireFfmpeg(format, info.ffmpegEncoder!, settings.ffmpegPath);
    const comment = metadataComment(settings.metadata);
    const scratch = comment === undefined ? undefined : await mkdtemp(join(tmpdir(), 'piagraph-ffmeta-'));
    try {
      const metadataArgs: string[] = [];
      if (scratch !== undefined && comment !== undefined) {
        const metadataPath = join(scratch, 'metadata.txt');
        await writeFile(metadataPath, ffmetadataFile(comment), 'utf8');
        metadataArgs.push('-i', metadataPath, '-map_metadata', '1');
      }
      const args = [
        ...['-hide_banner', '-loglevel', 'error', '-y'],
        ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width + (width & 1)}x${height + (height & 1)}`, '-r', String(settings.frameRate), '-i', '-'],
        ...metadataArgs,
        ...['-map', '0:v'],
        ...CODEC_ARGS[format](settings.crf),
        ...COLOUR_ARGS,
        ...['-pix_fmt', 'yuv420p', '-f', info.ffmpegMuxer!, path],
      ];
      return new FfmpegVideoStream(new FfmpegInput(ffmpeg.path, args, `writing ${format} to "${path}"`), scratch, path, width, height);
    } catch (error) {
      if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  /** Frames written so far. */
  get frameCount(): number {
    return this.#frames;
  }

  /** Writes `frames` in `order`; they must have the size the video was opened with. */
  async write(frames: FrameSequence, order: readonly number[]): Promise<void> {
    if (frames.width !== this.width || frames.height !== this.height) {
      throw new VideoWriteError('bad-frames', `Frames of ${frames.width}×${frames.height} cannot be added to "${this.#path}", a video of ${this.width}×${this.height}`);
    }
    for (const index of order) {
      if (!(await this.#ffmpeg.write(padToEven(frames.rgb(index), frames.width, frames.height).rgb))) {
        // ffmpeg is gone (a full disk, a bad option): its exit status says why, and no later chunk may be lost silently.
        await this.#ffmpeg.finish();
        throw new VideoWriteError('ffmpeg-failed', `ffmpeg stopped taking frames for "${this.#path}" after ${this.#frames}`);
      }
      this.#frames += 1;
    }
  }

  /** Ends the video and waits for ffmpeg; returns the written (padded) size. */
  async finish(): Promise<{ width: number; height: number }> {
    try {
      await this.#ffmpeg.finish();
    } finally {
      await this.#dropScratch();
    }
    return { width: this.width + (this.width & 1), height: this.height + (this.height & 1) };
  }

  /** Stops ffmpeg without finishing the video (the caller removes the partial file). */
  async abort(): Promise<void> {
    await this.#ffmpeg.kill();
    await this.#dropScratch();
  }

  async #dropScratch(): Promise<void> {
    if (this.#scratch !== undefined) await rm(this.#scratch, { recursive: true, force: true });
  }
}

/** Encodes frames (in `order`) to an MP4 or WebM at `path` with the system ffmpeg; returns the written size. */
export async function encodeFfmpegVideo(
  frames: FrameSequence,
  order: readonly number[],
  format: 'video/h264-mp4' | 'video/webm',
  path: string,
  settings: FfmpegVideoSettings,
): Promise<{ width: number; height: number }> {
  const video = await FfmpegVideoStream.open(format, path, frames.width, frames.height, settings);
  try {
    await video.write(frames, order);
  } catch (error) {
    // The frames themselves failed (bad data): stop ffmpeg rather than leave it waiting for input.
    await video.abort();
    throw error;
  }
  return video.finish();
}

/** Whether `format` is written by ffmpeg. */
export function isFfmpegFormat(format: VideoFormat): format is 'video/h264-mp4' | 'video/webm' {
  return format === 'video/h264-mp4' || format === 'video/webm';
}
