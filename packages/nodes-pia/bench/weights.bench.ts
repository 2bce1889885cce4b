/**
 * Checkpoint reading and fp16 conversion throughput.
 * - safetensors and PyTorch zip: a generated ~1 GB file read tensor by tensor through the WeightSource,
 *   against plain positioned `FileHandle.read`s of the same byte ranges into fresh buffers (page cache warm).
 * - fp16 → fp32 with the lookup table and with bit manipulation; fp32 → fp16; bf16 → fp32.
 */
import { promises as fsp, mkdtempSync, rmSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bfloat16ToFloat32,
  float32ToHalf,
  halfToFloat32,
  halfToFloat32Bitwise,
  openSafetensors,
  openTorchCheckpoint,
  writeSafetensors,
  writeTorchCheckpoint,
  type TensorToWrite,
  type WeightSource,
} from '../src/weights/index.js';

const TENSORS = 256;
const ELEMENTS = 1 << 20; // 4 MiB of F32 each: 1 GiB in all
const GB = 1e9;

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

function tensors(): [string, TensorToWrite][] {
  return Array.from({ length: TENSORS }, (_, i) => [
    `down_blocks.${i >> 4}.layer.${i & 15}.weight`,
    { dtype: 'F32', shape: [1024, 1024], data: () => new Float32Array(ELEMENTS).fill(i * 0.001) },
  ]);
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** One plain positioned read of a range into a fresh buffer: the floor of what any reader can do. */
async function rawRead(fh: FileHandle, position: number, length: number): Promise<number> {
  const buf = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) done += (await fh.read(buf, done, length - done, position + done)).bytesRead;
  return done;
}

async function safetensorsRanges(path: string): Promise<[number, number][]> {
  const fh = await fsp.open(path, 'r');
  const prefix = Buffer.alloc(8);
  await fh.read(prefix, 0, 8, 0);
  const n = Number(prefix.readBigUInt64LE(0));
  const json = Buffer.alloc(n);
  await fh.read(json, 0, n, 8);
  await fh.close();
  const header = JSON.parse(json.toString()) as Record<string, { data_offsets: [number, number] }>;
  return Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .map(([, e]) => [8 + n + e.data_offsets[0], e.data_offsets[1] - e.data_offsets[0]]);
}

/**
 * Each tensor is read both ways back to back (alternating which goes first), so both see the same machine load;
 * the totals of the best round are compared.
 */
async function compare(label: string, open: () => Promise<WeightSource>, ranges: [number, number][], path: string): Promise<void> {
  const rounds = 5;
  let bestSource = Infinity;
  let bestRaw = Infinity;
  let bytes = 0;
  for (let r = 0; r < rounds; r++) {
    const fh = await fsp.open(path, 'r');
    const src = await open();
    const keys = src.keys();
    let tSource = 0;
    let tRaw = 0;
    bytes = 0;
    for (const [i, key] of keys.entries()) {
      const [position, length] = ranges[i]!;
      const order = i % 2 === 0 ? ['raw', 'source'] : ['source', 'raw'];
      for (const which of order) {
        const start = performance.now();
        if (which === 'raw') await rawRead(fh, position, length);
        else bytes += (await src.read(key, 'f32')).byteLength;
        const elapsed = performance.now() - start;
        if (which === 'raw') tRaw += elapsed;
        else tSource += elapsed;
      }
    }
    await Promise.all([src.close(), fh.close()]);
    bestSource = Math.min(bestSource, tSource / 1000);
    bestRaw = Math.min(bestRaw, tRaw / 1000);
  }
  const source = bytes / bestSource / GB;
  const raw = bytes / bestRaw / GB;
  console.log(`  ${label.padEnd(34)} ${fmt(source)} GB/s   raw fs.read ${fmt(raw)} GB/s   ratio ${fmt(source / raw)}×   (best of ${rounds}, ${fmt(bytes / GB)} GB)`);
}

async function fileBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'piagraph-weights-bench-'));
  try {
    const st = join(dir, 'model.safetensors');
    const ckpt = join(dir, 'model.ckpt');
    const stWrite = await timed(async () => void (await writeSafetensors(st, tensors())));
    const ckWrite = await timed(async () => void (await writeTorchCheckpoint(ckpt, tensors())));
    const size = TENSORS * ELEMENTS * 4;
    console.log(`weights: ${TENSORS} F32 tensors [1024, 1024], ${fmt(size / GB)} GB`);
    console.log(`  write safetensors (lazy tensors)   ${fmt(size / stWrite / GB)} GB/s`);
    console.log(`  write torch .ckpt (lazy tensors)   ${fmt(size / ckWrite / GB)} GB/s`);
    await compare('read safetensors, tensor by tensor', () => openSafetensors(st), await safetensorsRanges(st), st);
    const probe = await openTorchCheckpoint(ckpt);
    const ckRanges = await torchRanges(ckpt, probe);
    await probe.close();
    await compare('read torch .ckpt, tensor by tensor', () => openTorchCheckpoint(ckpt), ckRanges, ckpt);
    const openTime = await timed(async () => (await openTorchCheckpoint(ckpt)).close());
    console.log(`  open .ckpt (zip directory + pickle) ${fmt(openTime * 1000, 1)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Storage ranges of the torch file, found by walking its local headers (records are in storage order). */
async function torchRanges(path: string, src: WeightSource): Promise<[number, number][]> {
  const file = await fsp.readFile(path);
  const ranges: [number, number][] = [];
  let at = 0;
  while (file.readUInt32LE(at) === 0x04034b50) {
    const size = file.readUInt32LE(at + 22);
    const nameLength = file.readUInt16LE(at + 26);
    const name = file.subarray(at + 30, at + 30 + nameLength).toString();
    const data = at + 30 + nameLength + file.readUInt16LE(at + 28);
    if (name.includes('/data/')) ranges.push([data, size]);
    at = data + size;
  }
  if (ranges.length !== src.keys().length) throw new Error('storage count mismatch');
  return ranges;
}

function convertBench(): void {
  const n = 1 << 24;
  const normals = new Float32Array(n);
  for (let i = 0; i < n; i++) normals[i] = (Math.random() + Math.random() + Math.random() - 1.5) * 0.05;
  const halves = float32ToHalf(normals);
  const out = new Float32Array(n);
  const halfOut = new Uint16Array(n);
  const rows: [string, () => void, number][] = [
    ['fp16 → fp32, lookup table', () => void halfToFloat32(halves, out), 2],
    ['fp16 → fp32, bit manipulation', () => void halfToFloat32Bitwise(halves, out), 2],
    ['fp32 → fp16, round to nearest even', () => void float32ToHalf(normals, halfOut), 4],
    ['bf16 → fp32, shift', () => void bfloat16ToFloat32(halves, out), 2],
  ];
  console.log(`conversions: ${n.toLocaleString('en')} values (weight-like: |x| < 0.08), best of 5`);
  const speeds: number[] = [];
  for (const [label, run, inputBytes] of rows) {
    run();
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const start = performance.now();
      run();
      best = Math.min(best, (performance.now() - start) / 1000);
    }
    speeds.push(n / best);
    console.log(`  ${label.padEnd(36)} ${fmt(n / best / 1e6, 0).padStart(5)} M values/s   ${fmt((n * inputBytes) / best / GB)} GB/s in`);
  }
  console.log(`  table vs bit manipulation: ${fmt(speeds[0]! / speeds[1]!)}×`);
}

await fileBench();
convertBench();
