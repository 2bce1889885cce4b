import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/index.js';
import { broadcast, erf, map, nd } from './naive.js';
import { expectClose, random, runGraph } from './ort-run.js';

const a = random([2, 3, 4], 1);
const b = random([3, 1], 2);
const positive = map(random([2, 3, 4], 3), (v) => v + 1.5);

describe('element-wise ops against naive loops', () => {
  const binaries = [
    ['add', (x: number, y: number) => x + y],
    ['sub', (x: number, y: number) => x - y],
    ['mul', (x: number, y: number) => x * y],
    ['div', (x: number, y: number) => x / (y + 2)],
  ] as const;

  for (const [op, f] of binaries) {
    it(`${op} broadcasts a [3, 1] operand over [2, 3, 4]`, async () => {
      const g = new GraphBuilder(op);
      const x = g.input('a', 'float32', [2, 3, 4]);
      const y = g.input('b', 'float32', [3, 1]);
      g.output(g[op](x, op === 'div' ? g.add(y, 2) : y), 'y');
      const out = await runGraph(g, { a, b });
      expectClose(out.y!, broadcast(a, b, f));
    });
  }

  it('pow raises positive values to a broadcast exponent', async () => {
    const g = new GraphBuilder('pow');
    const x = g.input('a', 'float32', [2, 3, 4]);
    const y = g.input('b', 'float32', [3, 1]);
    g.output(g.pow(x, y), 'y');
    const out = await runGraph(g, { a: positive, b });
    expectClose(out.y!, broadcast(positive, b, (u, v) => u ** v));
  });

  it('turns a number operand into a scalar of the other operand, on either side', async () => {
    const g = new GraphBuilder('scalars');
    const x = g.input('a', 'float32', [2, 3, 4]);
    g.output(g.sub(0.25, g.mul(x, 3)), 'y');
    const out = await runGraph(g, { a });
    expectClose(out.y!, map(a, (v) => 0.25 - 3 * v));
  });

  const unaries = [
    ['sqrt', Math.sqrt, positive],
    ['erf', erf, a],
    ['sigmoid', (v: number) => 1 / (1 + Math.exp(-v)), a],
    ['tanh', Math.tanh, a],
    ['relu', (v: number) => Math.max(v, 0), a],
    ['exp', Math.exp, a],
    ['neg', (v: number) => -v, a],
    ['sin', Math.sin, a],
    ['cos', Math.cos, a],
    ['silu', (v: number) => v / (1 + Math.exp(-v)), a],
    ['gelu', (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2)), a],
  ] as const;

  for (const [op, f, input] of unaries) {
    it(`${op} matches its definition element by element`, async () => {
      const g = new GraphBuilder(op);
      g.output(g[op](g.input('x', 'float32', [2, 3, 4])), 'y');
      const out = await runGraph(g, { x: input });
      expectClose(out.y!, map(input, f));
    });
  }

  it('clip clamps to both bounds, and to a lower bound alone', async () => {
    const g = new GraphBuilder('clip');
    const x = g.input('x', 'float32', [2, 3, 4]);
    g.output(g.clip(x, -0.5, 0.25), 'both');
    g.output(g.clip(x, 0), 'lower');
    const out = await runGraph(g, { x: a });
    expectClose(out.both!, map(a, (v) => Math.min(Math.max(v, -0.5), 0.25)));
    expectClose(out.lower!, map(a, (v) => Math.max(v, 0)));
  });

  it('where picks from x where the condition holds and from a scalar elsewhere', async () => {
    const g = new GraphBuilder('where');
    const x = g.input('x', 'float32', [2, 3, 4]);
    const cond = g.input('c', 'bool', [2, 3, 4]);
    g.output(g.where(cond, x, -7), 'y');
    const mask = Uint8Array.from(a.data, (v) => (v > 0 ? 1 : 0));
    const out = await runGraph(g, { x: a, c: new ort.Tensor('bool', mask, [2, 3, 4]) });
    expectClose(out.y!, map(a, (v) => (v > 0 ? v : -7)));
  });

  it('cast to int64 truncates toward zero and reports int64', async () => {
    const g = new GraphBuilder('cast');
    const y = g.cast(g.input('x', 'float32', [4]), 'int64');
    expect(y.dtype).toBe('int64');
    g.output(y, 'y');
    const out = await runGraph(g, { x: nd([4], [2.7, -2.7, 0.2, 5]) });
    expect(Array.from(out.y!.data as BigInt64Array)).toEqual([2n, -2n, 0n, 5n]);
  });
});
