/**
 * Encode time and size of 16 frames of 512×512 in each output format, side by side.
 * Run with `pnpm --filter @piagraph/nodes-pia bench` (or `npx tsx bench/video.bench.ts`); BENCH_RUNS sets the
 * number of timed runs per format (median reported, default 3).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { floatFramesToRgb8, type FloatFrames } from '../src/image/index.js';
import { detectFfmpeg, writeVideo, type EncodeVideoOptions } from '../src/video/index.js';

const FRAMES = 16;
const SIZE = 512;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);

/** Deterministic per-pixel noise in [-0.02, 0.02]: the grain that real decoded frames have and pure gradients lack. */
function grain(i: number, f: number): number {
  const h = Math.imul(i ^ Math.imul(f, 0x9e3779b1), 0x85ebca6b) >>> 0;
  return ((h % 1000) / 1000 - 0.5) * 0.04;
}

/**
 * A diagonal colour gradient sliding by 16 px per frame with a bright disc crossing it, plus grain: motion, flat
 * areas and the noise that keeps lossless codecs honest.
 */
function movingPattern(): FloatFrames {
  const plane = SIZE * SIZE;
  const data = new Float32Array(FRAMES * 3 * plane);
  for (let f = 0; f < FRAMES; f++) {
    const cx = 64 + f * 24;
    const cy = 256 + 96 * Math.sin(f / 3);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const i = y * SIZE + x;
        const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < 60 ** 2;
        const t = ((x + y + f * 16) % 512) / 512;
        const n = grain(i, f);
        data[f * 3 * plane + i] = (inDisc ? 0.95 : t) + n;
        data[(f * 3 + 1) * plane + i] = (inDisc ? 0.9 : 0.5 + 0.45 * Math.sin(6.28 * t)) + n;
        data[(f * 3 + 2) * plane + i] = (inDisc ? 0.2 : 1 - t) + n;
      }
    }
  }
  return { data, dims: [FRAMES, 3, SIZE, SIZE] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(run: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

const frames = movingPattern();
const dir = await mkdtemp(join(tmpdir(), 'piagraph-bench-'));
const ffmpeg = await detectFfmpeg();
const cases: Array<[label: string, file: string, options: EncodeVideoOptions]> = [
  ['GIF', 'out.gif', { format: 'image/gif', frameRate: 8 }],
  ['WebP lossy q90', 'lossy.webp', { format: 'image/webp', frameRate: 8, quality: 90 }],
  ['WebP lossless', 'lossless.webp', { format: 'image/webp', frameRate: 8, lossless: true }],
  ['MP4 H.264 crf 19', 'out.mp4', { format: 'video/h264-mp4', frameRate: 8, crf: 19 }],
  ['WebM VP9 crf 20', 'out.webm', { format: 'video/webm', frameRate: 8, crf: 20 }],
];

console.log(`video encode: ${FRAMES} frames of ${SIZE}×${SIZE}, median of ${RUNS} runs, ${ffmpeg ? ffmpeg.version.replace(/ Copyright.*/, '') : 'no ffmpeg'}`);
const convert = await time(() => floatFramesToRgb8(frames));
console.log(`  float [F,3,H,W] → RGB bytes: ${convert.toFixed(1)} ms (${((convert / FRAMES) * 1000).toFixed(0)} µs/frame)`);

const rows: Array<{ label: string; ms: number; kib: number }> = [];
for (const [label, file, options] of cases) {
  if (options.format.startsWith('video/') && !ffmpeg) {
    console.log(`  ${label}: skipped (ffmpeg not found)`);
    continue;
  }
  const path = join(dir, file);
  const ms = await time(() => writeVideo(frames, path, options));
  rows.push({ label, ms, kib: (await stat(path)).size / 1024 });
}
const gif = rows[0]!;
console.log(`  ${'format'.padEnd(18)} ${'time'.padStart(9)} ${'× GIF'.padStart(7)} ${'size'.padStart(10)} ${'× GIF'.padStart(7)} ${'ms/frame'.padStart(9)}`);
for (const row of rows) {
  console.log(
    `  ${row.label.padEnd(18)} ${`${row.ms.toFixed(0)} ms`.padStart(9)} ${(row.ms / gif.ms).toFixed(2).padStart(7)} ` +
      `${`${row.kib.toFixed(0)} KiB`.padStart(10)} ${(row.kib / gif.kib).toFixed(2).padStart(7)} ${(row.ms / FRAMES).toFixed(1).padStart(9)}`,
  );
}
await rm(dir, { recursive: true, force: true });
