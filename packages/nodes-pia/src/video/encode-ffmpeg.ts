import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireFfmpeg, runFfmpeg } from './ffmpeg.js';
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

function* paddedFrames(frames: FrameSequence, order: readonly number[]): Generator<Uint8Array> {
  for (const index of order) yield padToEven(frames.rgb(index), frames.width, frames.height).rgb;
}

/**
 * Encodes frames to MP4 (H.264, yuv420p, faststart) or WebM (VP9, yuv420p) with the system ffmpeg, streaming raw
 * RGB frames into its stdin. Odd sizes are padded to even by repeating the last column/row, since 4:2:0 chroma
 * needs even dimensions. Metadata becomes the container's `comment` tag through an FFMETADATA file.
 * Returns the written size.
 */
export async function encodeFfmpegVideo(
  frames: FrameSequence,
  order: readonly number[],
  format: 'video/h264-mp4' | 'video/webm',
  path: string,
  settings: FfmpegVideoSettings,
): Promise<{ width: number; height: number }> {
  const info = videoFormatInfo(format)!;
  const ffmpeg = await requireFfmpeg(format, info.ffmpegEncoder!, settings.ffmpegPath);
  const width = frames.width + (frames.width & 1);
  const height = frames.height + (frames.height & 1);
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
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(settings.frameRate), '-i', '-'],
      ...metadataArgs,
      ...['-map', '0:v'],
      ...CODEC_ARGS[format](settings.crf),
      ...COLOUR_ARGS,
      ...['-pix_fmt', 'yuv420p', '-f', info.ffmpegMuxer!, path],
    ];
    await runFfmpeg(ffmpeg.path, args, paddedFrames(frames, order), `writing ${format} to "${path}"`);
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
  return { width, height };
}

/** Whether `format` is written by ffmpeg. */
export function isFfmpegFormat(format: VideoFormat): format is 'video/h264-mp4' | 'video/webm' {
  return format === 'video/h264-mp4' || format === 'video/webm';
}
