import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
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
 * Runs ffmpeg with `args`, streaming `chunks` into its stdin with backpressure (a chunk is produced only once the
 * pipe has room, so frames are converted as ffmpeg consumes them). A non-zero exit becomes a VideoWriteError whose
 * message ends with the tail of ffmpeg's stderr.
 */
export async function runFfmpeg(path: string, args: string[], chunks: Iterable<Uint8Array>, what: string): Promise<void> {
  const child = spawn(path, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });
  // EPIPE when ffmpeg exits early: its exit status and stderr tell the real story, so the write error is dropped.
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let alive = true;
  void exited.then(
    () => (alive = false),
    () => (alive = false),
  );
  try {
    for (const chunk of chunks) {
      if (!alive || child.stdin.destroyed) break;
      if (!child.stdin.write(chunk)) {
        await Promise.race([once(child.stdin, 'drain').catch(() => undefined), exited.catch(() => undefined)]);
      }
    }
  } catch (error) {
    // The frames themselves failed (bad data): stop ffmpeg rather than leave it waiting for input.
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw error;
  }
  child.stdin.end();
  let result: { code: number | null; signal: NodeJS.Signals | null };
  try {
    result = await exited;
  } catch (error) {
    throw new VideoWriteError('ffmpeg-missing', `ffmpeg could not be started at "${path}" while ${what}`, String(error));
  }
  if (result.code !== 0) {
    const status = result.signal ? `signal ${result.signal}` : `exit code ${result.code}`;
    const tail = stderr.trim().split('\n').slice(-6).join('\n');
    throw new VideoWriteError('ffmpeg-failed', `ffmpeg failed while ${what} (${status}): ${tail || 'no output on stderr'}`, stderr);
  }
}
