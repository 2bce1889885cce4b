import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType, type ModelProto, ModelProtoSchema, TensorProto_DataLocation, TensorProto_DataType } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, IR_VERSION, ONNX_OPSET } from '../../src/onnx/index.js';

/** A small graph that exercises every attribute type, symbolic/fixed/unknown dims and a contrib op. */
function build(): GraphBuilder {
  const g = new GraphBuilder('decode-me', { docString: 'for the decoder' });
  const x = g.input('x', 'float32', ['batch', 4, 'height', null]);
  const w = g.initializer('conv.weight', { dtype: 'float32', shape: [4, 4, 3, 3], data: new Float32Array(144).fill(0.5) });
  const b = g.initializer('conv.bias', new Float32Array([1, 2, 3, 4]));
  const y = g.scope('block', () => g.conv(x, w, b, { pads: [1, 1, 1, 1], strides: [1, 1] }));
  const ln = g.layerNorm(y, g.constFloat([1, 1, 1, 1]), null, 1e-6);
  const up = g.upsampleNearest(ln);
  const seq = g.reshape(up, [0, 4, -1]);
  const attn = g.attention(seq, seq, seq, { heads: 2, scale: 0.25 });
  g.output(attn, 'out', { shape: ['batch', 4, 'tokens'] });
  return g;
}

describe('written models decoded with the independent onnx-buf schema', () => {
  let model: ModelProto;
  let external: ModelProto;
  let dir: string;

  beforeAll(async () => {
    model = fromBinary(ModelProtoSchema, await build().toBytes());
    dir = await mkdtemp(join(tmpdir(), 'onnx-decode-'));
    const saved = await build().save(dir, { weightsFile: 'w.bin' });
    external = fromBinary(ModelProtoSchema, await readFile(saved.modelPath));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('declares IR 8, the default opset 17 and com.microsoft 1 when a contrib op is used', () => {
    expect(model.irVersion).toBe(BigInt(IR_VERSION));
    expect(IR_VERSION).toBe(8);
    const opsets = model.opsetImport.map((o) => [o.domain, Number(o.version)]);
    expect(opsets).toEqual([
      ['', ONNX_OPSET],
      ['com.microsoft', 1],
    ]);
    expect(ONNX_OPSET).toBe(17);
    expect(model.producerName).toBe('piagraph');
    expect(model.graph?.docString).toBe('for the decoder');
  });

  it('writes input dims as dim_param, dim_value or empty', () => {
    const input = model.graph!.input[0]!;
    expect(input.name).toBe('x');
    const tensor = input.type!.value.case === 'tensorType' ? input.type!.value.value : undefined;
    expect(tensor?.elemType).toBe(TensorProto_DataType.FLOAT);
    expect(tensor?.shape?.dim.map((d) => d.value)).toEqual([
      { case: 'dimParam', value: 'batch' },
      { case: 'dimValue', value: 4n },
      { case: 'dimParam', value: 'height' },
      { case: undefined, value: undefined },
    ]);
  });

  it('writes INTS, INT, FLOAT, STRING and TENSOR attributes with their types', () => {
    const nodes = model.graph!.node;
    const conv = nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.name).toBe('block/Conv');
    const pads = conv.attribute.find((a) => a.name === 'pads')!;
    expect(pads.type).toBe(AttributeProto_AttributeType.INTS);
    expect(pads.ints).toEqual([1n, 1n, 1n, 1n]);
    const ln = nodes.find((n) => n.opType === 'LayerNormalization')!;
    const eps = ln.attribute.find((a) => a.name === 'epsilon')!;
    expect(eps.type).toBe(AttributeProto_AttributeType.FLOAT);
    expect(eps.f).toBeCloseTo(1e-6, 12);
    expect(ln.attribute.find((a) => a.name === 'axis')).toMatchObject({ type: AttributeProto_AttributeType.INT, i: -1n });
    const resize = nodes.find((n) => n.opType === 'Resize')!;
    const mode = resize.attribute.find((a) => a.name === 'mode')!;
    expect(mode.type).toBe(AttributeProto_AttributeType.STRING);
    expect(new TextDecoder().decode(mode.s)).toBe('nearest');
    expect(resize.input[1]).toBe('');
    const reshapeShape = nodes.find((n) => n.opType === 'Constant' && n.output[0] === nodes.find((m) => m.opType === 'Reshape')!.input[1])!;
    const value = reshapeShape.attribute[0]!;
    expect(value.type).toBe(AttributeProto_AttributeType.TENSOR);
    expect(value.t?.dataType).toBe(TensorProto_DataType.INT64);
    expect(value.t?.dims).toEqual([3n]);
    expect(Array.from(new BigInt64Array(value.t!.rawData.slice().buffer))).toEqual([0n, 4n, -1n]);
  });

  it('puts the contrib op in the com.microsoft domain with its float scale', () => {
    const mha = model.graph!.node.find((n) => n.opType === 'MultiHeadAttention')!;
    expect(mha.domain).toBe('com.microsoft');
    expect(mha.attribute.find((a) => a.name === 'num_heads')?.i).toBe(2n);
    expect(mha.attribute.find((a) => a.name === 'scale')?.f).toBe(0.25);
  });

  it('names the output after the renamed producing node and keeps its symbolic dims', () => {
    const out = model.graph!.output[0]!;
    expect(out.name).toBe('out');
    expect(model.graph!.node.at(-1)!.output).toEqual(['out']);
    const tensor = out.type!.value.case === 'tensorType' ? out.type!.value.value : undefined;
    expect(tensor?.shape?.dim.map((d) => d.value.value)).toEqual(['batch', 4n, 'tokens']);
  });

  it('stores inline weights as raw_data with their dims', () => {
    const bias = model.graph!.initializer.find((t) => t.name === 'conv.bias')!;
    expect(bias.dims).toEqual([4n]);
    expect(Array.from(new Float32Array(bias.rawData.slice().buffer))).toEqual([1, 2, 3, 4]);
    expect(bias.dataLocation).toBe(TensorProto_DataLocation.DEFAULT);
  });

  it('stores external weights as location/offset/length entries at 4096-aligned offsets', () => {
    const entries = external.graph!.initializer.map((t) => ({
      name: t.name,
      location: t.dataLocation,
      raw: t.rawData.length,
      data: Object.fromEntries(t.externalData.map((e) => [e.key, e.value])),
    }));
    expect(entries).toEqual([
      { name: 'conv.weight', location: TensorProto_DataLocation.EXTERNAL, raw: 0, data: { location: 'w.bin', offset: '0', length: '576' } },
      { name: 'conv.bias', location: TensorProto_DataLocation.EXTERNAL, raw: 0, data: { location: 'w.bin', offset: '4096', length: '16' } },
    ]);
  });
});
