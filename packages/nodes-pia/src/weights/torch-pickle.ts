/**
 * The allow-list of Python globals a PyTorch state dict needs, reimplemented as plain data builders.
 * A tensor never materialises during unpickling: `_rebuild_tensor_v2` yields a {@link TorchTensorRef} that says
 * which storage record to read, from which element, with which shape and strides.
 */
import type { WeightDType } from './dtype.js';
import { WeightFileError } from './errors.js';
import { isPickleTuple, type PickleCallable, type UnpickleOptions } from './pickle.js';

/** `torch.<Name>Storage` classes and the dtype of their elements. */
export const TORCH_STORAGE_DTYPES: Readonly<Record<string, WeightDType>> = Object.freeze({
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
});

/** A storage record of the archive (`<archive>/data/<key>`), as named by a persistent id. */
export interface TorchStorageRef {
  readonly key: string;
  readonly dtype: WeightDType;
  /** Elements in the storage. */
  readonly numel: number;
  readonly location: string;
}

/** A tensor as the pickle describes it: a view into a storage. */
export class TorchTensorRef {
  constructor(
    readonly storage: TorchStorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** A `torch.*Storage` class as a pickled value; it only tags the dtype of a persistent id. */
class StorageClass implements PickleCallable {
  constructor(
    readonly qualifiedName: string,
    readonly dtype: WeightDType,
  ) {}
  call(): never {
    throw new Error('constructing a storage from a pickle is not supported');
  }
}

function callable(qualifiedName: string, call: (args: readonly unknown[]) => unknown): PickleCallable {
  return { qualifiedName, call };
}

function intList(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${what} is not a tuple of non-negative integers`);
  }
  return [...(value as number[])];
}

function rebuildTensor(args: readonly unknown[]): TorchTensorRef {
  const [storage, offset, size, stride] = args;
  if (!(typeof storage === 'object' && storage !== null && 'numel' in storage && 'key' in storage)) {
    throw new Error('the first argument is not a storage');
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new Error('the storage offset is not a non-negative integer');
  const shape = intList(size, 'the size');
  const strides = intList(stride, 'the stride');
  if (strides.length !== shape.length) throw new Error(`size has ${shape.length} dimensions but stride has ${strides.length}`);
  return new TorchTensorRef(storage as TorchStorageRef, offset, shape, strides);
}

function parameterData(args: readonly unknown[]): TorchTensorRef {
  if (!(args[0] instanceof TorchTensorRef)) throw new Error('the parameter data is not a tensor');
  return args[0];
}

const GLOBALS: ReadonlyMap<string, PickleCallable> = new Map<string, PickleCallable>([
  ['collections.OrderedDict', callable('collections.OrderedDict', (args) => new Map(args.length > 0 ? pairs(args[0]) : []))],
  ['builtins.dict', callable('builtins.dict', (args) => new Map(args.length > 0 ? pairs(args[0]) : []))],
  ['torch._utils._rebuild_tensor', callable('torch._utils._rebuild_tensor', rebuildTensor)],
  ['torch._utils._rebuild_tensor_v2', callable('torch._utils._rebuild_tensor_v2', rebuildTensor)],
  ['torch._utils._rebuild_parameter', callable('torch._utils._rebuild_parameter', parameterData)],
  ['torch._utils._rebuild_parameter_with_state', callable('torch._utils._rebuild_parameter_with_state', parameterData)],
  ['torch.Size', callable('torch.Size', (args) => Object.freeze(intList(args[0] ?? [], 'torch.Size')))],
  // Protocol 2 spells a Python 3 `bytes` value as _codecs.encode(str, 'latin1'): pure data, no code.
  [
    '_codecs.encode',
    callable('_codecs.encode', ([text, encoding]) => {
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw new Error('only latin1 strings are decoded');
      return Uint8Array.from(text, (c) => c.charCodeAt(0));
    }),
  ],
  ...Object.entries(TORCH_STORAGE_DTYPES).map(([name, dtype]): [string, PickleCallable] => [`torch.${name}`, new StorageClass(`torch.${name}`, dtype)]),
]);

function pairs(value: unknown): [unknown, unknown][] {
  if (value instanceof Map) return [...value];
  if (!Array.isArray(value)) throw new Error('expects a list of pairs');
  return value.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new Error('expects a list of pairs');
    return [pair[0], pair[1]];
  });
}

function persistentLoad(file: string): (pid: unknown) => TorchStorageRef {
  return (pid) => {
    const bad = (why: string): WeightFileError => new WeightFileError('corrupt', file, `persistent id ${why}`);
    if (!isPickleTuple(pid) || pid.length < 5) throw bad("is not a ('storage', type, key, location, numel) tuple");
    const [tag, type, key, location, numel] = pid;
    if (tag !== 'storage') throw bad(`has the tag "${String(tag)}" instead of "storage"`);
    if (!(type instanceof StorageClass)) throw bad('does not name a torch storage class');
    if (typeof key !== 'string' || !/^[A-Za-z0-9_]+$/.test(key)) throw bad('has a storage key that is not a plain name');
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw bad('has an element count that is not an integer');
    return { key, dtype: type.dtype, numel, location: typeof location === 'string' ? location : String(location) };
  };
}

/**
 * Unpickler options for a PyTorch checkpoint's `data.pkl`: the allow-list above, storages as persistent ids,
 * and BUILD accepted only on dicts (it carries a state dict's `_metadata`, which holds no tensors).
 */
export function torchUnpickleOptions(file: string): UnpickleOptions {
  return {
    file,
    findGlobal: (module, name) => GLOBALS.get(`${module}.${name}`),
    persistentLoad: persistentLoad(file),
    build: (target) => (target instanceof Map ? target : undefined),
  };
}
