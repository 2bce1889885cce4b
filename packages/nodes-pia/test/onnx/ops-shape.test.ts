import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/index.js';
import { at, broadcast, concat, nd, slice, transpose, unravel } from './naive.js';
import { expectClose, f32, random, runGraph } from './ort-run.js';

const x = random([2, 3, 4], 11);

function graph(name: string): [GraphBuilder, ReturnType<GraphBuilder['input']>] {
  const g = new GraphBuilder(name);
  return [g, g.input('x', 'float32', [2, 3, 4])];
}

describe('shape ops against naive index arithmetic', () => {
  it('reshape copies a 0 dim and infers a -1 dim, keeping row-major order', async () => {
    const [g, input] = graph('reshape');
    g.output(g.reshape(input, [0, -1]), 'y');
    const out = await runGraph(g, { x });
    expectClose(out.y!, nd([2, 12], x.data));
  });

  it('transpose permutes axes', async () => {
    const [g, input] = graph('transpose');
    g.output(g.transpose(input, [2, 0, 1]), 'y');
    const out = await runGraph(g, { x });
    expectClose(out.y!, transpose(x, [2, 0, 1]));
  });

  it('concat joins along the middle axis', async () => {
    const [g, input] = graph('concat');
    const other = g.input('z', 'float32', [2, 2, 4]);
    g.output(g.concat([input, other, input], 1), 'y');
    const z = random([2, 2, 4], 12);
    const out = await runGraph(g, { x, z });
    expectClose(out.y!, concat([x, z, x], 1));
  });

  it('split into equal parts and into given sizes gives the matching slices', async () => {
    const [g, input] = graph('split');
    const [p0, p1] = g.split(input, 2, 2);
    const [s0, s1] = g.split(input, [1, 2], 1);
    g.output(p0!, 'p0');
    g.output(p1!, 'p1');
    g.output(s0!, 's0');
    g.output(s1!, 's1');
    const out = await runGraph(g, { x });
    expectClose(out.p0!, slice(x, [0], [2], [2], [1]));
    expectClose(out.p1!, slice(x, [2], [4], [2], [1]));
    expectClose(out.s0!, slice(x, [0], [1], [1], [1]));
    expectClose(out.s1!, slice(x, [1], [3], [1], [1]));
  });

  it('slice takes negative starts and steps on chosen axes', async () => {
    const [g, input] = graph('slice');
    g.output(g.slice(input, [-3, 0], [1000, 4], [1, 2], [1, 2]), 'y');
    const out = await runGraph(g, { x });
    expectClose(out.y!, slice(x, [-3, 0], [1000, 4], [1, 2], [1, 2]));
  });

  it('slice without axes applies to the leading axes', async () => {
    const [g, input] = graph('slice-lead');
    g.output(g.slice(input, [1], [2]), 'y');
    const out = await runGraph(g, { x });
    expectClose(out.y!, slice(x, [1], [2], [0], [1]));
  });

  it('gather with a list keeps the axis and with a number drops it', async () => {
    const [g, input] = graph('gather');
    g.output(g.gather(input, [2, 0, 2], 1), 'list');
    g.output(g.gather(input, 3, 2), 'scalar');
    const out = await runGraph(g, { x });
    const list = nd([2, 3, 4], Array.from({ length: 24 }, (_, i) => {
      const [n, j, k] = unravel(i, [2, 3, 4]) as [number, number, number];
      return at(x, [n, [2, 0, 2][j]!, k]);
    }));
    expectClose(out.list!, list);
    expectClose(out.scalar!, nd([2, 3], Array.from({ length: 6 }, (_, i) => at(x, [Math.floor(i / 3), i % 3, 3]))));
  });

  it('unsqueeze then squeeze round-trips, and squeeze without axes drops every 1', async () => {
    const [g, input] = graph('squeeze');
    const u = g.unsqueeze(input, [0, 3]);
    g.output(u, 'u', { shape: [1, 2, 3, 1, 4] });
    g.output(g.squeeze(u, [3]), 'partial');
    g.output(g.squeeze(u), 'all');
    const out = await runGraph(g, { x });
    expectClose(out.u!, nd([1, 2, 3, 1, 4], x.data));
    expectClose(out.partial!, nd([1, 2, 3, 4], x.data));
    expectClose(out.all!, x);
  });

  it('expand broadcasts to a larger shape', async () => {
    const g = new GraphBuilder('expand');
    const v = g.input('v', 'float32', [3, 1]);
    g.output(g.expand(v, [2, 3, 4]), 'y');
    const small = random([3, 1], 13);
    const out = await runGraph(g, { v: small });
    expectClose(out.y!, broadcast(small, nd([2, 3, 4], new Array(24).fill(0)), (s) => s));
  });

  it('shape reports dims, optionally a start..end window, as int64', async () => {
    const [g, input] = graph('shape');
    g.output(g.shape(input), 'all');
    g.output(g.shape(input, 1, 3), 'window');
    const out = await runGraph(g, { x });
    expect(Array.from(out.all!.data as BigInt64Array)).toEqual([2n, 3n, 4n]);
    expect(Array.from(out.window!.data as BigInt64Array)).toEqual([3n, 4n]);
  });

  it('constantOfShape fills a computed shape with a value', async () => {
    const [g, input] = graph('fill');
    g.output(g.constantOfShape(g.shape(input), 0.5), 'y');
    const out = await runGraph(g, { x });
    expectClose(out.y!, nd([2, 3, 4], new Array(24).fill(0.5)));
  });

  it('range counts from start below limit by delta', async () => {
    const [g, input] = graph('range');
    g.output(input, 'x');
    g.output(g.range(2, 11, 3), 'r');
    const out = await runGraph(g, { x });
    expect(Array.from(out.r!.data as BigInt64Array)).toEqual([2n, 5n, 8n]);
  });

  it('identity passes values through unchanged', async () => {
    const [g, input] = graph('identity');
    g.output(g.identity(input), 'y');
    const out = await runGraph(g, { x });
    expect(out.y!.data).toEqual(f32(x));
  });
});
