import { describe, expect, it } from 'vitest';
import { GraphBuilder, OnnxError, weightTensor } from '../../src/onnx/index.js';
import type { WeightDType } from '../../src/weights/dtype.js';
import type { ReadAs, WeightSource } from '../../src/weights/weight-source.js';
import { runGraph } from './ort-run.js';

/** A checkpoint stand-in holding raw little-endian bytes, counting reads. */
function fakeSource(tensors: Record<string, { dtype: WeightDType; shape: number[]; bytes: Uint8Array }>) {
  const reads: string[] = [];
  const source = {
    path: '/models/fake.safetensors',
    format: 'safetensors',
    files: ['/models/fake.safetensors'],
    metadata: {},
    keys: () => Object.keys(tensors),
    has: (key: string) => key in tensors,
    info: (key: string) => ({ dtype: tensors[key]!.dtype, shape: tensors[key]!.shape, byteLength: tensors[key]!.bytes.length }),
    read: async (key: string, as: ReadAs) => {
      expect(as).toBe('raw');
      reads.push(key);
      return tensors[key]!.bytes;
    },
    close: async () => {},
  } as unknown as WeightSource;
  return { source, reads };
}

describe('weightTensor', () => {
  it('declares a checkpoint tensor now and reads its raw bytes only when the model is written', async () => {
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer); // bf16 1, −3
    const f16 = new Uint8Array(new Uint16Array([0x3800]).buffer); // fp16 0.5
    const { source, reads } = fakeSource({
      'a.weight': { dtype: 'BF16', shape: [2], bytes: bf16 },
      'b.weight': { dtype: 'F16', shape: [1], bytes: f16 },
    });
    const g = new GraphBuilder('ckpt');
    const a = g.initializer('a.weight', weightTensor(source, 'a.weight'), { dtype: 'float32' });
    const b = g.initializer('b.weight', weightTensor(source, 'b.weight'), { dtype: 'float32' });
    g.output(g.mul(a, b), 'y');
    expect(reads).toEqual([]);
    const out = await runGraph(g, {});
    expect(reads).toEqual(['a.weight', 'b.weight']);
    expect(Array.from(out.y!.data as Float32Array)).toEqual([0.5, -1.5]);
  });

  it('rejects a checkpoint dtype that ONNX initializers here cannot hold, naming tensor and file', () => {
    const { source } = fakeSource({ 'f8.weight': { dtype: 'F8_E4M3', shape: [1], bytes: new Uint8Array(1) } });
    expect(() => weightTensor(source, 'f8.weight')).toThrow(OnnxError);
    expect(() => weightTensor(source, 'f8.weight')).toThrow(
      "tensor 'f8.weight' of /models/fake.safetensors: F8_E4M3 has no ONNX initializer type here",
    );
  });
});
