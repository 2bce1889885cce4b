import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../../src/weights/errors.js';
import { openSafetensors } from '../../src/weights/safetensors-read.js';
import { writeSafetensors } from '../../src/weights/safetensors-write.js';
import type { TensorToWrite } from '../../src/weights/tensor-input.js';
import { errorOf, tempDir } from './helpers.js';

/** Parse a file by the format's definition, without the reader under test. */
function parseByHand(path: string): { headerLength: number; header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>; data: Buffer } {
  const file = readFileSync(path);
  const headerLength = Number(file.readBigUInt64LE(0));
  return { headerLength, header: JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')), data: file.subarray(8 + headerLength) };
}

describe('writing safetensors', () => {
  const dir = tempDir();

  it('writes values that read back bit for bit', async () => {
    const path = join(dir, 'rt.safetensors');
    const w = Float32Array.of(1, -2.5, 3e-8, 65504);
    const h = Uint16Array.of(0x3c00, 0x8000, 0x7c00);
    const ids = BigInt64Array.of(-5n, 2n ** 40n);
    const summary = await writeSafetensors(path, {
      w: { dtype: 'F32', shape: [2, 2], data: w },
      h: { dtype: 'F16', shape: [3], data: h },
      ids: { dtype: 'I64', shape: [2], data: ids },
    });
    expect(summary.tensors).toBe(3);
    const src = await openSafetensors(path);
    expect([...(await src.read('w', 'f32'))]).toEqual([...w]);
    expect([...(await src.read('h', 'f16'))]).toEqual([...h]);
    expect([...((await src.read('ids', 'native')) as BigInt64Array)]).toEqual([...ids]);
    expect(src.info('w').shape).toEqual([2, 2]);
    await src.close();
  });

  it('packs tensors without gaps, larger elements first then by name, each aligned to its element size', async () => {
    const path = join(dir, 'layout.safetensors');
    await writeSafetensors(path, {
      z16: { dtype: 'F16', shape: [3], data: new Uint16Array(3) },
      a8: { dtype: 'U8', shape: [5], data: new Uint8Array(5) },
      b32: { dtype: 'F32', shape: [1], data: new Float32Array(1) },
      a32: { dtype: 'F32', shape: [2], data: new Float32Array(2) },
      i64: { dtype: 'I64', shape: [1], data: new BigInt64Array(1) },
    });
    const { headerLength, header } = parseByHand(path);
    expect((8 + headerLength) % 8).toBe(0);
    const order = Object.entries(header).sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
    expect(order.map(([name]) => name)).toEqual(['i64', 'a32', 'b32', 'z16', 'a8']);
    expect(order.map(([, e]) => e.data_offsets)).toEqual([
      [0, 8],
      [8, 16],
      [16, 20],
      [20, 26],
      [26, 31],
    ]);
  });

  it('stores metadata under __metadata__', async () => {
    const path = join(dir, 'meta.safetensors');
    await writeSafetensors(path, { x: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } }, { metadata: { format: 'pt', note: 'tiny' } });
    expect(parseByHand(path).header.__metadata__).toEqual({ format: 'pt', note: 'tiny' });
    const src = await openSafetensors(path);
    expect(src.metadata).toEqual({ format: 'pt', note: 'tiny' });
    await src.close();
  });

  it('asks lazy tensors for their data one at a time, in storage order, after the previous one was written', async () => {
    const path = join(dir, 'lazy.safetensors');
    const calls: string[] = [];
    const lazy = (name: string, value: number): [string, TensorToWrite] => [
      name,
      {
        dtype: 'F32',
        shape: [1024],
        data: async () => {
          // Everything asked for before was already written when the next tensor is produced.
          const partial = readdirSync(dir).find((f) => f.startsWith('lazy.safetensors.'));
          calls.push(`${name}:${partial === undefined ? 'none' : readFileSync(join(dir, partial)).length}`);
          return new Float32Array(1024).fill(value);
        },
      },
    ];
    function* generate(): Generator<[string, TensorToWrite]> {
      yield lazy('b', 2);
      yield lazy('a', 1);
      yield lazy('c', 3);
    }
    await writeSafetensors(path, generate());
    const headerEnd = 8 + parseByHand(path).headerLength;
    expect(calls).toEqual([`a:${headerEnd}`, `b:${headerEnd + 4096}`, `c:${headerEnd + 8192}`]);
    const src = await openSafetensors(path);
    expect((await src.read('c', 'f32'))[1023]).toBe(3);
    await src.close();
  });

  it('writes a zero-element tensor and a scalar', async () => {
    const path = join(dir, 'edge.safetensors');
    await writeSafetensors(path, { empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }, s: { dtype: 'F64', shape: [], data: Float64Array.of(0.1) } });
    const src = await openSafetensors(path);
    expect((await src.read('empty', 'f32')).length).toBe(0);
    expect([...((await src.read('s', 'native')) as Float64Array)]).toEqual([0.1]);
    await src.close();
  });
});

describe('refusing bad writer input', () => {
  const dir = tempDir();

  async function writeError(path: string, tensors: Parameters<typeof writeSafetensors>[1], metadata?: Record<string, string>): Promise<WeightFileError> {
    const error = await errorOf(() => writeSafetensors(path, tensors, metadata === undefined ? {} : { metadata }));
    expect(error).toBeInstanceOf(WeightFileError);
    return error as WeightFileError;
  }

  it('refuses data whose length does not match the shape, naming the tensor, and leaves no file behind', async () => {
    const path = join(dir, 'short.safetensors');
    const error = await writeError(path, { ok: { dtype: 'F32', shape: [1], data: Float32Array.of(1) }, w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } });
    expect(error.message).toBe(`${path}: tensor "w": data holds 8 bytes but F32 [3] needs 12`);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('short'))).toEqual([]);
  });

  it('refuses an unknown dtype', async () => {
    const error = await writeError(join(dir, 'x.safetensors'), { w: { dtype: 'F128' as 'F32', shape: [1], data: new Uint8Array(16) } });
    expect(error.message).toContain('tensor "w": dtype "F128" is not supported');
  });

  it('refuses a shape with a negative dimension', async () => {
    const error = await writeError(join(dir, 'x.safetensors'), { w: { dtype: 'F32', shape: [-1], data: new Uint8Array(0) } });
    expect(error.message).toContain('tensor "w": shape must be a list of non-negative integers');
  });

  it('refuses a name given twice', async () => {
    const t: TensorToWrite = { dtype: 'U8', shape: [1], data: new Uint8Array(1) };
    const error = await writeError(join(dir, 'x.safetensors'), [
      ['w', t],
      ['w', t],
    ]);
    expect(error.message).toContain('tensor "w": the tensor name is given twice');
  });

  it('refuses the reserved name __metadata__', async () => {
    const error = await writeError(join(dir, 'x.safetensors'), { __metadata__: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } });
    expect(error.message).toContain('tensor "__metadata__": the name is reserved for metadata');
  });

  it('refuses metadata that is not a string', async () => {
    const error = await writeError(join(dir, 'x.safetensors'), {}, { epoch: 3 as unknown as string });
    expect(error.message).toContain('metadata "epoch" is not a string');
  });

  it('refuses a callback that returns something other than a typed array', async () => {
    const error = await writeError(join(dir, 'x.safetensors'), { w: { dtype: 'U8', shape: [1], data: () => [1] as unknown as Uint8Array } });
    expect(error.message).toContain('tensor "w": data is not a typed array');
  });
});
