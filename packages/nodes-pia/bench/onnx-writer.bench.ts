/**
 * ONNX writer figures: streaming external weights against one inline model buffer, fp32 against fp16 storage,
 * and session creation by path (memory-mapped weights) against from bytes.
 * Run: `npx tsx bench/onnx-writer.bench.ts [layers=32]` (each layer is a 1024×1024 fp32 Linear, 4 MiB).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/onnx/index.js';

const layers = Number(process.argv[2] ?? 32);
const width = 1024;
const MiB = 1024 * 1024;

/** A stack of Linear+ReLU layers whose weights are produced on demand, as a checkpoint reader would. */
function model(floatDtype?: 'float16'): GraphBuilder {
  const g = new GraphBuilder('mlp', floatDtype ? { floatDtype } : {});
  let h = g.input('x', floatDtype ?? 'float32', ['batch', width]);
  for (let i = 0; i < layers; i++) {
    // A cheap fill, so the figures are the writer's and not the data generator's.
    const read = async () => new Float32Array(width * width).fill((i + 1) / width);
    const w = g.initializer(`layers.${i}.weight`, { dtype: 'float32', shape: [width, width], read });
    h = g.scope(`layers.${i}`, () => g.relu(g.matMul(h, w)));
  }
  g.output(h, 'y');
  return g;
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);

async function measure<T>(run: () => Promise<T>): Promise<{ ms: number; result: T; rssGrowth: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  peak = base;
  const start = performance.now();
  const result = await run();
  const ms = performance.now() - start;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, result, rssGrowth: peak - base };
}

const dir = await mkdtemp(join(tmpdir(), 'onnx-bench-'));
try {
  const weightMiB = (layers * width * width * 4) / MiB;
  console.log(`${layers} layers, ${weightMiB.toFixed(0)} MiB of fp32 weights`);

  const ext = await measure(() => model().save(join(dir), { weightsFile: 'fp32.bin', modelFile: 'fp32.onnx' }));
  const inline = await measure(() => model().toBytes());
  const half = await measure(() => model('float16').save(join(dir), { weightsFile: 'fp16.bin', modelFile: 'fp16.onnx' }));
  const inlineBytes = inline.result;
  inline.result = new Uint8Array(0);

  const row = (name: string, r: { ms: number; rssGrowth: number }, mib: number) =>
    console.log(`${name.padEnd(28)} ${r.ms.toFixed(0).padStart(6)} ms  ${(mib / (r.ms / 1000)).toFixed(0).padStart(5)} MiB/s  peak RSS +${(r.rssGrowth / MiB).toFixed(0)} MiB`);
  row('save, external fp32', ext, weightMiB);
  row('toBytes, inline fp32', inline, weightMiB);
  row('save, external fp16', half, weightMiB);
  console.log(`model.onnx with external weights: ${ext.result.modelBytes} B; weights file ${(ext.result.weightsBytes / MiB).toFixed(1)} MiB`);
  console.log(`peak RSS growth inline / external: ${(inline.rssGrowth / Math.max(ext.rssGrowth, 1)).toFixed(1)}×`);
  console.log(`fp16 weights file / fp32: ${(half.result.weightsBytes / ext.result.weightsBytes).toFixed(3)}×; fp16 save time / fp32: ${(half.ms / ext.ms).toFixed(2)}×`);

  const byPath = await measure(() => ort.InferenceSession.create(ext.result.modelPath, { intraOpNumThreads: 1 }));
  const fromBytes = await measure(() => ort.InferenceSession.create(inlineBytes, { intraOpNumThreads: 1 }));
  row('session by path (mmap)', byPath, weightMiB);
  row('session from inline bytes', fromBytes, weightMiB);
  console.log(`session create from bytes / by path: ${(fromBytes.ms / byPath.ms).toFixed(2)}×`);
  await byPath.result.release();
  await fromBytes.result.release();
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
