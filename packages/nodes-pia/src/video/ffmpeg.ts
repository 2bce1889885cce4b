import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { VideoWriteError } from './errors.js';
import { VIDEO_FORMATS, type VideoFormat } from './formats.js';

/** A working ffmpeg: where it is and which encoders it was built with. */
export interface FfmpegInfo {
  path: string;
  /** First line of `ffmpeg -version`. */
  version: string;
  encoders: ReadonlySet<string>;
}

const STDERR_TAIL = 4000;
const detections = new Map<string, Promise<FfmpegInfo | null>>();

/** The ffmpeg to use: the given path, else `$FFMPEG_PATH`, else `ffmpeg` on PATH. */
export function resolveFfmpegPath(path?: string): string {
  return path ?? process.env['FFMPEG_PATH'] ?? 'ffmpeg';
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 15_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

async function probe(path: string): Promise<FfmpegInfo | null> {
  try {
    const [version, encoderList] = await Promise.all([run(path, ['-hide_banner', '-version']), run(path, ['-hide_banner', '-encoders'])]);
    // Encoder lines look like " V....D libx264   libx264 H.264 / AVC ..." after a "------" separator.
    const encoders = new Set<string>();
    for (const line of encoderList.split('\n')) {
      const match = /^\s*[VAS][.A-Z]{5}\s+(\S+)/.exec(line);
      if (match) encoders.add(match[1]!);
    }
    return { path, version: version.split('\n')[0]?.trim() ?? '', encoders };
  } catch {
    return null;
  }
}

/** Finds out once per path whether ffmpeg runs there and what it can encode; null when it does not run. */
export function detectFfmpeg(path?: string): Promise<FfmpegInfo | null> {
  const resolved = resolveFfmpegPath(path);
  let detection = detections.get(resolved);
  if (!detection) {
    detection = probe(resolved);
    detections.set(resolved, detection);
  }
  return detection;
}

/**
 * The formats that can be written here: GIF, WebP and PNG sequences always (sharp), MP4 and WebM when ffmpeg runs
 * and has their encoder. The Save Video node offers only these.
 */
export async function availableVideoFormats(options: { ffmpegPath?: string } = {}): Promise<VideoFormat[]> {
  const ffmpeg = await detectFfmpeg(options.ffmpegPath);
  return VIDEO_FORMATS.filter((info) => !info.ffmpegEncoder || ffmpeg?.encoders.has(info.ffmpegEncoder)).map((info) => info.format);
}

/** The ffmpeg that can write `format`, or a VideoWriteError saying what is missing. */
export async function requireFfmpeg(format: VideoFormat, encoder: string, path?: string): Promise<FfmpegInfo> {
  const resolved = resolveFfmpegPath(path);
  const ffmpeg = await detectFfmpeg(resolved);
  if (!ffmpeg) {
    throw new VideoWriteError(
      'ffmpeg-missing',
      `Format ${format} needs ffmpeg, which did not run at "${resolved}" ` +
        '(install ffmpeg, set ffmpegPath or FFMPEG_PATH, or choose image/gif, image/webp or image/png-sequence)',
    );
  }
  if (!ffmpeg.encoders.has(encoder)) {
    throw new VideoWriteError('encoder-missing', `Format ${format} needs ffmpeg's ${encoder} encoder, which "${resolved}" was built without`);
  }
  return ffmpeg;
}

/**
 * An ffmpeg process fed raw data on its stdin, written with backpressure (a write waits while the pipe is full, so
 * frames are converted as ffmpeg consumes them). It may be fed over a long time: meta-batching keeps one open across
 * the passes of a graph, a chunk of frames per pass.
 */
export class FfmpegInput {
  readonly #child: ChildProcessByStdio<Writable, null, Readable>;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #path: string;
  readonly #what: string;
  #stderr = '';
  #alive = true;

  /** Starts ffmpeg at `path` with `args`; `what` says in errors what it was doing ("writing video/webm to …"). */
  constructor(path: string, args: string[], what: string) {
    this.#path = path;
    this.#what = what;
    this.#child = spawn(path, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-STDERR_TAIL);
    });
    // EPIPE when ffmpeg exits early: its exit status and stderr tell the real story, so the write error is dropped.
    this.#child.stdin.on('error', () => undefined);
    this.#exited = new Promise((resolve, reject) => {
      this.#child.once('error', reject);
      this.#child.once('close', (code, signal) => resolve({ code, signal }));
    });
    const gone = () => (this.#alive = false);
    this.#exited.then(gone, gone);
  }

  /** Writes `chunk`, waiting while the pipe is full; false when ffmpeg has already exited (`finish` says why). */
  async write(chunk: Uint8Array): Promise<boolean> {
    if (!this.#alive || this.#child.stdin.destroyed) return false;
    if (!this.#child.stdin.write(chunk)) {
      await Promise.race([once(this.#child.stdin, 'drain').catch(() => undefined), this.#exited.catch(() => undefined)]);
    }
    return true;
  }

  /** Ends the input and waits for ffmpeg; a non-zero exit becomes a VideoWriteError ending with its stderr's tail. */
  async finish(): Promise<void> {
    this.#child.stdin.end();
    let result: { code: number | null; signal: NodeJS.Signals | null };
    try {
      result = await this.#exited;
    } catch (error) {
      throw new VideoWriteError('ffmpeg-missing', `ffmpeg could not be started at "${this.#path}" while ${this.#what}`, String(error));
    }
    if (result.code !== 0) {
      const status = result.signal ? `signal ${result.signal}` : `exit code ${result.code}`;
      const tail = this.#stderr.trim().split('\n').slice(-6).join('\n');
      throw new VideoWriteError('ffmpeg-failed', `ffmpeg failed while ${this.#what} (${status}): ${tail || 'no output on stderr'}`, this.#stderr);
    }
  }

  /** Stops ffmpeg without finishing its output, and waits until it has exited. */
  async kill(): Promise<void> {
    if (this.#alive) this.#child.kill('SIGKILL');
    await this.#exited.catch(() => undefined);
  }
}
