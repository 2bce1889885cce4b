/** Test helpers: run a builder's model in onnxruntime (CPU) and compare with a naive reference. */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { GraphBuilder } from '../../src/onnx/index.js';
import { type Nd, nd, size } from './naive.js';

/** Deterministic values in [-1, 1) (mulberry32), so failures reproduce. */
export function random(shape: readonly number[], seed: number): Nd {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return nd(shape, Array.from({ length: size(shape) }, () => next() * 2 - 1));
}

/** An fp32 copy of a reference tensor's data, for feeds and initializers. */
export function f32(x: Nd): Float32Array {
  return Float32Array.from(x.data);
}

/** The tensor as an fp32 onnxruntime feed. */
export function feed(x: Nd): ort.Tensor {
  return new ort.Tensor('float32', f32(x), [...x.shape]);
}

/** Writes the model in memory (inline weights), runs it once on one CPU thread, and returns every output. */
export async function runGraph(g: GraphBuilder, feeds: Record<string, Nd | ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(await g.toBytes(), { intraOpNumThreads: 1 });
  try {
    const tensors = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, 'dims' in v ? v : feed(v)]));
    return await session.run(tensors);
  } finally {
    await session.release();
  }
}

/** Asserts shape equality and |actual − expected| ≤ tol · max(1, |expected|) element-wise. */
export function expectClose(actual: ort.Tensor, expected: Nd, tol = 1e-5): void {
  expect(actual.dims).toEqual(expected.shape);
  const data = actual.data as Float32Array;
  let worst = 0;
  let where = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const err = Math.abs(data[i]! - expected.data[i]!) / Math.max(1, Math.abs(expected.data[i]!));
    if (!(err <= worst)) {
      worst = err;
      where = i;
    }
  }
  expect(worst, `worst relative error at flat index ${where}`).toBeLessThanOrEqual(tol);
}
