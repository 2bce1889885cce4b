import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/index.js';
import { nd } from './naive.js';
import { runGraph } from './ort-run.js';

async function decode(g: GraphBuilder) {
  return fromBinary(ModelProtoSchema, await g.toBytes()).graph!;
}

describe('GraphBuilder naming', () => {
  it('names nodes after their scope path and op type, numbering repeats', async () => {
    const g = new GraphBuilder('names');
    const x = g.input('x', 'float32', [2]);
    const y = g.scope('down_blocks.0', () =>
      g.scope('resnets.1', () => {
        expect(g.scopePath).toBe('down_blocks.0.resnets.1');
        return g.relu(g.relu(x));
      }),
    );
    g.output(g.relu(y), 'y');
    const graph = await decode(g);
    expect(graph.node.map((n) => n.name)).toEqual(['down_blocks.0.resnets.1/Relu', 'down_blocks.0.resnets.1/Relu_1', 'Relu']);
    expect(graph.node[1]!.input).toEqual(['down_blocks.0.resnets.1/Relu']);
  });

  it('uses an explicit node name inside the scope', async () => {
    const g = new GraphBuilder('explicit');
    const x = g.input('x', 'float32', [2]);
    const [y] = g.scope('attn', () => g.node('Relu', [x], {}, { name: 'to_q' }));
    g.output(y!, 'y');
    expect((await decode(g)).node[0]!.name).toBe('attn/to_q');
  });

  it('keeps weight names absolute whatever the scope', () => {
    const g = new GraphBuilder('weights');
    const w = g.scope('conv_in', () => g.initializer('conv_in.weight', new Float32Array(1)));
    expect(w.name).toBe('conv_in.weight');
    expect(w.kind).toBe('initializer');
  });

  it('renames a node output that becomes a graph output, everywhere it is used', async () => {
    const g = new GraphBuilder('rename');
    const x = g.input('x', 'float32', [2]);
    const h = g.relu(x);
    const z = g.neg(h);
    g.output(h, 'hidden');
    g.output(z, 'z');
    const graph = await decode(g);
    expect(graph.node[0]!.output).toEqual(['hidden']);
    expect(graph.node[1]!.input).toEqual(['hidden']);
    const out = await runGraph(g, { x: nd([2], [-1, 2]) });
    expect(Array.from(out.hidden!.data as Float32Array)).toEqual([0, 2]);
    expect(Array.from(out.z!.data as Float32Array)).toEqual([-0, -2]);
  });

  it('outputs an input or a weight through an Identity node', async () => {
    const g = new GraphBuilder('identity');
    const x = g.input('x', 'float32', [2]);
    g.output(x, 'x_copy');
    g.output(g.initializer('w', new Float32Array([3, 4])), 'w_copy');
    const graph = await decode(g);
    expect(graph.node.map((n) => [n.opType, n.input[0], n.output[0]])).toEqual([
      ['Identity', 'x', 'x_copy'],
      ['Identity', 'w', 'w_copy'],
    ]);
    const out = await runGraph(g, { x: nd([2], [1, 2]) });
    expect(Array.from(out.w_copy!.data as Float32Array)).toEqual([3, 4]);
  });

  it('shares identical small constants', async () => {
    const g = new GraphBuilder('constants');
    const x = g.input('x', 'float32', [2]);
    const a = g.reshape(x, [2, 1]);
    const b = g.reshape(x, [2, 1]);
    expect(g.constInt64([2, 1])).toBe(g.constInt64([2, 1]));
    g.output(g.add(a, b), 'y');
    expect((await decode(g)).node.filter((n) => n.opType === 'Constant')).toHaveLength(1);
  });

  it('tracks dtypes: ops keep their input’s, Shape gives int64, inputs and weights keep shapes', () => {
    const g = new GraphBuilder('types');
    const x = g.input('x', 'float16', ['b', 4]);
    expect(g.relu(x).dtype).toBe('float16');
    expect(g.mul(x, 2).dtype).toBe('float16');
    expect(g.shape(x).dtype).toBe('int64');
    expect(x.shape).toEqual(['b', 4]);
    expect(g.initializer('w', { dtype: 'float32', shape: [4, 3], data: new Float32Array(12) }).shape).toEqual([4, 3]);
  });
});
