import { fromBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { ModelProtoSchema, TensorProto_DataType } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/index.js';
import { float32ToHalf, halfToFloat32 } from '../../src/weights/half.js';
import { broadcast, map, matmul, nd } from './naive.js';
import { f32, random, runGraph } from './ort-run.js';

// Hand-derived binary16 roundings: 0.1 → 0x2E66 = 1638/16384; 1/3 → 0x3555 = 1365/4096;
// 1e-8 < 2^-25 → 0; 3e-8 > 2^-25 → 2^-24 (smallest subnormal); 70000 > 65520 → +Inf.
const VALUES = [0.1, 1 / 3, 65504, 1e-8, 3e-8, -2.5, 70000];
const ROUNDED = [1638 / 16384, 1365 / 4096, 65504, 0, 2 ** -24, -2.5, Infinity];

describe('float16 weights', () => {
  it('stores fp32 data as fp16 when asked, rounding to nearest even', async () => {
    const g = new GraphBuilder('f16');
    const w = g.initializer('w', new Float32Array(VALUES), { dtype: 'float16' });
    expect(w.dtype).toBe('float16');
    g.output(g.cast(w, 'float32'), 'y');
    const bytes = await g.toBytes();
    const t = fromBinary(ModelProtoSchema, bytes).graph!.initializer[0]!;
    expect(t.dataType).toBe(TensorProto_DataType.FLOAT16);
    expect(t.rawData.length).toBe(2 * VALUES.length);
    const out = await runGraph(g, {});
    expect(Array.from(out.y!.data as Float32Array)).toEqual(ROUNDED);
  });

  it('runs a whole fp16 model when the builder stores floats as float16', async () => {
    const x = random([3, 4], 81);
    const w = random([4, 2], 82);
    const b = random([2], 83);
    const g = new GraphBuilder('f16-model', { floatDtype: 'float16' });
    const input = g.input('x', 'float16', [3, 4]);
    const weight = g.initializer('w', { dtype: 'float32', shape: [4, 2], data: f32(w) });
    const bias = g.initializer('b', f32(b));
    g.output(g.mul(g.linear(input, weight, bias), 0.5), 'y');
    const out = await runGraph(g, { x: new ort.Tensor('float16', float32ToHalf(f32(x)), [3, 4]) });
    expect(out.y!.type).toBe('float16');
    const got = halfToFloat32(out.y!.data as Uint16Array);
    // Reference from the fp16-rounded operands; fp16 results carry ~3 significant digits.
    const round = (v: number) => halfToFloat32(float32ToHalf(new Float32Array([v])))[0]!;
    const want = map(broadcast(matmul(map(x, round), map(w, round)), map(b, round), (u, v) => u + v), (v) => v * 0.5);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - want.data[i]!)).toBeLessThan(2e-3);
  });

  it('widens fp16 and bf16 sources to fp32 exactly', async () => {
    const g = new GraphBuilder('widen');
    // fp16: 1, −2, 65504, 2^-24; bf16: 1, −3, 0.25 (the top 16 bits of the fp32 patterns).
    const h = g.initializer('h', { dtype: 'float16', shape: [4], data: new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]) }, { dtype: 'float32' });
    const bf = g.initializer('bf', { dtype: 'bfloat16', shape: [3], data: new Uint16Array([0x3f80, 0xc040, 0x3e80]) }, { dtype: 'float32' });
    g.output(h, 'h_out');
    g.output(bf, 'bf_out');
    const out = await runGraph(g, {});
    expect(Array.from(out.h_out!.data as Float32Array)).toEqual([1, -2, 65504, 2 ** -24]);
    expect(Array.from(out.bf_out!.data as Float32Array)).toEqual([1, -3, 0.25]);
  });

  it('makes float constants in the builder’s float type', async () => {
    const g = new GraphBuilder('const16', { floatDtype: 'float16' });
    const c = g.constFloat([0.1, -1]);
    expect(c.dtype).toBe('float16');
    g.output(g.cast(c, 'float32'), 'y');
    const out = await runGraph(g, {});
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1638 / 16384, -1]);
  });

  it('keeps integer weights untouched in a float16 builder', async () => {
    const g = new GraphBuilder('ints16', { floatDtype: 'float16' });
    const idx = g.initializer('idx', { dtype: 'int64', shape: [2], data: new BigInt64Array([2n, 0n]) });
    expect(idx.dtype).toBe('int64');
    g.output(g.gather(g.input('x', 'float32', [3]), idx), 'y');
    const out = await runGraph(g, { x: nd([3], [5, 6, 7]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([7, 5]);
  });
});
