import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnsafePickleError, WeightFileError } from '../../src/weights/errors.js';
import { openTorchCheckpoint } from '../../src/weights/torch-zip.js';
import { bytes, errorOf, f32le, le, tempDir } from './helpers.js';
import { writeHandZip } from './zip-by-hand.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const X = (s: string): Uint8Array => bytes('X', le(s.length, 4), s);

interface HandTensor {
  key: string;
  storage: string;
  storageKey: string;
  numel: number;
  offset?: number;
  shape: number[];
  stride: number[];
}

/** A torch-style state dict pickle assembled by hand, without memoisation: MARK tuples and BININT throughout. */
function handStateDict(tensors: readonly HandTensor[], prelude = ''): Uint8Array {
  const ints = (values: number[]): (string | number[])[] => ['(', ...values.flatMap((v) => ['J', le(v, 4)]), 't'];
  return bytes(
    '\x80\x02',
    prelude,
    'ccollections\nOrderedDict\n)R(',
    ...tensors.flatMap((t) => [
      X(t.key),
      'ctorch._utils\n_rebuild_tensor_v2\n((',
      X('storage'),
      `ctorch\n${t.storage}\n`,
      X(t.storageKey),
      X('cpu'),
      'J',
      le(t.numel, 4),
      'tQJ',
      le(t.offset ?? 0, 4),
      ...ints(t.shape),
      ...ints(t.stride),
      '\x89ccollections\nOrderedDict\n)RtR',
    ]),
    'u.',
  );
}

describe('reading PyTorch checkpoints written by Python pickle and zipfile', () => {
  const dir = tempDir();

  it.each(['python-protocol2.ckpt', 'python-protocol4.ckpt'])('reads every tensor of %s with its dtype, shape and values', async (name) => {
    const src = await openTorchCheckpoint(join(fixtures, name));
    expect(src.keys()).toEqual(['model.w', 'model.h', 'model.tail', 'model.l']);
    expect(src.info('model.w')).toEqual({ dtype: 'F32', shape: [2, 3], byteLength: 24 });
    expect([...(await src.read('model.w', 'f32'))]).toEqual([-1, -0.5, 0, 0.5, 1, 1.5]);
    expect([...(await src.read('model.h', 'f32'))]).toEqual([1, -2, 65504, 2 ** -24]);
    expect([...(await src.read('model.h', 'f16'))]).toEqual([0x3c00, 0xc000, 0x7bff, 0x0001]);
    expect([...((await src.read('model.l', 'native')) as BigInt64Array)]).toEqual([-1n, 2n ** 40n]);
    await src.close();
  });

  it('reads a view that starts at a storage offset into a shared storage', async () => {
    const src = await openTorchCheckpoint(join(fixtures, 'python-protocol2.ckpt'));
    expect(src.info('model.tail')).toEqual({ dtype: 'F32', shape: [3], byteLength: 12 });
    expect([...(await src.read('model.tail', 'f32'))]).toEqual([0.5, 1, 1.5]);
    await src.close();
  });

  it('exposes top-level scalars as metadata', async () => {
    const src = await openTorchCheckpoint(join(fixtures, 'python-protocol2.ckpt'));
    expect(src.metadata).toEqual({ epoch: '7', global_step: '1099511627776' });
    await src.close();
  });

  it('flattens the state_dict wrapper into dotted keys when asked not to unwrap it', async () => {
    const src = await openTorchCheckpoint(join(fixtures, 'python-protocol4.ckpt'), { unwrapStateDict: false });
    expect(src.keys()).toEqual(['state_dict.model.w', 'state_dict.model.h', 'state_dict.model.tail', 'state_dict.model.l']);
    await src.close();
  });

  it('reads the same tensors whatever the extension of the file', async () => {
    const path = join(dir, 'weights.bin');
    copyFileSync(join(fixtures, 'python-protocol2.ckpt'), path);
    const src = await openTorchCheckpoint(path);
    expect([...(await src.read('model.w', 'f32'))]).toEqual([-1, -0.5, 0, 0.5, 1, 1.5]);
    await src.close();
  });
});

describe('reading hand-assembled checkpoints', () => {
  const dir = tempDir();
  const w = { key: 'w', storage: 'FloatStorage', storageKey: '0', numel: 4, shape: [2, 2], stride: [2, 1] };

  it('reads tensors of a hand-written pickle in a hand-written zip', async () => {
    const path = join(dir, 'hand.ckpt');
    const b = { key: 'b', storage: 'BFloat16Storage', storageKey: '1', numel: 2, shape: [2], stride: [1] };
    writeHandZip(path, [
      { name: 'm/data.pkl', data: handStateDict([w, b]) },
      { name: 'm/data/0', data: bytes(f32le(1, 2, 3, 4)) },
      { name: 'm/data/1', data: bytes(le(0x3f80, 2), le(0xc040, 2)) },
    ]);
    const src = await openTorchCheckpoint(path);
    expect([...(await src.read('w', 'f32'))]).toEqual([1, 2, 3, 4]);
    expect([...(await src.read('b', 'f32'))]).toEqual([1, -3]);
    await src.close();
  });

  it('accepts size-1 dimensions with any stride, as torch leaves them', async () => {
    const path = join(dir, 'unit.ckpt');
    writeHandZip(path, [
      { name: 'a/data.pkl', data: handStateDict([{ ...w, shape: [4, 1], stride: [1, 7] }]) },
      { name: 'a/data/0', data: bytes(f32le(1, 2, 3, 4)) },
    ]);
    const src = await openTorchCheckpoint(path);
    expect([...(await src.read('w', 'f32'))]).toEqual([1, 2, 3, 4]);
    await src.close();
  });

  it('reads zip64 archives whose storage lies beyond 4 GB (sparse file)', async () => {
    const path = join(dir, 'far.ckpt');
    writeHandZip(
      path,
      [
        { name: 'archive/data.pkl', data: handStateDict([w]) },
        { name: 'archive/data/0', data: bytes(f32le(5, 6, 7, 8)), at: 5 * 2 ** 30 + 11 },
      ],
      true,
    );
    const src = await openTorchCheckpoint(path);
    expect([...(await src.read('w', 'f32'))]).toEqual([5, 6, 7, 8]);
    await src.close();
  });
});

describe('refusing malicious and damaged checkpoints', () => {
  const dir = tempDir();
  const w = { key: 'w', storage: 'FloatStorage', storageKey: '0', numel: 4, shape: [4], stride: [1] };
  const goodData = { name: 'archive/data/0', data: bytes(f32le(1, 2, 3, 4)) };

  async function openError(name: string, entries: Parameters<typeof writeHandZip>[1]): Promise<WeightFileError> {
    const path = join(dir, name);
    writeHandZip(path, entries);
    const error = await errorOf(() => openTorchCheckpoint(path));
    expect(error).toBeInstanceOf(WeightFileError);
    return error as WeightFileError;
  }

  it('refuses a pickle that calls os.system, and nothing runs', async () => {
    const marker = join(dir, 'pwned');
    const evil = bytes('\x80\x02cos\nsystem\nq\x00', X(`touch ${marker}`), '\x85q\x01Rq\x02.');
    const error = await openError('evil.ckpt', [{ name: 'archive/data.pkl', data: evil }]);
    expect(error).toBeInstanceOf(UnsafePickleError);
    expect((error as UnsafePickleError).global).toBe('os.system');
    expect(error.message).toContain(`${join(dir, 'evil.ckpt')}: pickle refers to the global "os.system"`);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a global hidden inside a tensor entry', async () => {
    const evil = handStateDict([w]).slice(0, -2);
    const payload = bytes(evil, X('x'), 'cbuiltins\nexec\n', X('import os'), '\x85Rsu.');
    const error = await openError('exec.ckpt', [{ name: 'archive/data.pkl', data: payload }, goodData]);
    expect((error as UnsafePickleError).global).toBe('builtins.exec');
  });

  it('reports a file cut in half as not a complete zip', async () => {
    const path = join(dir, 'half.ckpt');
    copyFileSync(join(fixtures, 'python-protocol2.ckpt'), path);
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    const error = await errorOf(() => openTorchCheckpoint(path));
    expect(error.message).toBe(`${path}: no zip end-of-central-directory record (not a zip archive, or truncated)`);
  });

  it('reports a storage whose local header was overwritten, naming the tensor', async () => {
    const path = join(dir, 'smashed.ckpt');
    copyFileSync(join(fixtures, 'python-protocol2.ckpt'), path);
    const file = readFileSync(path);
    const at = file.indexOf('torch_like/data/1') - 30;
    file.fill(0, at, at + 4);
    writeFileSync(path, file);
    const src = await openTorchCheckpoint(path);
    const error = (await errorOf(() => src.read('model.h', 'f32'))) as WeightFileError;
    await src.close();
    expect(error.tensor).toBe('model.h');
    expect(error.message).toBe(`${path}: tensor "model.h": zip entry "torch_like/data/1" has no local header at byte ${at}`);
  });

  it('reports a storage record that runs past the end of the file', async () => {
    const path = join(dir, 'short.ckpt');
    writeHandZip(path, [{ name: 'archive/data.pkl', data: handStateDict([w]) }, goodData]);
    const file = readFileSync(path);
    // Claim a larger stored size for data/0 in the central directory (both size fields of the entry).
    const central = file.lastIndexOf('archive/data/0') - 46;
    file.writeUInt32LE(10_000, central + 20);
    file.writeUInt32LE(10_000, central + 24);
    writeFileSync(path, file);
    const src = await openTorchCheckpoint(path);
    const error = (await errorOf(() => src.read('w', 'f32'))) as WeightFileError;
    await src.close();
    expect(error.code).toBe('truncated');
    expect(error.message).toContain('tensor "w": zip entry "archive/data/0" needs bytes up to');
  });

  it('refuses a tensor whose storage record is missing', async () => {
    const error = await openError('missing.ckpt', [{ name: 'archive/data.pkl', data: handStateDict([{ ...w, storageKey: '9' }]) }, goodData]);
    expect(error.message).toContain('tensor "w": storage record "archive/data/9" is missing');
  });

  it('refuses a storage record smaller than its element count', async () => {
    const error = await openError('small.ckpt', [{ name: 'archive/data.pkl', data: handStateDict([{ ...w, numel: 100, shape: [100] }]) }, goodData]);
    expect(error.message).toContain('tensor "w": storage record "archive/data/0" holds 16 bytes but 100 F32 elements need 400');
  });

  it('refuses a view that runs past its storage', async () => {
    const error = await openError('past.ckpt', [{ name: 'archive/data.pkl', data: handStateDict([{ ...w, offset: 2 }]) }, goodData]);
    expect(error.message).toContain('tensor "w": view [2, +4) runs past its storage of 4 elements');
  });

  it('refuses a non-contiguous view, naming the tensor', async () => {
    const error = await openError('strided.ckpt', [
      { name: 'archive/data.pkl', data: handStateDict([{ ...w, shape: [2, 2], stride: [1, 2] }]) },
      goodData,
    ]);
    expect(error.code).toBe('unsupported');
    expect(error.message).toContain('tensor "w": is a non-contiguous view (stride [1, 2] for shape [2, 2]); save it after .contiguous()');
  });

  it('refuses big-endian storages', async () => {
    const error = await openError('big.ckpt', [{ name: 'archive/data.pkl', data: handStateDict([w]) }, { name: 'archive/byteorder', data: 'big' }, goodData]);
    expect(error.message).toContain('storages are "big"-endian; only little-endian is read');
  });

  it('refuses a zip without data.pkl', async () => {
    const error = await openError('nopkl.ckpt', [goodData]);
    expect(error.message).toContain('zip archive has no <archive>/data.pkl record: not a PyTorch checkpoint');
  });

  it('refuses a TorchScript archive', async () => {
    const error = await openError('script.pt', [{ name: 'model/constants.pkl', data: '\x80\x02).' }, { name: 'model/code/m.py', data: '' }]);
    expect(error.message).toContain('is a TorchScript archive, not a saved state dict');
  });

  it('refuses a pickle whose root is not a dict', async () => {
    const error = await openError('list.ckpt', [{ name: 'archive/data.pkl', data: bytes('\x80\x02]K\x01a.') }]);
    expect(error.message).toContain('checkpoint does not hold a dict of tensors');
  });

  it('refuses a persistent id that is not a storage tuple', async () => {
    const error = await openError('pid.ckpt', [{ name: 'archive/data.pkl', data: bytes('\x80\x02}', X('w'), X('oops'), 'Qs.') }]);
    expect(error.message).toContain("persistent id is not a ('storage', type, key, location, numel) tuple");
  });

  it('refuses a dict that contains itself', async () => {
    const error = await openError('cycle.ckpt', [{ name: 'archive/data.pkl', data: bytes('\x80\x02}q\x00', X('self'), 'h\x00s.') }]);
    expect(error.message).toContain('dict under "self." contains itself');
  });

  it('refuses a file that is not a zip at all', async () => {
    const path = join(dir, 'noise.ckpt');
    writeFileSync(path, new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff));
    expect((await errorOf(() => openTorchCheckpoint(path))).message).toContain('no zip end-of-central-directory record');
  });
});
