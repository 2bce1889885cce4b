import { describe, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/index.js';
import {
  broadcast,
  conv2d,
  groupNorm,
  instanceNorm,
  layerNorm,
  map,
  matmul,
  nd,
  reduceMean,
  softmax,
  transpose,
  upsampleNearest,
} from './naive.js';
import { expectClose, f32, random, runGraph } from './ort-run.js';

describe('nn ops against naive loops', () => {
  it('conv with pads, strides, dilations, groups and bias matches a naive convolution', async () => {
    const x = random([1, 4, 7, 6], 21);
    const w = random([6, 2, 3, 3], 22);
    const b = random([6], 23);
    const options = { pads: [1, 2, 0, 1], strides: [2, 1], dilations: [1, 2], group: 2 };
    const g = new GraphBuilder('conv');
    const y = g.conv(
      g.input('x', 'float32', [1, 4, 7, 6]),
      g.initializer('w', { dtype: 'float32', shape: w.shape, data: f32(w) }),
      g.initializer('b', f32(b)),
      options,
    );
    g.output(y, 'y');
    expectClose((await runGraph(g, { x })).y!, conv2d(x, w, b, options));
  });

  it('conv without bias and with symbolic batch/height/width runs a 3x3 same-padding kernel', async () => {
    const x = random([2, 3, 5, 4], 24);
    const w = random([2, 3, 3, 3], 25);
    const g = new GraphBuilder('conv-nobias');
    const input = g.input('x', 'float32', ['batch', 3, 'height', 'width']);
    g.output(g.conv(input, g.initializer('w', { dtype: 'float32', shape: w.shape, data: f32(w) }), null, { pads: [1, 1, 1, 1] }), 'y');
    expectClose((await runGraph(g, { x })).y!, conv2d(x, w, null, { pads: [1, 1, 1, 1] }));
  });

  it('matMul broadcasts a 2-D right operand over batched rows', async () => {
    const a = random([2, 3, 4, 5], 26);
    const b = random([5, 2], 27);
    const g = new GraphBuilder('matmul');
    g.output(g.matMul(g.input('a', 'float32', [2, 3, 4, 5]), g.input('b', 'float32', [5, 2])), 'y');
    expectClose((await runGraph(g, { a, b })).y!, matmul(a, b));
  });

  it('gemm computes alpha·A·Bᵀ + beta·C', async () => {
    const a = random([3, 4], 28);
    const b = random([5, 4], 29);
    const c = random([5], 30);
    const g = new GraphBuilder('gemm');
    const y = g.gemm(g.input('a', 'float32', [3, 4]), g.input('b', 'float32', [5, 4]), g.input('c', 'float32', [5]), {
      alpha: 0.5,
      beta: 2,
      transB: true,
    });
    g.output(y, 'y');
    const expected = broadcast(map(matmul(a, transpose(b, [1, 0])), (v) => 0.5 * v), c, (u, v) => u + 2 * v);
    expectClose((await runGraph(g, { a, b, c })).y!, expected);
  });

  it('linear with a transposed torch [out, in] weight equals x·Wᵀ + b', async () => {
    const x = random([2, 3, 4], 31);
    const w = random([6, 4], 32);
    const b = random([6], 33);
    const g = new GraphBuilder('linear');
    const wt = g.initializer('proj.weight', { dtype: 'float32', shape: [6, 4], data: f32(w) }, { transpose: true });
    g.output(g.linear(g.input('x', 'float32', [2, 3, 4]), wt, g.initializer('proj.bias', f32(b))), 'y');
    const expected = broadcast(matmul(x, transpose(w, [1, 0])), b, (u, v) => u + v);
    expectClose((await runGraph(g, { x })).y!, expected);
  });

  it('softmax normalises along the chosen axis', async () => {
    const x = map(random([2, 3, 4], 34), (v) => v * 5);
    const g = new GraphBuilder('softmax');
    g.output(g.softmax(g.input('x', 'float32', [2, 3, 4]), 1), 'y');
    expectClose((await runGraph(g, { x })).y!, softmax(x, 1));
  });

  it('reduceMean averages over several axes keeping them', async () => {
    const x = random([2, 3, 4], 35);
    const g = new GraphBuilder('mean');
    g.output(g.reduceMean(g.input('x', 'float32', [2, 3, 4]), [0, 2]), 'y');
    expectClose((await runGraph(g, { x })).y!, reduceMean(x, [0, 2]));
  });

  it('layerNorm normalises the last axis with scale and bias', async () => {
    const x = random([2, 3, 8], 36);
    const s = random([8], 37);
    const b = random([8], 38);
    const g = new GraphBuilder('ln');
    g.output(g.layerNorm(g.input('x', 'float32', [2, 3, 8]), g.initializer('s', f32(s)), g.initializer('b', f32(b)), 1e-5), 'y');
    expectClose((await runGraph(g, { x })).y!, layerNorm(x, s, b, 1e-5));
  });

  it('instanceNorm normalises each (sample, channel) over space', async () => {
    const x = random([2, 3, 4, 5], 39);
    const s = random([3], 40);
    const b = random([3], 41);
    const g = new GraphBuilder('in');
    g.output(g.instanceNorm(g.input('x', 'float32', [2, 3, 4, 5]), g.initializer('s', f32(s)), g.initializer('b', f32(b)), 1e-5), 'y');
    expectClose((await runGraph(g, { x })).y!, instanceNorm(x, s, b, 1e-5));
  });

  it('groupNorm on [N, C, H, W] matches torch GroupNorm with affine', async () => {
    const x = random([2, 6, 3, 4], 42);
    const s = random([6], 43);
    const b = random([6], 44);
    const g = new GraphBuilder('gn4');
    g.output(g.groupNorm(g.input('x', 'float32', [2, 6, 3, 4]), 3, 1e-5, g.initializer('s', f32(s)), g.initializer('b', f32(b))), 'y');
    expectClose((await runGraph(g, { x })).y!, groupNorm(x, 3, 1e-5, s, b));
  });

  it('groupNorm on [B, C, F, H, W] takes statistics across all frames of a sample', async () => {
    const x = random([2, 4, 3, 2, 2], 45);
    const s = random([4], 46);
    const b = random([4], 47);
    const g = new GraphBuilder('gn5');
    g.output(g.groupNorm(g.input('x', 'float32', ['b', 4, 'f', 2, 2]), 2, 1e-6, g.initializer('s', f32(s)), g.initializer('b', f32(b))), 'y');
    expectClose((await runGraph(g, { x })).y!, groupNorm(x, 2, 1e-6, s, b));
  });

  it('groupNorm without affine, and with a scale of unknown static shape, still normalises per group', async () => {
    const x = random([1, 4, 5], 48);
    const s = random([4], 49);
    const g = new GraphBuilder('gn-dyn');
    const input = g.input('x', 'float32', [1, 4, 5]);
    g.output(g.groupNorm(input, 2, 1e-5, null, null), 'plain');
    g.output(g.groupNorm(input, 2, 1e-5, g.input('s', 'float32', [null]), null), 'scaled');
    const out = await runGraph(g, { x, s });
    expectClose(out.plain!, groupNorm(x, 2, 1e-5, null, null));
    expectClose(out.scaled!, groupNorm(x, 2, 1e-5, s, null));
  });

  it('upsampleNearest doubles height and width by repeating pixels, as torch nearest does', async () => {
    const x = random([1, 2, 3, 2], 50);
    const g = new GraphBuilder('up');
    g.output(g.upsampleNearest(g.input('x', 'float32', [1, 2, 3, 2])), 'y');
    expectClose((await runGraph(g, { x })).y!, upsampleNearest(x, 2));
  });

  it('resize to explicit sizes with nearest floor matches integer upsampling', async () => {
    const x = random([1, 1, 2, 3], 51);
    const g = new GraphBuilder('resize-sizes');
    g.output(
      g.resize(g.input('x', 'float32', [1, 1, 2, 3]), {
        sizes: [1, 1, 6, 9],
        coordinateTransformationMode: 'asymmetric',
        nearestMode: 'floor',
      }),
      'y',
    );
    expectClose((await runGraph(g, { x })).y!, upsampleNearest(x, 3));
  });

  it("resizeNearestLike takes the other tensor's odd spatial size at run time, reading row ⌊i·in/out⌋ as torch does", async () => {
    const x = random([1, 2, 3, 2], 54);
    const like = random([1, 5, 5, 3], 55);
    const g = new GraphBuilder('resize-like');
    g.output(g.resizeNearestLike(g.input('x', 'float32', [1, 2, 'h', 'w']), g.input('like', 'float32', [1, 5, 'H', 'W'])), 'y');
    // in 3 → out 5 rows: ⌊0·3/5⌋ … ⌊4·3/5⌋ = 0 0 1 1 2; in 2 → out 3 columns: 0 0 1.
    const rows = [0, 0, 1, 1, 2];
    const cols = [0, 0, 1];
    const expected = nd([1, 2, 5, 3], [0, 1].flatMap((c) => rows.flatMap((r) => cols.map((k) => x.data[(c * 3 + r) * 2 + k]!))));
    expectClose((await runGraph(g, { x, like })).y!, expected);
  });

  it('einsum contracts a batched q·kᵀ', async () => {
    const q = random([2, 3, 4], 52);
    const k = random([2, 5, 4], 53);
    const g = new GraphBuilder('einsum');
    g.output(g.einsum('bid,bjd->bij', g.input('q', 'float32', [2, 3, 4]), g.input('k', 'float32', [2, 5, 4])), 'y');
    expectClose((await runGraph(g, { q, k })).y!, matmul(q, transpose(k, [0, 2, 1])));
  });
});
