/** Builds a small graph with the model code, runs it in onnxruntime, and hands out random weights by key pattern. */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/onnx/index.js';
import type { KeySpec } from '../../../src/checkpoints/key-table.js';
import { weightsFromArrays, type Builder, type ModelWeights } from '../../../src/models/tensors.js';
import { randn, tensor, type T } from '../naive/tensor.js';

/**
 * Random weights for `specs` whose names start with `prefix`: fan-in-scaled normals, norm scales around 1.
 * The graph sees names without the prefix unless `keepPrefix`; the naive lookup always takes them without.
 */
export function randomWeights(
  specs: readonly KeySpec[],
  prefix: string,
  seed: number,
  keepPrefix = false,
): { weights: ModelWeights; naive: (name: string) => T } {
  const arrays = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  let s = seed;
  for (const spec of specs) {
    if (!spec.name.startsWith(prefix)) continue;
    const rel = spec.name.slice(prefix.length);
    // Every 1-D `.weight` is a norm scale.
    const isNorm = spec.shape.length === 1 && spec.name.endsWith('.weight');
    const fanIn = spec.shape.length > 1 ? spec.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
    const t = randn(spec.shape, s++, spec.shape.length > 1 ? 1 / Math.sqrt(fanIn) : 0.1);
    if (isNorm) for (let i = 0; i < t.data.length; i++) t.data[i]! += 1;
    arrays.set(rel, { shape: spec.shape, data: t.data });
  }
  if (arrays.size === 0) throw new Error(`no weights under '${prefix}'`);
  return {
    weights: weightsFromArrays(keepPrefix ? [...arrays].map(([k, v]) => [prefix + k, v] as const) : arrays),
    naive: (name) => {
      const a = arrays.get(name);
      if (!a) throw new Error(`no weight ${name}`);
      return tensor(a.shape, a.data);
    },
  };
}

/** Builds with `build` and runs once on `feeds`; returns every output. */
export async function runGraph(build: (g: Builder) => void, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const g = new GraphBuilder('test');
  build(g);
  const bytes = await g.toBytes();
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 2 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

export const f32 = (t: T): ort.Tensor => new ort.Tensor('float32', t.data, t.dims as number[]);
