import { describe, expect, it } from 'vitest';
import { GraphBuilder, MS_DOMAIN } from '../../src/onnx/index.js';
import { attention } from './naive.js';
import { expectClose, random, runGraph } from './ort-run.js';

const q = random([2, 3, 8], 61);
const k = random([2, 5, 8], 62);
const v = random([2, 5, 8], 63);

function inputs(g: GraphBuilder, symbolic = false) {
  return [
    g.input('q', 'float32', symbolic ? ['b', 's', 8] : [2, 3, 8]),
    g.input('k', 'float32', symbolic ? ['b', 'l', 8] : [2, 5, 8]),
    g.input('v', 'float32', symbolic ? ['b', 'l', 8] : [2, 5, 8]),
  ] as const;
}

describe('attention against a naive per-head loop', () => {
  it('com.microsoft MultiHeadAttention runs on the CPU EP and matches softmax(QKᵀ/√d)V', async () => {
    const g = new GraphBuilder('mha');
    const y = g.attention(...inputs(g), { heads: 2 });
    g.output(y, 'y', { shape: [2, 3, 8] });
    expect(g.snapshot().domains.has(MS_DOMAIN)).toBe(true);
    expectClose((await runGraph(g, { q, k, v })).y!, attention(q, k, v, 2));
  });

  it('the fused op honours an explicit scale', async () => {
    const g = new GraphBuilder('mha-scale');
    g.output(g.multiHeadAttention(...inputs(g, true), { heads: 4, scale: 0.3 }), 'y', { shape: ['b', 's', 8] });
    expectClose((await runGraph(g, { q, k, v })).y!, attention(q, k, v, 4, 0.3));
  });

  it('the plain-op fallback matches, taking the head size from the static query shape', async () => {
    const g = new GraphBuilder('plain');
    g.output(g.attention(...inputs(g), { heads: 2, fused: false }), 'y');
    expectClose((await runGraph(g, { q, k, v })).y!, attention(q, k, v, 2));
  });

  it('the plain-op fallback takes headDim when the query shape is symbolic', async () => {
    const g = new GraphBuilder('plain-sym');
    g.output(g.plainAttention(...inputs(g, true), { heads: 4, headDim: 2 }), 'y');
    expectClose((await runGraph(g, { q, k, v })).y!, attention(q, k, v, 4));
  });

  it('fused and plain forms agree with each other on the same graph', async () => {
    const g = new GraphBuilder('both');
    const [qi, ki, vi] = inputs(g);
    g.output(g.attention(qi, ki, vi, { heads: 2 }), 'fused', { shape: [2, 3, 8] });
    g.output(g.attention(qi, ki, vi, { heads: 2, fused: false }), 'plain');
    const out = await runGraph(g, { q, k, v });
    const fused = out.fused!.data as Float32Array;
    const plain = out.plain!.data as Float32Array;
    for (let i = 0; i < fused.length; i++) expect(Math.abs(fused[i]! - plain[i]!)).toBeLessThan(1e-5);
  });
});
