import { closeSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../../src/weights/errors.js';
import { openSafetensors } from '../../src/weights/safetensors-read.js';
import { bytes, errorOf, f32le, le, tempDir } from './helpers.js';

/** A safetensors file assembled by hand from the format's definition: u64 LE length, JSON header, data. */
function handFile(path: string, header: unknown, data: readonly number[] | Uint8Array = []): void {
  const json = typeof header === 'string' ? header : JSON.stringify(header);
  writeFileSync(path, bytes(le(json.length, 8), json, data));
}

describe('reading safetensors', () => {
  const dir = tempDir();

  it('reads an F32 tensor at its data offset', async () => {
    const path = join(dir, 'a.safetensors');
    handFile(path, { b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] }, a: { dtype: 'F32', shape: [], data_offsets: [0, 4] } }, f32le(7, 1.5, -2));
    const src = await openSafetensors(path);
    expect([...(await src.read('b', 'f32'))]).toEqual([1.5, -2]);
    expect([...(await src.read('a', 'f32'))]).toEqual([7]);
    expect(src.info('b')).toEqual({ dtype: 'F32', shape: [2], byteLength: 8 });
    expect(src.keys()).toEqual(['a', 'b']);
    await src.close();
  });

  it('converts F16 to float32 and hands F16 bits through unchanged', async () => {
    const path = join(dir, 'h.safetensors');
    handFile(path, { h: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] } }, [...le(0x3c00, 2), ...le(0xc000, 2), ...le(0x7bff, 2), ...le(0x0001, 2)]);
    const src = await openSafetensors(path);
    expect([...(await src.read('h', 'f32'))]).toEqual([1, -2, 65504, 2 ** -24]);
    expect([...(await src.read('h', 'f16'))]).toEqual([0x3c00, 0xc000, 0x7bff, 0x0001]);
    await src.close();
  });

  it('converts BF16 to float32 and F32 to rounded fp16', async () => {
    const path = join(dir, 'mixed.safetensors');
    handFile(
      path,
      { bf: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] }, f: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
      [...le(0x3f80, 2), ...le(0xc040, 2), ...f32le(1 + 2 ** -11, 65520)],
    );
    const src = await openSafetensors(path);
    expect([...(await src.read('bf', 'f32'))]).toEqual([1, -3]);
    expect([...(await src.read('f', 'f16'))]).toEqual([0x3c00, 0x7c00]);
    await src.close();
  });

  it('reads I64 as BigInt64Array natively and as numbers in float32', async () => {
    const path = join(dir, 'ids.safetensors');
    handFile(path, { ids: { dtype: 'I64', shape: [3], data_offsets: [0, 24] } }, [...le(0, 8), ...le(76, 8), ...le(0xffffffffffffffffn, 8)]);
    const src = await openSafetensors(path);
    expect([...((await src.read('ids', 'native')) as BigInt64Array)]).toEqual([0n, 76n, -1n]);
    expect([...(await src.read('ids', 'f32'))]).toEqual([0, 76, -1]);
    await src.close();
  });

  it('returns the stored bytes for raw reads', async () => {
    const path = join(dir, 'u8.safetensors');
    handFile(path, { m: { dtype: 'U8', shape: [3], data_offsets: [0, 3] } }, [1, 2, 255]);
    const src = await openSafetensors(path);
    expect([...(await src.read('m', 'raw'))]).toEqual([1, 2, 255]);
    await src.close();
  });

  it('exposes __metadata__ and leaves it out of the keys', async () => {
    const path = join(dir, 'meta.safetensors');
    handFile(path, { __metadata__: { format: 'pt' }, x: { dtype: 'F32', shape: [0], data_offsets: [0, 0] } });
    const src = await openSafetensors(path);
    expect(src.metadata).toEqual({ format: 'pt' });
    expect(src.keys()).toEqual(['x']);
    expect((await src.read('x', 'f32')).length).toBe(0);
    await src.close();
  });

  it('tolerates header padding with trailing spaces', async () => {
    const path = join(dir, 'pad.safetensors');
    handFile(path, `${JSON.stringify({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } })}      `, f32le(3));
    const src = await openSafetensors(path);
    expect([...(await src.read('a', 'f32'))]).toEqual([3]);
    await src.close();
  });

  it('reads a tensor that lies beyond 4 GB in a sparse file', async () => {
    const path = join(dir, 'huge.safetensors');
    const begin = 5 * 2 ** 30 + 3;
    const json = JSON.stringify({ far: { dtype: 'F32', shape: [2], data_offsets: [begin, begin + 8] } });
    writeFileSync(path, bytes(le(json.length, 8), json));
    const fd = openSync(path, 'r+');
    writeSync(fd, bytes(f32le(0.25, -8)), 0, 8, 8 + json.length + begin);
    closeSync(fd);
    const src = await openSafetensors(path);
    expect([...(await src.read('far', 'f32'))]).toEqual([0.25, -8]);
    await src.close();
  });
});

describe('refusing bad safetensors files', () => {
  const dir = tempDir();

  async function openError(header: unknown, data: readonly number[] = []): Promise<WeightFileError> {
    const path = join(dir, 'bad.safetensors');
    handFile(path, header, data);
    const error = await errorOf(() => openSafetensors(path));
    expect(error).toBeInstanceOf(WeightFileError);
    return error as WeightFileError;
  }

  it('names a missing file', async () => {
    const error = await errorOf(() => openSafetensors(join(dir, 'nope.safetensors')));
    expect(error.message).toBe(`${join(dir, 'nope.safetensors')}: no such file`);
    expect((error as WeightFileError).code).toBe('not-found');
  });

  it('refuses a file shorter than the length prefix', async () => {
    const path = join(dir, 'tiny.safetensors');
    writeFileSync(path, bytes([1, 2, 3]));
    const error = await errorOf(() => openSafetensors(path));
    expect(error.message).toBe(`${path}: file is 3 bytes, shorter than the 8-byte safetensors header length`);
  });

  it('refuses a header length above the 100 MB cap without allocating it', async () => {
    const path = join(dir, 'long.safetensors');
    writeFileSync(path, bytes(le(2n ** 62n, 8), '{}'));
    const error = await errorOf(() => openSafetensors(path));
    expect(error.message).toContain('safetensors header length 4611686018427387904 exceeds the 104857600-byte limit');
  });

  it('refuses a header length that runs past the end of the file', async () => {
    const path = join(dir, 'cut.safetensors');
    writeFileSync(path, bytes(le(100, 8), '{"a":'));
    const error = (await errorOf(() => openSafetensors(path))) as WeightFileError;
    expect(error.code).toBe('truncated');
    expect(error.message).toBe(`${path}: safetensors header needs 108 bytes but the file has 13 (truncated?)`);
  });

  it('refuses a header that is not JSON', async () => {
    const error = await openError('{"a": [1, 2');
    expect(error.message).toContain('safetensors header is not valid UTF-8 JSON');
  });

  it('refuses a header that is JSON but not an object', async () => {
    expect((await openError([1, 2])).message).toContain('safetensors header is not a JSON object');
  });

  it('refuses metadata values that are not strings', async () => {
    expect((await openError({ __metadata__: { epoch: 3 } })).message).toContain('"__metadata__"."epoch" is not a string');
  });

  it('refuses an unknown dtype and names the tensor', async () => {
    const error = await openError({ w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Array(16).fill(0));
    expect(error.code).toBe('unsupported');
    expect(error.tensor).toBe('w');
    expect(error.message).toContain('tensor "w": dtype "F128" is not supported');
  });

  it('refuses a shape with a negative or fractional dimension', async () => {
    expect((await openError({ w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 0] } })).message).toContain(
      'tensor "w": shape [2, -1] is not a list of non-negative integers',
    );
    expect((await openError({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, f32le(0))).message).toContain(
      'shape [1.5] is not a list',
    );
  });

  it('refuses data offsets that do not match dtype times shape', async () => {
    const error = await openError({ w: { dtype: 'F16', shape: [3], data_offsets: [0, 8] } }, new Array(8).fill(0));
    expect(error.message).toContain('tensor "w": data_offsets [0, 8] span 8 bytes but F16 [3] needs 6');
  });

  it('refuses data offsets in the wrong order', async () => {
    const error = await openError({ w: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, new Array(8).fill(0));
    expect(error.message).toContain('"data_offsets" [8, 4] is not a pair of integers 0 <= begin <= end');
  });

  it('refuses overlapping tensors and names both', async () => {
    const error = await openError(
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
      new Array(12).fill(0),
    );
    expect(error.message).toContain('tensor "b": data [4, 12) overlaps tensor "a" [0, 8)');
  });

  it('reports a truncated data section as truncated, naming the tensor', async () => {
    const error = await openError({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32le(1, 2));
    expect(error.code).toBe('truncated');
    expect(error.message).toContain('tensor "a": data ends at byte 16 of the data section but the file holds only 8 data bytes');
  });

  it('reports a file truncated after opening when the tensor is read', async () => {
    const path = join(dir, 'shrinks.safetensors');
    const header = { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } };
    handFile(path, header, f32le(1, 2, 3, 4));
    const src = await openSafetensors(path);
    truncateSync(path, 8 + JSON.stringify(header).length + 6);
    const error = (await errorOf(() => src.read('a', 'f32'))) as WeightFileError;
    await src.close();
    expect(error.code).toBe('truncated');
    expect(error.tensor).toBe('a');
    expect(error.message).toMatch(/tensor "a": the tensor data needs bytes \d+\.\.\d+ but the file ends at byte \d+ \(truncated\?\)/);
  });

  it('names the missing tensor and refuses reads after close', async () => {
    const path = join(dir, 'ok.safetensors');
    handFile(path, { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32le(1));
    const src = await openSafetensors(path);
    expect(() => src.info('b')).toThrow(`${path}: tensor "b": no such tensor in the file`);
    await src.close();
    expect((await errorOf(() => src.read('a', 'f32'))).message).toBe(`${path}: tensor "a": the file was closed`);
  });

  it('refuses an unknown read mode', async () => {
    const path = join(dir, 'mode.safetensors');
    handFile(path, { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32le(1));
    const src = await openSafetensors(path);
    const error = await errorOf(() => src.read('a', 'f64' as 'f32'));
    await src.close();
    expect(error.message).toContain('unknown read mode "f64"');
  });
});
