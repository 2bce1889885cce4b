/**
 * Reading videos as VideoHelperSuite's Load Video does: the stream probed with ffprobe (size, frame rate, frame count),
 * frames decoded by ffmpeg to RGB one at a time, and kept by VHS's rules (`force_rate` resamples in time by dropping
 * or repeating frames, then `skip_first_frames`, `select_every_nth` and `frame_load_cap`). The decoding itself is
 * `frame-reader.ts`.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { PipelineError } from '../pipeline/errors.js';
import { resolveFfmpegPath } from './ffmpeg.js';

/** What ffprobe says about a video's first video stream. */
export interface VideoProbe {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** The container's frame count, or duration × fps when it has none (as OpenCV estimates it). */
  readonly frameCount: number;
  readonly duration: number;
}

/** VHS's frame selection. */
export interface FrameSelection {
  /** Frames per second to resample to (0: the video's own). */
  readonly forceRate: number;
  readonly skipFirstFrames: number;
  readonly selectEveryNth: number;
  /** At most this many frames (0: all). */
  readonly frameLoadCap: number;
}

/** The ffprobe next to the ffmpeg in use (or `$FFPROBE_PATH`, or `ffprobe` on PATH). */
export function resolveFfprobePath(): string {
  if (process.env['FFPROBE_PATH']) return process.env['FFPROBE_PATH'];
  const ffmpeg = resolveFfmpegPath();
  return ffmpeg.includes('/') ? join(dirname(ffmpeg), 'ffprobe') : 'ffprobe';
}

/** The error for a file ffprobe or ffmpeg cannot read as a video, naming `input`. */
export function notVideo(input: string, file: string, why: string): PipelineError {
  return new PipelineError('bad-option', `${input}: "${file}" is not a video ffmpeg can read (${why})`, { file }, input);
}

const rate = (text: string | undefined): number => {
  const [num, den] = (text ?? '').split('/').map(Number);
  return num !== undefined && den !== undefined && den > 0 ? num / den : Number(num);
};

/** Probes `file`'s first video stream; a file that is not a video fails naming `input`. */
export function probeVideo(file: string, input: string): Promise<VideoProbe> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:format=duration', '-of', 'json', file];
  return new Promise((resolve, reject) => {
    execFile(resolveFfprobePath(), args, { timeout: 30_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        reject(missing ? new PipelineError('unsupported', `${input}: loading videos needs ffprobe (from ffmpeg), which was not found; set FFPROBE_PATH`, {}, input) : notVideo(input, file, String(stderr).trim().split('\n').pop() || 'ffprobe failed'));
        return;
      }
      let parsed: { streams?: Record<string, string | number>[]; format?: { duration?: string } };
      try {
        parsed = JSON.parse(stdout) as typeof parsed;
      } catch {
        reject(notVideo(input, file, 'unreadable ffprobe output'));
        return;
      }
      const stream = parsed.streams?.[0];
      if (!stream) {
        reject(notVideo(input, file, 'no video stream'));
        return;
      }
      const width = Number(stream['width']);
      const height = Number(stream['height']);
      let fps = rate(String(stream['avg_frame_rate'] ?? ''));
      if (!(fps > 0)) fps = rate(String(stream['r_frame_rate'] ?? ''));
      const duration = Number(stream['duration'] ?? parsed.format?.duration ?? 0);
      const frames = Number(stream['nb_frames']);
      if (!(width > 0 && height > 0 && fps > 0)) {
        reject(notVideo(input, file, `stream size ${width}×${height} at ${fps} fps`));
        return;
      }
      resolve({ width, height, fps, duration, frameCount: frames > 0 ? frames : Math.round(duration * fps) });
    });
  });
}

/**
 * The decoded-frame indices VHS keeps, fed one decoded frame at a time: returns whether to keep the current frame and
 * how many copies (force_rate above the video's rate repeats frames). `done` once the cap is reached.
 */
export class FrameSelector {
  #offset: number;
  #first = true;
  #seen = 0;
  #evaluated = -1;
  #kept = 0;
  readonly #base: number;
  readonly #target: number;

  constructor(
    fps: number,
    private readonly selection: FrameSelection,
  ) {
    this.#base = 1 / fps;
    this.#target = selection.forceRate === 0 ? this.#base : 1 / selection.forceRate;
    // VHS starts with the first frame already grabbed and a full frame time owed.
    this.#offset = this.#target;
  }

  get done(): boolean {
    return this.selection.frameLoadCap > 0 && this.#kept >= this.selection.frameLoadCap;
  }

  /** How many times the newly decoded frame is kept (0 or more). */
  next(): number {
    // The same float operations in the same order as VHS's loop, so frames land on the same side of each boundary.
    if (this.#first) this.#first = false;
    else this.#offset += this.#base;
    let copies = 0;
    while (this.#offset >= this.#target && !this.done) {
      this.#offset -= this.#target;
      this.#seen += 1;
      if (this.#seen <= this.selection.skipFirstFrames) continue;
      this.#evaluated += 1;
      if (this.#evaluated % this.selection.selectEveryNth !== 0) continue;
      copies += 1;
      this.#kept += 1;
    }
    return copies;
  }
}

/** VHS's load formats: the size multiple (`dim[0]`) and frame-count rule (`frames`: count ≡ mod (mod div)). */
export const VHS_LOAD_FORMATS = {
  None: {},
  AnimateDiff: { multiple: 8 },
  Mochi: { multiple: 16, frames: [6, 1] },
  LTXV: { multiple: 32, frames: [8, 1] },
  Hunyuan: { multiple: 16, frames: [4, 1] },
  Cosmos: { multiple: 16, frames: [8, 1] },
  Wan: { multiple: 8, frames: [4, 1] },
} as const satisfies Record<string, { multiple?: number; frames?: readonly [number, number] }>;

export type VhsLoadFormat = keyof typeof VHS_LOAD_FORMATS;

/** VHS's `target_size`: custom sizes (one 0 keeps the aspect ratio), each side rounded to the nearest multiple. */
export function vhsTargetSize(width: number, height: number, customWidth: number, customHeight: number, multiple = 8): { width: number; height: number } {
  let w = width;
  let h = height;
  if (customWidth !== 0 && customHeight !== 0) [w, h] = [customWidth, customHeight];
  else if (customHeight === 0 && customWidth !== 0) [w, h] = [customWidth, (height * customWidth) / width];
  else if (customWidth === 0 && customHeight !== 0) [w, h] = [(width * customHeight) / height, customHeight];
  return { width: Math.trunc(w / multiple + 0.5) * multiple, height: Math.trunc(h / multiple + 0.5) * multiple };
}
