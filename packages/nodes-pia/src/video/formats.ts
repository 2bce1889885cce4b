/**
 * Output formats, named as VideoHelperSuite's Video Combine names them (`image/gif`, `image/webp`,
 * `video/h264-mp4`, `video/webm`), plus `image/png-sequence`: one PNG per frame, each named like ComfyUI's
 * SaveImage batch (`{prefix}_{counter:05}_.png` with consecutive counters).
 */
export type VideoFormat = 'image/gif' | 'image/webp' | 'video/h264-mp4' | 'video/webm' | 'image/png-sequence';

/** What writing a format takes. */
export interface VideoFormatInfo {
  format: VideoFormat;
  extension: string;
  /** The ffmpeg encoder it needs, or undefined when sharp writes it. */
  ffmpegEncoder?: string;
  /** ffmpeg's muxer name (`-f`). */
  ffmpegMuxer?: string;
  /** MIME type of the written file. */
  mimeType: string;
}

/** Every format, in the order a format picker should offer them. */
export const VIDEO_FORMATS: readonly VideoFormatInfo[] = [
  { format: 'image/gif', extension: 'gif', mimeType: 'image/gif' },
  { format: 'image/webp', extension: 'webp', mimeType: 'image/webp' },
  { format: 'video/h264-mp4', extension: 'mp4', ffmpegEncoder: 'libx264', ffmpegMuxer: 'mp4', mimeType: 'video/mp4' },
  { format: 'video/webm', extension: 'webm', ffmpegEncoder: 'libvpx-vp9', ffmpegMuxer: 'webm', mimeType: 'video/webm' },
  { format: 'image/png-sequence', extension: 'png', mimeType: 'image/png' },
];

/** The facts about `format`, or undefined for a name that is not one. */
export function videoFormatInfo(format: string): VideoFormatInfo | undefined {
  return VIDEO_FORMATS.find((info) => info.format === format);
}
