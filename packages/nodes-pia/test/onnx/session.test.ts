import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, OnnxSession, OnnxSessionError, SPINNING_ENV, defaultSpinning, ortSessionOptions } from '../../src/onnx/index.js';

describe('OnnxSession', () => {
  let dir: string;
  let modelPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'onnx-session-'));
    const g = new GraphBuilder('affine');
    const x = g.input('x', 'float32', ['n', 2]);
    g.output(g.add(g.mul(x, 2), g.initializer('b', new Float32Array([10, 20]))), 'y');
    modelPath = (await g.save(dir)).modelPath;
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs typed feeds and onnxruntime tensors alike', async () => {
    const session = await OnnxSession.load(modelPath, { threads: 1, optimization: 'basic' });
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['y']);
    const a = await session.run({ x: { dtype: 'float32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } });
    const b = await session.run({ x: new ort.Tensor('float32', new Float32Array([0.5, 0]), [1, 2]) });
    await session.release();
    expect(Array.from(a.y!.data as Float32Array)).toEqual([12, 24, 16, 28]);
    expect(Array.from(b.y!.data as Float32Array)).toEqual([11, 20]);
  });

  it('names the model file when it cannot be loaded', async () => {
    const missing = join(dir, 'missing.onnx');
    const err = await OnnxSession.load(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnnxSessionError);
    expect((err as OnnxSessionError).code).toBe('session-create');
    expect((err as OnnxSessionError).modelPath).toBe(missing);
    expect((err as Error).message).toMatch(new RegExp(`^loading ${missing} failed: `));
  });

  it('names the model file when the file is not a model', async () => {
    const garbage = join(dir, 'garbage.onnx');
    await writeFile(garbage, 'definitely not protobuf');
    const err = await OnnxSession.load(garbage).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnnxSessionError);
    expect((err as Error).message.startsWith(`loading ${garbage} failed: `)).toBe(true);
  });

  it('lists missing and unknown inputs before running', async () => {
    const session = await OnnxSession.load(modelPath, { threads: 1 });
    const err = await session.run({ z: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }).catch((e: unknown) => e);
    await session.release();
    expect(err).toBeInstanceOf(OnnxSessionError);
    expect((err as Error).message).toBe(`running ${modelPath}: missing input(s) x; unknown input(s) z (it has x)`);
  });

  it('wraps an onnxruntime run failure, naming the model file', async () => {
    const session = await OnnxSession.load(modelPath, { threads: 1 });
    const err = await session.run({ x: { dtype: 'float32', shape: [1, 3], data: new Float32Array(3) } }).catch((e: unknown) => e);
    await session.release();
    expect(err).toBeInstanceOf(OnnxSessionError);
    expect((err as OnnxSessionError).code).toBe('session-run');
    expect((err as Error).message).toMatch(new RegExp(`^running ${modelPath} failed: .+`));
  });

  it('loads and runs with thread spinning off and on, onnxruntime-node taking the nested config entries', async () => {
    for (const spinning of [false, true]) {
      const session = await OnnxSession.load(modelPath, { threads: 2, spinning });
      const out = await session.run({ x: { dtype: 'float32', shape: [1, 2], data: new Float32Array([1, 1]) } });
      await session.release();
      expect(Array.from(out.y!.data as Float32Array)).toEqual([12, 22]);
    }
  });
});

describe('thread spinning', () => {
  const entries = (v: string) => ({ session: { intra_op: { allow_spinning: v }, inter_op: { allow_spinning: v } } });

  it('is off by default and on only when PIAGRAPH_ORT_SPINNING is 1', () => {
    expect(SPINNING_ENV).toBe('PIAGRAPH_ORT_SPINNING');
    expect(defaultSpinning({})).toBe(false);
    expect(defaultSpinning({ PIAGRAPH_ORT_SPINNING: '0' })).toBe(false);
    expect(defaultSpinning({ PIAGRAPH_ORT_SPINNING: '1' })).toBe(true);
  });

  it("becomes onnxruntime's session.intra_op / session.inter_op allow_spinning entries, an explicit option winning", () => {
    expect(ortSessionOptions({ spinning: false }).extra).toEqual(entries('0'));
    expect(ortSessionOptions({ spinning: true }).extra).toEqual(entries('1'));
    expect(ortSessionOptions({}).extra).toEqual(entries(defaultSpinning() ? '1' : '0'));
  });

  it('keeps raw extra entries, which override the spinning ones', () => {
    const extra = ortSessionOptions({ spinning: false, ortOptions: { extra: { session: { inter_op: { allow_spinning: '1' } }, optimization: { enable_gelu_approximation: '1' } } } }).extra;
    expect(extra).toEqual({
      session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '1' } },
      optimization: { enable_gelu_approximation: '1' },
    });
  });
});
