import { describe, expect, it } from 'vitest';
import { GraphBuilder, OnnxError, type OnnxDType, type OnnxErrorCode } from '../../src/onnx/index.js';

function expectError(action: () => unknown, code: OnnxErrorCode, message: string): void {
  try {
    action();
  } catch (err) {
    expect(err).toBeInstanceOf(OnnxError);
    expect((err as OnnxError).code).toBe(code);
    expect((err as OnnxError).message).toBe(message);
    return;
  }
  throw new Error('expected an OnnxError');
}

async function expectRejection(action: () => Promise<unknown>, code: OnnxErrorCode, message: string): Promise<void> {
  const err = await action().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OnnxError);
  expect((err as OnnxError).code).toBe(code);
  expect((err as OnnxError).message).toBe(message);
}

const DTYPES = 'float32, uint8, int8, uint16, int16, int32, int64, bool, float16, float64, bfloat16';

describe('builder errors name what was wrong', () => {
  it('rejects an unknown input dtype', () => {
    const g = new GraphBuilder('g');
    expectError(() => g.input('x', 'float33' as OnnxDType), 'unknown-dtype', `input 'x': unknown dtype "float33"; expected one of ${DTYPES}`);
  });

  it('rejects an unknown initializer dtype', () => {
    const g = new GraphBuilder('g');
    expectError(
      () => g.initializer('w', { dtype: 'F32' as OnnxDType, shape: [1], data: new Float32Array(1) }),
      'unknown-dtype',
      `initializer 'w': unknown dtype "F32"; expected one of ${DTYPES}`,
    );
  });

  it('rejects a bare typed array whose dtype is ambiguous', () => {
    const g = new GraphBuilder('g');
    expectError(
      () => g.initializer('h', new Uint16Array(2) as unknown as Float32Array),
      'unknown-dtype',
      "initializer 'h': pass { dtype, shape, data } for a Uint16Array",
    );
  });

  it('rejects data whose length does not match dtype × shape', () => {
    const g = new GraphBuilder('g');
    expectError(
      () => g.initializer('w', { dtype: 'float32', shape: [2, 3], data: new Float32Array(5) }),
      'data-length',
      "initializer 'w': float32 [2, 3] needs 24 bytes but the data has 20",
    );
  });

  it('rejects a lazy tensor of the wrong length when the model is written', async () => {
    const g = new GraphBuilder('g');
    g.output(g.initializer('w', { dtype: 'float16', shape: [4], read: () => new Uint16Array(3) }), 'y');
    await expectRejection(() => g.toBytes(), 'data-length', "initializer 'w': float16 [4] needs 8 bytes but the data has 6");
  });

  it('wraps a failing lazy reader, naming the tensor', async () => {
    const g = new GraphBuilder('g');
    const read = async (): Promise<Float32Array> => {
      throw new Error('disk on fire');
    };
    g.output(g.initializer('w', { dtype: 'float32', shape: [1], read }), 'y');
    await expectRejection(() => g.toBytes(), 'weights-read', "initializer 'w': reading its data failed: disk on fire");
  });

  it('rejects negative or fractional dims', () => {
    const g = new GraphBuilder('g');
    expectError(
      () => g.initializer('w', { dtype: 'float32', shape: [-1], data: new Float32Array(1) }),
      'bad-shape',
      "initializer 'w': shape [-1] must be a list of non-negative integers",
    );
    expectError(
      () => g.input('x', 'float32', [1.5]),
      'bad-shape',
      "input 'x': dims [1.5] must be non-negative integers, symbol names or null",
    );
  });

  it('rejects float16 storage of integer data', () => {
    const g = new GraphBuilder('g');
    expectError(
      () => g.initializer('i', { dtype: 'int64', shape: [1], data: new BigInt64Array(1) }, { dtype: 'float16' }),
      'bad-argument',
      "initializer 'i': cannot store int64 data as float16",
    );
  });

  it('rejects transposing a tensor that is not 2-D', () => {
    const g = new GraphBuilder('g');
    expectError(
      () => g.initializer('w', new Float32Array(3), { transpose: true }),
      'bad-shape',
      "initializer 'w': transpose needs a 2-D tensor, got [3]",
    );
  });

  it('rejects a second input, weight or output with a used name', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', 'float32', [1]);
    expectError(() => g.input('x', 'float32', [1]), 'duplicate-name', "graph 'g': the name 'x' is already used by an input");
    g.initializer('w', new Float32Array(1));
    expectError(() => g.initializer('w', new Float32Array(1)), 'duplicate-name', "graph 'g': the name 'w' is already used by a weight");
    g.output(g.relu(x), 'y');
    expectError(() => g.output(g.sigmoid(x), 'y'), 'duplicate-name', "graph 'g': the name 'y' is already used by a node output");
    expectError(() => g.output(g.tanh(x), 'x'), 'duplicate-name', "graph 'g': the name 'x' is already used by an input");
  });

  it('rejects an output that nothing produces', () => {
    const g = new GraphBuilder('g');
    expectError(() => g.output('ghost'), 'not-produced', "graph 'g': output 'ghost' is never produced by any input, weight or node");
  });

  it('rejects writing a graph without outputs', async () => {
    const g = new GraphBuilder('empty');
    g.input('x', 'float32', [1]);
    await expectRejection(() => g.toBytes(), 'not-produced', "graph 'empty' has no outputs; call output()");
  });

  it('rejects a value from another graph', () => {
    const a = new GraphBuilder('a');
    const b = new GraphBuilder('b');
    const x = a.input('x', 'float32', [1]);
    expectError(() => b.relu(x), 'foreign-value', "graph 'b': Relu in 'b' input 0 is not a value of this graph");
  });

  it('asks for a dtype when an output’s type is unknown', () => {
    const g = new GraphBuilder('g');
    const [noise] = g.node('RandomNormal', [], {});
    expectError(() => g.output(noise!, 'noise'), 'bad-argument', "output 'noise': its dtype is not known; pass { dtype }");
  });

  it('rejects nonsensical op arguments', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', 'float32', ['n', 'c']);
    expectError(() => g.split(x, 0, 1), 'bad-argument', 'split: 0 is not a number of parts');
    expectError(() => g.groupNorm(x, 0, 1e-5, null, null), 'bad-argument', 'groupNorm: groups must be a positive integer, got 0');
    expectError(() => g.attention(x, x, x, { heads: 0 }), 'bad-argument', 'attention: heads must be a positive integer, got 0');
    expectError(
      () => g.attention(x, x, x, { heads: 2, fused: false }),
      'bad-argument',
      "attention on 'x': its head size is not known statically; pass headDim or scale",
    );
    expectError(() => g.resize(x, { scales: [1, 2], sizes: [1, 2] }), 'bad-argument', 'resize: give exactly one of scales or sizes');
    expectError(() => g.concat([], 0), 'bad-argument', 'concat: needs at least one input');
    expectError(() => g.constant('float32', [2, 2], [1, 2, 3]), 'data-length', 'constant [2, 2] needs 4 values, got 3');
  });

  it('rejects a custom domain without an opset version', async () => {
    const g = new GraphBuilder('g');
    g.output(g.node('Foo', [g.input('x', 'float32', [1])], {}, { domain: 'ai.example' })[0]!, 'y');
    await expectRejection(() => g.toBytes(), 'bad-argument', "graph 'g': no opset version for domain 'ai.example'; pass opsets");
  });

  it('rejects an alignment that is not a positive integer', async () => {
    const g = new GraphBuilder('g');
    g.output(g.relu(g.input('x', 'float32', [1])), 'y');
    await expectRejection(() => g.save('/nonexistent', { align: 0 }), 'bad-argument', 'save: align must be a positive integer, got 0');
  });
});
