import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/index.js';
import { initializersToInputs, redirectInitializers, scanModel } from '../../src/lora/onnx-initializers.js';

/** `y = conv(x, k) → flatten → · wᵀ`, weights inline: k `[2, 1, 1, 1]` = [2, 3], w `[1, 2]` (torch layout) = [10, 100]. */
async function model(): Promise<Uint8Array> {
  const g = new GraphBuilder('scan');
  const x = g.input('x', 'float32', [1, 1, 1, 1]);
  const k = g.initializer('conv.weight', { dtype: 'float32', shape: [2, 1, 1, 1], data: Float32Array.of(2, 3) });
  const w = g.initializer('fc.weight', { dtype: 'float32', shape: [1, 2], data: Float32Array.of(10, 100) }, { transpose: true });
  g.output(g.linear(g.reshape(g.conv(x, k, null, { group: 1 }), [1, 2]), w), 'y');
  return g.toBytes();
}

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor> = {}): Promise<number[]> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    const x = new ort.Tensor('float32', Float32Array.of(1), [1, 1, 1, 1]);
    return [...((await s.run({ x, ...feeds })).y!.data as Float32Array)];
  } finally {
    await s.release();
  }
}

describe('scanModel', () => {
  it('lists initializers with stored dims and the nodes that read them', async () => {
    const scan = scanModel(await model());
    expect(scan.initializers.get('conv.weight')).toMatchObject({ dataType: 1, dims: [2, 1, 1, 1] });
    expect(scan.initializers.get('fc.weight')).toMatchObject({ dataType: 1, dims: [2, 1] });
    expect(scan.initializers.get('fc.weight')!.external).toBeUndefined();
    expect(scan.uses.get('conv.weight')).toEqual([{ opType: 'Conv', input: 1, intAttributes: { group: 1 } }]);
    expect(scan.uses.get('fc.weight')!.map((u) => [u.opType, u.input])).toEqual([['MatMul', 1]]);
  });
});

describe('rewriting initializers', () => {
  it('gives an initializer new inline bytes and keeps the rest of the model', async () => {
    const bytes = await model();
    // 1·2·10 + 1·3·100 = 320 before; with w = [1, −1]: 2 − 3 = −1.
    expect(await run(bytes)).toEqual([320]);
    const raw = new Uint8Array(Float32Array.of(1, -1).buffer);
    expect(await run(redirectInitializers(bytes, new Map([['fc.weight', { raw }]])))).toEqual([-1]);
  });

  it('turns initializers into graph inputs of the same type and shape', async () => {
    const bytes = initializersToInputs(await model(), new Set(['fc.weight']));
    expect(scanModel(bytes).initializers.has('fc.weight')).toBe(false);
    const w = new ort.Tensor('float32', Float32Array.of(0.5, 0.25), [2, 1]);
    expect(await run(bytes, { 'fc.weight': w })).toEqual([1.75]);
  });
});
