/**
 * A video saved a chunk of frames at a time (meta-batching: one chunk per pass of the graph), into one file named
 * as {@link saveVideo} names its files. Only ffmpeg's formats stream: GIF and WebP are encoded by sharp from every
 * frame at once, and ping-pong and repeats need every frame again at the end; those are refused up front, so memory
 * stays bounded by one chunk.
 */
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { FfmpegVideoStream, isFfmpegFormat } from './encode-ffmpeg.js';
import { VideoWriteError } from './errors.js';
import { videoFormatInfo } from './formats.js';
import { frameOrder, toFrameSequence, type VideoFrames } from './frames.js';
import { reserveOutputFiles } from './output-path.js';
import { checkEncodeOptions, type SavedVideo, type SaveVideoOptions } from './save-video.js';

export class ChunkedVideoSave {
  readonly #video: FfmpegVideoStream;
  readonly #options: SaveVideoOptions;
  readonly #path: string;
  readonly #subfolder: string;
  #done = false;

  private constructor(video: FfmpegVideoStream, options: SaveVideoOptions, path: string, subfolder: string) {
    this.#video = video;
    this.#options = options;
    this.#path = path;
    this.#subfolder = subfolder;
  }

  /**
   * Checks the options, reserves the file (the next counter for the prefix) and starts ffmpeg for frames of
   * `width × height`. Throws VideoWriteError `bad-option` for a format or option that cannot be written in chunks.
   */
  static async open(options: SaveVideoOptions, width: number, height: number): Promise<ChunkedVideoSave> {
    if (!isFfmpegFormat(options.format)) {
      throw new VideoWriteError('bad-option', `format ${options.format} cannot be written a chunk at a time; choose video/h264-mp4 or video/webm`);
    }
    if (options.pingpong) throw new VideoWriteError('bad-option', 'pingpong needs every frame at the end, so it cannot be used when writing a chunk at a time');
    if ((options.loopCount ?? 0) !== 0) {
      throw new VideoWriteError('bad-option', `loop_count ${options.loopCount} repeats every frame at the end, so it must be 0 when writing a chunk at a time`);
    }
    const { crf, metadata } = await checkEncodeOptions(options);
    const [reserved] = await reserveOutputFiles(options.outputDir, options.filenamePrefix, videoFormatInfo(options.format)!.extension, 1);
    const { path, subfolder } = reserved!;
    try {
      const video = await FfmpegVideoStream.open(options.format, path, width, height, {
        frameRate: options.frameRate,
        crf,
        metadata,
        ...(options.ffmpegPath !== undefined && { ffmpegPath: options.ffmpegPath }),
      });
      return new ChunkedVideoSave(video, options, path, subfolder);
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  }

  /** Frames written so far. */
  get frameCount(): number {
    return this.#video.frameCount;
  }

  /** Appends `frames`; they must have the size of the first chunk. On failure the partial file is removed. */
  async append(frames: VideoFrames): Promise<void> {
    try {
      const sequence = toFrameSequence(frames);
      await this.#video.write(sequence, frameOrder(sequence.count));
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Ends the video; returns what was written. On failure the partial file is removed. */
  async finish(): Promise<SavedVideo> {
    this.#done = true;
    let size: { width: number; height: number };
    try {
      size = await this.#video.finish();
    } catch (error) {
      await rm(this.#path, { force: true });
      throw error;
    }
    const { format, frameRate } = this.#options;
    return { format, files: [this.#path], ...size, frameCount: this.#video.frameCount, frameRate, filename: basename(this.#path), subfolder: this.#subfolder };
  }

  /** Stops ffmpeg and removes the partial file, unless the video was finished. Safe to call more than once. */
  async abort(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#video.abort();
    await rm(this.#path, { force: true });
  }
}
