/**
 * A video's frames read as they are asked for: ffmpeg decodes to raw RGB on a pipe that is read only while frames
 * are wanted, so between requests the pipe fills and ffmpeg waits. Memory holds the frames of one request plus one
 * frame of look-ahead (which tells whether more remain), however long the video: meta-batching reads a long video
 * this way, one chunk per pass of the graph.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { PipelineError } from '../pipeline/errors.js';
import { resolveFfmpegPath } from './ffmpeg.js';
import { FrameSelector, notVideo, type FrameSelection, type VideoProbe } from './load-video.js';

/** Frames handed out by {@link VideoFrameReader.take}. */
export interface FrameChunk {
  /** Interleaved 8-bit RGB frames of the probed size; a frame kept twice (force_rate) may be the same array twice. */
  readonly frames: Uint8Array[];
  /** Whether frames remain after these. */
  readonly more: boolean;
}

export class VideoFrameReader {
  readonly #file: string;
  readonly #input: string;
  readonly #frameBytes: number;
  readonly #selector: FrameSelector;
  readonly #child: ChildProcessByStdio<null, Readable, Readable>;
  readonly #chunks: AsyncIterator<Buffer>;
  readonly #exited: Promise<number | null>;
  /** Kept frames decoded but not yet handed out. */
  readonly #ready: Uint8Array[] = [];
  /** The frame being filled from the pipe, and how many of its bytes are there. */
  #pending: Uint8Array;
  #filled = 0;
  /** A piece of the pipe's output not yet parsed (the rest of a chunk read past the frames wanted). */
  #rest: Buffer | undefined;
  #stderr = '';
  /** No more frames will be decoded (the pipe ended, the cap was reached, or ffmpeg was stopped). */
  #ended = false;
  /** ffmpeg was stopped here rather than left to finish. */
  #stopped = false;
  /** `close` was called: nothing more is handed out. */
  #closed = false;

  /** Starts decoding `file` (probed as `probe`), keeping the frames `selection` picks; `input` is named in errors. */
  constructor(file: string, probe: VideoProbe, selection: FrameSelection, input: string) {
    this.#file = file;
    this.#input = input;
    this.#frameBytes = probe.width * probe.height * 3;
    this.#pending = new Uint8Array(this.#frameBytes);
    this.#selector = new FrameSelector(probe.fps, selection);
    const args = ['-v', 'error', '-nostdin', '-i', file, '-map', '0:v:0', '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'];
    this.#child = spawn(resolveFfmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (t: string) => (this.#stderr = (this.#stderr + t).slice(-2000)));
    this.#exited = new Promise<number | null>((resolve, reject) => {
      this.#child.once('error', reject);
      this.#child.once('close', (code) => resolve(code));
    });
    // Handled where it is awaited; this keeps a failed start from being an unhandled rejection meanwhile.
    this.#exited.catch(() => undefined);
    this.#chunks = (this.#child.stdout as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /**
   * Up to `count` more frames (all that remain with `Infinity`), and whether any remain after them. Aborting
   * `signal` stops ffmpeg and fails with `interrupted`; a video ffmpeg cannot read fails naming the input.
   */
  async take(count: number, signal?: AbortSignal): Promise<FrameChunk> {
    if (this.#closed) throw new PipelineError('interrupted', `${this.#input}: the video reader was closed`, {}, this.#input);
    const abort = () => this.#stop();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      // One frame beyond the request: whether it exists is whether more remain.
      while (this.#ready.length <= count && !this.#ended) await this.#readMore();
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    if (signal?.aborted) throw new PipelineError('interrupted', 'loading the video was interrupted', {}, this.#input);
    const frames = this.#ready.splice(0, count);
    return { frames, more: this.#ready.length > 0 };
  }

  /** Stops ffmpeg and waits until it has exited; the reader hands out nothing more. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop();
    await this.#exited.catch(() => undefined);
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ended = true;
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
    this.#child.stdout.destroy();
  }

  /** Parses the next piece of ffmpeg's output into kept frames; at its end, checks how ffmpeg exited. */
  async #readMore(): Promise<void> {
    let chunk = this.#rest;
    this.#rest = undefined;
    if (!chunk) {
      let next: IteratorResult<Buffer>;
      try {
        next = await this.#chunks.next();
      } catch {
        next = { done: true, value: undefined };
      }
      if (next.done) {
        await this.#finish();
        return;
      }
      chunk = next.value;
    }
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(this.#frameBytes - this.#filled, chunk.length - at);
      this.#pending.set(chunk.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled < this.#frameBytes) continue;
      this.#filled = 0;
      const copies = this.#selector.next();
      if (copies === 0) continue;
      for (let i = 0; i < copies; i++) this.#ready.push(this.#pending);
      this.#pending = new Uint8Array(this.#frameBytes);
      if (this.#selector.done) {
        // The cap is reached: nothing more is wanted from ffmpeg.
        this.#stop();
        return;
      }
      // Enough decoded for now: the rest of this piece waits for the next request.
      if (at < chunk.length) {
        this.#rest = chunk.subarray(at);
        return;
      }
    }
  }

  async #finish(): Promise<void> {
    this.#ended = true;
    if (this.#stopped) return;
    const code = await this.#exited.catch((err: unknown) => {
      throw new PipelineError('unsupported', `${this.#input}: ffmpeg could not be started (${String(err)})`, {}, this.#input);
    });
    if (code !== 0) throw notVideo(this.#input, this.#file, this.#stderr.trim().split('\n').pop() || `ffmpeg exit code ${code}`);
  }
}

/**
 * Decodes `file` with ffmpeg to 8-bit RGB frames and keeps those `selection` picks, calling `onFrame` for each kept
 * frame (in order, a frame kept twice is passed twice). Resolves with the number of frames kept. ffmpeg stops as soon
 * as the cap is reached.
 */
export async function decodeVideo(
  file: string,
  probe: VideoProbe,
  selection: FrameSelection,
  onFrame: (rgb: Uint8Array) => void,
  input: string,
  signal?: AbortSignal,
): Promise<number> {
  const reader = new VideoFrameReader(file, probe, selection, input);
  try {
    const { frames } = await reader.take(Number.POSITIVE_INFINITY, signal);
    for (const frame of frames) onFrame(frame);
    return frames.length;
  } finally {
    await reader.close();
  }
}
