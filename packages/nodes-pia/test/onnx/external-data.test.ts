import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, OnnxSession } from '../../src/onnx/index.js';
import { broadcast, matmul, transpose } from './naive.js';
import { expectClose, f32, random } from './ort-run.js';

const x = random([2, 5], 71);
const w1 = random([5, 300], 72); // 6000 bytes: spans more than one page
const b1 = random([300], 73);
const w2 = random([300, 3], 74);

function twoLayer(read: (name: string, data: Float32Array) => () => Promise<Float32Array>): GraphBuilder {
  const g = new GraphBuilder('mlp');
  const input = g.input('x', 'float32', ['batch', 5]);
  const source = (name: string, data: Float32Array, shape: number[]) =>
    g.initializer(name, { dtype: 'float32', shape, read: read(name, data) });
  const h = g.scope('fc1', () => g.linear(input, source('fc1.weight', f32(w1), [5, 300]), source('fc1.bias', f32(b1), [300])));
  const y = g.scope('fc2', () => g.matMul(g.relu(h), source('fc2.weight', f32(w2), [300, 3])));
  g.output(y, 'y');
  return g;
}

function expected() {
  const h = broadcast(matmul(x, w1), b1, (u, v) => Math.max(u + v, 0));
  return matmul(h, w2);
}

describe('external weights in one page-aligned file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'onnx-ext-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes each tensor at a 4096-aligned offset, with its exact bytes', async () => {
    const out = join(dir, 'aligned');
    await mkdir(out);
    const saved = await twoLayer((_n, d) => async () => d).save(out);
    expect(saved.weightsPath).toBe(join(out, 'model.weights.bin'));
    const model = fromBinary(ModelProtoSchema, await readFile(saved.modelPath));
    const offsets = model.graph!.initializer.map((t) => Number(t.externalData.find((e) => e.key === 'offset')!.value));
    // fc1.weight 6000 B → next page 8192; fc1.bias 1200 B → 12288; fc2.weight 3600 B ends at 15888.
    expect(offsets).toEqual([0, 8192, 12288]);
    expect(saved.weightsBytes).toBe(12288 + 3600);
    expect((await stat(saved.weightsPath!)).size).toBe(12288 + 3600);
    const weights = await readFile(saved.weightsPath!);
    expect(new Float32Array(weights.buffer.slice(weights.byteOffset + 8192, weights.byteOffset + 8192 + 1200))).toEqual(f32(b1));
    expect(saved.modelBytes).toBeLessThan(2000);
    expect(saved.tensors).toBe(3);
  });

  it('loads by path from another working directory and computes the MLP', async () => {
    const out = join(dir, 'by-path');
    await mkdir(out);
    const saved = await twoLayer((_n, d) => async () => d).save(out, { weightsFile: 'mlp.bin' });
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      const session = await OnnxSession.load(saved.modelPath, { threads: 1 });
      const result = await session.run({ x: { dtype: 'float32', shape: [2, 5], data: f32(x) } });
      await session.release();
      expectClose(result.y!, expected());
    } finally {
      process.chdir(cwd);
    }
  });

  it('reads lazy tensors only while saving, once each, one at a time', async () => {
    const calls: string[] = [];
    let active = 0;
    let maxActive = 0;
    const g = twoLayer((name, data) => async () => {
      calls.push(name);
      maxActive = Math.max(maxActive, ++active);
      await new Promise((r) => setTimeout(r, 2));
      active--;
      return data;
    });
    expect(calls).toEqual([]);
    const out = join(dir, 'lazy');
    await mkdir(out);
    await g.save(out);
    expect(calls).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight']);
    expect(maxActive).toBe(1);
  });

  it('honours another alignment', async () => {
    const out = join(dir, 'align64');
    await mkdir(out);
    const saved = await twoLayer((_n, d) => async () => d).save(out, { align: 64 });
    const model = fromBinary(ModelProtoSchema, await readFile(saved.modelPath));
    const offsets = model.graph!.initializer.map((t) => Number(t.externalData.find((e) => e.key === 'offset')!.value));
    expect(offsets).toEqual([0, 6016, 7232]);
  });

  it('saves weights inline when external is false, and the model still loads by path', async () => {
    const out = join(dir, 'inline');
    await mkdir(out);
    const saved = await twoLayer((_n, d) => async () => d).save(out, { external: false, modelFile: 'inline.onnx' });
    expect(saved.weightsPath).toBeUndefined();
    expect(saved.modelBytes).toBeGreaterThan(6000 + 1200 + 3600);
    const session = await OnnxSession.load(saved.modelPath, { threads: 1 });
    const result = await session.run({ x: { dtype: 'float32', shape: [2, 5], data: f32(x) } });
    await session.release();
    expectClose(result.y!, expected());
  });

  it('writes a transposed lazy weight so MatMul sees [in, out]', async () => {
    const g = new GraphBuilder('t');
    const torchWeight = transpose(w2, [1, 0]); // [3, 300], torch Linear layout
    const wt = g.initializer('w', { dtype: 'float32', shape: [3, 300], read: async () => f32(torchWeight) }, { transpose: true });
    expect(wt.shape).toEqual([300, 3]);
    g.output(g.matMul(g.input('h', 'float32', [1, 300]), wt), 'y');
    const out = join(dir, 'transposed');
    await mkdir(out);
    const saved = await g.save(out);
    const h = random([1, 300], 75);
    const session = await OnnxSession.load(saved.modelPath, { threads: 1 });
    const result = await session.run({ h: { dtype: 'float32', shape: [1, 300], data: f32(h) } });
    await session.release();
    expectClose(result.y!, matmul(h, w2), 1e-5);
  });
});
