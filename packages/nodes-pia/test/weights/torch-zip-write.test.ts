import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WeightDType } from '../../src/weights/dtype.js';
import { WeightFileError } from '../../src/weights/errors.js';
import { listTensors, type TensorToWrite } from '../../src/weights/tensor-input.js';
import { openTorchCheckpoint } from '../../src/weights/torch-zip.js';
import { pickleStateDict, writeTorchCheckpoint } from '../../src/weights/torch-zip-write.js';
import { bytes, errorOf, le, tempDir } from './helpers.js';

const X = (s: string): Uint8Array => bytes('X', le(s.length, 4), s);
const hasPython = spawnSync('python3', ['-c', 'import pickle, zipfile'], { stdio: 'ignore' }).status === 0;

/** Local headers walked by hand from the start of the file: name and data offset of each record. */
function localRecords(file: Buffer): { name: string; dataOffset: number }[] {
  const out: { name: string; dataOffset: number }[] = [];
  let at = 0;
  while (file.readUInt32LE(at) === 0x04034b50) {
    const nameLength = file.readUInt16LE(at + 26);
    const extraLength = file.readUInt16LE(at + 28);
    const name = file.subarray(at + 30, at + 30 + nameLength).toString();
    const dataOffset = at + 30 + nameLength + extraLength;
    out.push({ name, dataOffset });
    at = dataOffset + file.readUInt32LE(at + 22);
  }
  return out;
}

describe('the pickle torch.save writes', () => {
  const dir = tempDir();

  it('is, for one float tensor, the exact opcode sequence Python emits', () => {
    const expected = bytes(
      '\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01',
      X('w'), 'q\x02',
      'ctorch._utils\n_rebuild_tensor_v2\nq\x03',
      '((', X('storage'), 'q\x04', 'ctorch\nFloatStorage\nq\x05', X('0'), 'q\x06', X('cpu'), 'q\x07', 'K\x02tq\x08',
      'QK\x00', 'K\x02\x85q\x09', 'K\x01\x85q\x0a', '\x89', 'h\x00)Rq\x0b', 'tq\x0c', 'Rq\x0d',
      's.',
    );
    const tensors = listTensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array(2) } }, 'x.ckpt');
    expect(Buffer.from(pickleStateDict(tensors, 'x.ckpt')).toString('latin1')).toBe(Buffer.from(expected).toString('latin1'));
  });

  it.skipIf(!hasPython)('matches Python pickle byte for byte on 1,005 tensors, and Python zipfile checks the archive', async () => {
    const specs: [string, WeightDType, number[]][] = [
      ['conv.weight', 'F32', [4, 3, 3, 3]],
      ['scalar', 'F64', []],
      ['half', 'F16', [70000]],
      ['ids', 'I64', [1, 77]],
      ['mask', 'BOOL', [2]],
      ...Array.from({ length: 1000 }, (_, i): [string, WeightDType, number[]] => [`block.${i}.bias`, i % 2 ? 'BF16' : 'F32', [i + 1]]),
    ];
    const tensors: [string, TensorToWrite][] = specs.map(([name, dtype, shape]) => [
      name,
      { dtype, shape, data: () => new Uint8Array(shape.reduce((a, b) => a * b, 1) * ({ F32: 4, F64: 8, F16: 2, I64: 8, BOOL: 1, BF16: 2 } as Record<string, number>)[dtype]!) },
    ]);
    const path = join(dir, 'model.ckpt');
    await writeTorchCheckpoint(path, tensors, { nestUnder: 'state_dict' });
    writeFileSync(join(dir, 'specs.json'), JSON.stringify(specs));
    const script = `
import collections, io, json, pickle, sys, types, zipfile
torch = types.ModuleType('torch'); utils = types.ModuleType('torch._utils')
sys.modules['torch'] = torch; sys.modules['torch._utils'] = utils
names = {'F32': 'FloatStorage', 'F64': 'DoubleStorage', 'F16': 'HalfStorage', 'BF16': 'BFloat16Storage', 'I64': 'LongStorage', 'BOOL': 'BoolStorage'}
for n in names.values():
    c = type(n, (), {}); c.__module__ = 'torch'; setattr(torch, n, c)
def _rebuild_tensor_v2(*a): pass
_rebuild_tensor_v2.__module__ = 'torch._utils'; utils._rebuild_tensor_v2 = _rebuild_tensor_v2
class S:
    def __init__(s, cls, key, numel): s.cls, s.key, s.numel = cls, key, numel
class T:
    def __init__(s, st, shape): s.st, s.shape = st, shape
    def __reduce_ex__(s, p):
        stride, step = [], 1
        for d in reversed(s.shape): stride.insert(0, step); step *= d
        return (_rebuild_tensor_v2, (s.st, 0, tuple(s.shape), tuple(stride), False, collections.OrderedDict()))
class P(pickle.Pickler):
    def persistent_id(s, o): return ('storage', o.cls, o.key, 'cpu', o.numel) if isinstance(o, S) else None
specs = json.load(open(sys.argv[2]))
sd = collections.OrderedDict()
for i, (name, dtype, shape) in enumerate(specs):
    n = 1
    for d in shape: n *= d
    sd[name] = T(S(getattr(torch, names[dtype]), str(i), n), shape)
buf = io.BytesIO(); P(buf, protocol=2).dump({'state_dict': sd})
z = zipfile.ZipFile(sys.argv[1])
ours = z.read('model/data.pkl') if 'model/data.pkl' in z.namelist() else z.read('archive/data.pkl')
assert z.testzip() is None, 'CRC mismatch'
f = open(sys.argv[1], 'rb').read()
misaligned = []
for info in z.infolist():
    nl = int.from_bytes(f[info.header_offset + 26:info.header_offset + 28], 'little')
    el = int.from_bytes(f[info.header_offset + 28:info.header_offset + 30], 'little')
    if (info.header_offset + 30 + nl + el) % 64: misaligned.append(info.filename)
print(json.dumps({'same': ours == buf.getvalue(), 'ours': len(ours), 'python': len(buf.getvalue()), 'misaligned': misaligned, 'names': z.namelist()[:4] + z.namelist()[-2:]}))
`;
    const run = spawnSync('python3', ['-c', script, path, join(dir, 'specs.json')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      same: true,
      ours: expect.any(Number),
      python: expect.any(Number),
      misaligned: [],
      names: ['archive/data.pkl', 'archive/.format_version', 'archive/byteorder', 'archive/data/0', 'archive/version', 'archive/.data/serialization_id'],
    });
  });
});

describe('writing PyTorch checkpoints', () => {
  const dir = tempDir();

  it('round-trips tensors of every storage dtype', async () => {
    const path = join(dir, 'rt.ckpt');
    const values = {
      f32: Float32Array.of(1.5, -2),
      f64: Float64Array.of(0.1),
      f16: Uint16Array.of(0x3c00, 0x7bff),
      bf16: Uint16Array.of(0x3f80),
      i64: BigInt64Array.of(-3n, 2n ** 50n),
      i32: Int32Array.of(-7),
      u8: Uint8Array.of(9),
      bool: Uint8Array.of(1, 0),
    };
    await writeTorchCheckpoint(path, {
      f32: { dtype: 'F32', shape: [2, 1], data: values.f32 },
      f64: { dtype: 'F64', shape: [], data: values.f64 },
      f16: { dtype: 'F16', shape: [2], data: values.f16 },
      bf16: { dtype: 'BF16', shape: [1], data: values.bf16 },
      i64: { dtype: 'I64', shape: [2], data: values.i64 },
      i32: { dtype: 'I32', shape: [1], data: values.i32 },
      u8: { dtype: 'U8', shape: [1], data: values.u8 },
      bool: { dtype: 'BOOL', shape: [2], data: values.bool },
    });
    const src = await openTorchCheckpoint(path);
    expect(src.keys()).toEqual(['f32', 'f64', 'f16', 'bf16', 'i64', 'i32', 'u8', 'bool']);
    for (const [key, expected] of Object.entries(values)) {
      expect([...((await src.read(key, 'native')) as ArrayLike<number | bigint>)], key).toEqual([...(expected as ArrayLike<number | bigint>)]);
    }
    expect(src.info('f32').shape).toEqual([2, 1]);
    expect(src.info('f64').shape).toEqual([]);
    await src.close();
  });

  it('lays records out in torch.save order with data on 64-byte boundaries', async () => {
    const path = join(dir, 'layout.ckpt');
    await writeTorchCheckpoint(path, { a: { dtype: 'F32', shape: [3], data: new Float32Array(3) }, b: { dtype: 'U8', shape: [5], data: new Uint8Array(5) } }, { archiveName: 'layout' });
    const records = localRecords(readFileSync(path));
    expect(records.map((r) => r.name)).toEqual([
      'layout/data.pkl',
      'layout/.format_version',
      'layout/byteorder',
      'layout/data/0',
      'layout/data/1',
      'layout/version',
      'layout/.data/serialization_id',
    ]);
    expect(records.filter((r) => r.dataOffset % 64 !== 0)).toEqual([]);
  });

  it('nests the tensors under a key, which the reader unwraps', async () => {
    const path = join(dir, 'nested.ckpt');
    await writeTorchCheckpoint(path, { 'model.x': { dtype: 'F32', shape: [1], data: Float32Array.of(4) } }, { nestUnder: 'state_dict' });
    const wrapped = await openTorchCheckpoint(path, { unwrapStateDict: false });
    expect(wrapped.keys()).toEqual(['state_dict.model.x']);
    await wrapped.close();
    const src = await openTorchCheckpoint(path);
    expect([...(await src.read('model.x', 'f32'))]).toEqual([4]);
    await src.close();
  });

  it('writes zip64 records on request, which read back the same', async () => {
    const path = join(dir, 'z64.ckpt');
    await writeTorchCheckpoint(path, { x: { dtype: 'F32', shape: [2], data: () => Float32Array.of(1, 2) } }, { forceZip64: true });
    const file = readFileSync(path);
    expect(file.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(true);
    const src = await openTorchCheckpoint(path);
    expect([...(await src.read('x', 'f32'))]).toEqual([1, 2]);
    await src.close();
  });

  it('refuses a dtype PyTorch has no storage class for', async () => {
    const error = await errorOf(() => writeTorchCheckpoint(join(dir, 'u16.ckpt'), { w: { dtype: 'U16', shape: [1], data: new Uint16Array(1) } }));
    expect(error).toBeInstanceOf(WeightFileError);
    expect(error.message).toBe(`${join(dir, 'u16.ckpt')}: tensor "w": PyTorch has no storage class for U16`);
  });

  it('refuses an archive name that is not a plain folder name', async () => {
    const error = await errorOf(() => writeTorchCheckpoint(join(dir, 'a.ckpt'), {}, { archiveName: '../up' }));
    expect(error.message).toContain('archive name "../up" must be a plain folder name');
  });
});
