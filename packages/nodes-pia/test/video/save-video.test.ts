import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extractEmbeddedGraph } from '@piagraph/graph-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloatFrames } from '../../src/image/index.js';
import {
  availableVideoFormats,
  detectFfmpeg,
  saveVideo,
  VideoWriteError,
  writeVideo,
  type OutputMetadata,
  type Rgb8Frames,
} from '../../src/video/index.js';

const run = promisify(execFile);
const W = 32;
const H = 32;
const F = 4;

/**
 * Frame f is a solid colour: red = (40·f + 20) / 255, green = 0.5, blue = 1 − red. As bytes (PIA truncation):
 * red 40·f + 20, green 127 (127.5 truncated), blue 255 − (40·f + 20).
 */
function floatFrames(count = F, width = W, height = H): FloatFrames {
  const plane = width * height;
  const data = new Float32Array(count * 3 * plane);
  for (let f = 0; f < count; f++) {
    const red = (40 * f + 20) / 255;
    data.fill(red, (f * 3 + 0) * plane, (f * 3 + 1) * plane);
    data.fill(0.5, (f * 3 + 1) * plane, (f * 3 + 2) * plane);
    data.fill(1 - red, (f * 3 + 2) * plane, (f * 3 + 3) * plane);
  }
  return { data, dims: [count, 3, height, width] };
}

const expectedRgb = (f: number): number[] => [40 * f + 20, 127, 255 - (40 * f + 20)];

const METADATA: OutputMetadata = {
  graph: JSON.stringify({ version: 1, title: 'chat qui dort 😺', nodes: { a: { type: 'LoadImage' } } }),
  prompt: JSON.stringify({ '1': { class_type: 'LoadImage', inputs: { image: 'cat.png' } } }),
  workflow: JSON.stringify({ last_node_id: 1, nodes: [{ id: 1, type: 'LoadImage' }] }),
};
const EMBEDDED = {
  graph: JSON.parse(METADATA.graph!) as unknown,
  prompt: JSON.parse(METADATA.prompt!) as unknown,
  workflow: JSON.parse(METADATA.workflow!) as unknown,
};

let out: string;

async function ffprobe(path: string): Promise<{ width: number; height: number; pix_fmt: string; r_frame_rate: string; nb_read_frames: string; codec_name: string }> {
  const { stdout } = await run('ffprobe', [
    ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
    ...['-show_entries', 'stream=width,height,pix_fmt,r_frame_rate,nb_read_frames,codec_name', '-of', 'json', path],
  ]);
  return (JSON.parse(stdout) as { streams: [never] }).streams[0];
}

async function caught(promise: Promise<unknown>): Promise<VideoWriteError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VideoWriteError) return error;
    throw error;
  }
  throw new Error('expected a VideoWriteError');
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'piagraph-video-'));
});

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('saveVideo as GIF', () => {
  it('writes every frame with the frame rate, loop count and exact palette colours', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'gif/run', format: 'image/gif', frameRate: 8, loopCount: 3 });
    expect([saved.filename, saved.subfolder, saved.frameCount]).toEqual(['run_00001_.gif', 'gif', F]);
    const meta = await sharp(saved.files[0]!, { animated: true }).metadata();
    expect([meta.pages, meta.pageHeight, meta.width, meta.loop]).toEqual([F, H, W, 3]);
    expect(meta.delay).toEqual([130, 120, 130, 120]);
    for (let f = 0; f < F; f++) {
      const { data } = await sharp(saved.files[0]!, { page: f }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([...data.subarray(0, 3)]).toEqual(expectedRgb(f));
    }
  });

  it('writes 2n − 2 frames for ping-pong', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'pp', format: 'image/gif', frameRate: 8, pingpong: true });
    const meta = await sharp(saved.files[0]!, { animated: true }).metadata();
    expect(meta.pages).toBe(2 * F - 2);
    const data = await sharp(saved.files[0]!, { page: 4 }).removeAlpha().raw().toBuffer();
    expect([...data.subarray(0, 3)]).toEqual(expectedRgb(2));
  });

  it('carries the graph in a comment extension', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'meta', format: 'image/gif', frameRate: 8, metadata: METADATA });
    expect(extractEmbeddedGraph(await readFile(saved.files[0]!))).toEqual(EMBEDDED);
    expect((await sharp(saved.files[0]!, { animated: true }).metadata()).pages).toBe(F);
  });

  it('numbers a second save with the next counter', async () => {
    const options = { outputDir: out, filenamePrefix: 'count/c', format: 'image/gif', frameRate: 8 } as const;
    await saveVideo(floatFrames(1), options);
    expect((await saveVideo(floatFrames(1), options)).filename).toBe('c_00002_.gif');
  });
});

describe('saveVideo as WebP', () => {
  it('writes frames, millisecond delays and infinite looping', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'webp', format: 'image/webp', frameRate: 12, lossless: true });
    const meta = await sharp(saved.files[0]!, { animated: true }).metadata();
    // 1000 / 12 = 83.3 ms: whole milliseconds 83, 84, 83, 83 keep the running total on 83.3·i.
    expect([meta.pages, meta.loop, meta.delay]).toEqual([F, 0, [83, 84, 83, 83]]);
    const data = await sharp(saved.files[0]!, { page: 3 }).removeAlpha().raw().toBuffer();
    expect([...data.subarray(0, 3)]).toEqual(expectedRgb(3));
  });

  it('carries the graph in EXIF in ComfyUI’s key:value layout', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'webp-meta', format: 'image/webp', frameRate: 8, metadata: METADATA });
    const bytes = await readFile(saved.files[0]!);
    expect(extractEmbeddedGraph(bytes)).toEqual(EMBEDDED);
    expect(bytes.toString('latin1')).toContain(`workflow:${METADATA.workflow}`);
  });
});

describe('saveVideo as a PNG sequence', () => {
  it('writes one PNG per frame with consecutive counters and exact pixels', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'seq/f', format: 'image/png-sequence', frameRate: 8 });
    expect((await readdir(join(out, 'seq'))).sort()).toEqual(['f_00001_.png', 'f_00002_.png', 'f_00003_.png', 'f_00004_.png']);
    for (let f = 0; f < F; f++) {
      const data = await sharp(saved.files[f]!).raw().toBuffer();
      expect([...data.subarray(0, 3)]).toEqual(expectedRgb(f));
    }
  });

  it('embeds the graph in text chunks of every frame', async () => {
    const saved = await saveVideo(floatFrames(2), { outputDir: out, filenamePrefix: 'seqm', format: 'image/png-sequence', frameRate: 8, metadata: METADATA });
    for (const file of saved.files) expect(extractEmbeddedGraph(await readFile(file))).toEqual(EMBEDDED);
  });
});

describe.skipIf(!(await detectFfmpeg()))('saveVideo with ffmpeg (these need ffmpeg on PATH)', () => {
  it('writes H.264 MP4 in yuv420p at the frame rate with every frame', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'mp4', format: 'video/h264-mp4', frameRate: 8 });
    expect(saved.filename).toBe('mp4_00001_.mp4');
    expect(await ffprobe(saved.files[0]!)).toEqual({ codec_name: 'h264', width: W, height: H, pix_fmt: 'yuv420p', r_frame_rate: '8/1', nb_read_frames: String(F) });
  });

  it('pads odd sizes to even for 4:2:0', async () => {
    const saved = await saveVideo(floatFrames(2, 33, 31), { outputDir: out, filenamePrefix: 'odd', format: 'video/h264-mp4', frameRate: 8 });
    const probe = await ffprobe(saved.files[0]!);
    expect([probe.width, probe.height, saved.width, saved.height]).toEqual([34, 32, 34, 32]);
  });

  it('repeats the clip loopCount extra times and honours fractional rates', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'loop', format: 'video/h264-mp4', frameRate: 7.5, loopCount: 2 });
    const probe = await ffprobe(saved.files[0]!);
    expect([probe.nb_read_frames, probe.r_frame_rate]).toEqual([String(3 * F), '15/2']);
  });

  it('writes VP9 WebM with every frame', async () => {
    const saved = await saveVideo(floatFrames(), { outputDir: out, filenamePrefix: 'webm', format: 'video/webm', frameRate: 8, pingpong: true });
    expect(await ffprobe(saved.files[0]!)).toEqual({ codec_name: 'vp9', width: W, height: H, pix_fmt: 'yuv420p', r_frame_rate: '8/1', nb_read_frames: String(2 * F - 2) });
  });

  it('keeps colours close after the YUV round trip', async () => {
    const path = join(out, 'colour.mp4');
    await writeVideo(floatFrames(), path, { format: 'video/h264-mp4', frameRate: 8, crf: 0 });
    const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer' });
    const pixel = [...(stdout as Buffer).subarray((16 * W + 16) * 3, (16 * W + 16) * 3 + 3)];
    expectedRgb(0).forEach((v, c) => expect(Math.abs(pixel[c]! - v)).toBeLessThanOrEqual(3));
  });

  it.each(['video/h264-mp4', 'video/webm'] as const)('carries the graph in the %s comment tag', async (format) => {
    const saved = await saveVideo(floatFrames(2), { outputDir: out, filenamePrefix: 'vmeta', format, frameRate: 8, metadata: METADATA });
    expect(extractEmbeddedGraph(await readFile(saved.files[0]!))).toEqual(EMBEDDED);
  });

  it('embeds metadata larger than the 128 KiB command-line argument limit', async () => {
    const graph = JSON.stringify({ notes: 'é;#=\\\n'.repeat(40_000) });
    const saved = await saveVideo(floatFrames(1), { outputDir: out, filenamePrefix: 'big', format: 'video/h264-mp4', frameRate: 8, metadata: { graph } });
    expect(extractEmbeddedGraph(await readFile(saved.files[0]!))).toEqual({ graph: JSON.parse(graph) });
  });

  it('lists MP4 and WebM among the available formats', async () => {
    expect(await availableVideoFormats()).toEqual(['image/gif', 'image/webp', 'video/h264-mp4', 'video/webm', 'image/png-sequence']);
  });
});

describe('saveVideo on bad input', () => {
  const base = { outputDir: '', filenamePrefix: 'bad', frameRate: 8 } as const;

  it('names the format that needs a missing ffmpeg and leaves no file behind', async () => {
    const dir = await mkdtemp(join(out, 'missing-'));
    const error = await caught(
      saveVideo(floatFrames(), { ...base, outputDir: dir, format: 'video/h264-mp4', ffmpegPath: '/nonexistent/ffmpeg' }),
    );
    expect([error.code, error.message]).toEqual([
      'ffmpeg-missing',
      'Format video/h264-mp4 needs ffmpeg, which did not run at "/nonexistent/ffmpeg" ' +
        '(install ffmpeg, set ffmpegPath or FFMPEG_PATH, or choose image/gif, image/webp or image/png-sequence)',
    ]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('offers only the sharp formats without ffmpeg', async () => {
    expect(await availableVideoFormats({ ffmpegPath: '/nonexistent/ffmpeg' })).toEqual(['image/gif', 'image/webp', 'image/png-sequence']);
  });

  it('reports the stderr tail of an ffmpeg that fails, and removes the partial file', async () => {
    // A stand-in ffmpeg that advertises the encoders, then fails the encode without reading its input.
    const fake = join(out, 'fake-ffmpeg.sh');
    await writeFile(
      fake,
      '#!/bin/sh\ncase "$*" in *-encoders*) echo " V....D libx264              H.264"; echo " V....D libvpx-vp9           VP9"; exit 0;; ' +
        '*-version*) echo "ffmpeg version fake"; exit 0;; esac\necho "Unknown encoder settings" >&2\necho "Conversion failed!" >&2\nexit 1\n',
    );
    await chmod(fake, 0o755);
    const dir = await mkdtemp(join(out, 'failing-'));
    const error = await caught(saveVideo(floatFrames(16, 256, 256), { ...base, outputDir: dir, format: 'video/webm', ffmpegPath: fake }));
    expect(error.code).toBe('ffmpeg-failed');
    expect(error.message).toBe(`ffmpeg failed while writing video/webm to "${join(dir, 'bad_00001_.webm')}" (exit code 1): Unknown encoder settings\nConversion failed!`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses zero frames', async () => {
    const frames: Rgb8Frames = { width: 4, height: 4, frames: [] };
    const error = await caught(saveVideo(frames, { ...base, outputDir: out, format: 'image/gif' }));
    expect([error.code, error.message]).toEqual(['no-frames', 'Cannot write a video of 0 frames']);
  });

  it('refuses frames of mismatched sizes', async () => {
    const frames: Rgb8Frames = { width: 4, height: 4, frames: [new Uint8Array(48), new Uint8Array(48), new Uint8Array(27)] };
    await expect(saveVideo(frames, { ...base, outputDir: out, format: 'image/webp' })).rejects.toThrow(
      'Frame 2 holds 27 bytes, but 4×4 RGB frames need 48',
    );
  });

  it('refuses a zero frame rate', async () => {
    await expect(saveVideo(floatFrames(), { ...base, outputDir: out, format: 'image/gif', frameRate: 0 })).rejects.toThrow(
      'frameRate must be a number of frames per second above 0 and at most 1000, got 0',
    );
  });

  it('refuses an unknown format', async () => {
    const options = { ...base, outputDir: out, format: 'video/avi' as 'image/gif' };
    await expect(saveVideo(floatFrames(), options)).rejects.toThrow(
      'Unknown video format "video/avi"; expected one of image/gif, image/webp, video/h264-mp4, video/webm, image/png-sequence',
    );
  });

  it('refuses a CRF out of range for the codec', async () => {
    await expect(saveVideo(floatFrames(), { ...base, outputDir: out, format: 'image/gif', crf: 60 })).rejects.toThrow(
      'crf must be an integer from 0 to 51, got 60',
    );
  });

  it('refuses metadata that is not JSON', async () => {
    await expect(saveVideo(floatFrames(), { ...base, outputDir: out, format: 'image/gif', metadata: { prompt: '{oops' } })).rejects.toThrow(
      /^Metadata "prompt" is not valid JSON: /,
    );
  });

  it('refuses a prefix outside the output folder', async () => {
    await expect(saveVideo(floatFrames(), { ...base, outputDir: out, filenamePrefix: '../../x', format: 'image/gif' })).rejects.toThrow(
      `Filename prefix "../../x" would save outside the output folder "${out}"`,
    );
  });

  it('sends PNG sequences to saveVideo when writeVideo is asked for one', async () => {
    await expect(writeVideo(floatFrames(), join(out, 'x.png'), { format: 'image/png-sequence', frameRate: 8 })).rejects.toThrow(
      'image/png-sequence writes one file per frame: use saveVideo',
    );
  });
});

it('detects ffmpeg only once per path', () => {
  expect(detectFfmpeg('/nonexistent/ffmpeg')).toBe(detectFfmpeg('/nonexistent/ffmpeg'));
});
