import { isWeightDType, tensorByteLength, type WeightDType } from './dtype.js';
import { WeightFileError } from './errors.js';
import type { WeightSource } from './weight-source.js';

/** A tensor's little-endian bytes, as any typed array or `DataView` over them. */
export type TensorBytes = ArrayBufferView;

/** One tensor handed to a writer. */
export interface TensorToWrite {
  readonly dtype: WeightDType;
  readonly shape: readonly number[];
  /**
   * The bytes, or a callback that produces them when the writer reaches this tensor, so a generator can create
   * (and drop) tensors one at a time and a checkpoint larger than memory can be written.
   */
  readonly data: TensorBytes | (() => TensorBytes | Promise<TensorBytes>);
}

/** Named tensors in the order to write them: a `Map`, a plain object or any iterable of `[name, tensor]` pairs. */
export type TensorsToWrite =
  | ReadonlyMap<string, TensorToWrite>
  | Iterable<readonly [string, TensorToWrite]>
  | Readonly<Record<string, TensorToWrite>>;

/** A tensor to write with its name and checked byte length. */
export interface NamedTensor extends TensorToWrite {
  readonly name: string;
  readonly byteLength: number;
}

function isIterable(value: object): value is Iterable<readonly [string, TensorToWrite]> {
  return Symbol.iterator in value;
}

/** Normalise and check the writer input: unique names, known dtypes, shapes of non-negative integers. */
export function listTensors(tensors: TensorsToWrite, file: string): NamedTensor[] {
  const pairs = isIterable(tensors) ? [...tensors] : Object.entries(tensors);
  const seen = new Set<string>();
  return pairs.map(([name, tensor]) => {
    if (seen.has(name)) throw new WeightFileError('invalid-input', file, 'the tensor name is given twice', { tensor: name });
    seen.add(name);
    if (!isWeightDType(tensor.dtype)) {
      throw new WeightFileError('invalid-input', file, `dtype "${String(tensor.dtype)}" is not supported`, { tensor: name });
    }
    if (!Array.isArray(tensor.shape)) throw new WeightFileError('invalid-input', file, 'shape is not an array', { tensor: name });
    let byteLength: number;
    try {
      byteLength = tensorByteLength(tensor.dtype, tensor.shape, file, name);
    } catch (error) {
      throw new WeightFileError('invalid-input', file, 'shape must be a list of non-negative integers', { tensor: name, cause: error });
    }
    return { name, dtype: tensor.dtype, shape: tensor.shape, data: tensor.data, byteLength };
  });
}

/** Produce a tensor's bytes (calling its callback if it has one) and check that their length matches dtype × shape. */
export async function tensorData(tensor: NamedTensor, file: string): Promise<Uint8Array> {
  const data = typeof tensor.data === 'function' ? await tensor.data() : tensor.data;
  if (!ArrayBuffer.isView(data)) throw new WeightFileError('invalid-input', file, 'data is not a typed array', { tensor: tensor.name });
  if (data.byteLength !== tensor.byteLength) {
    throw new WeightFileError(
      'invalid-input',
      file,
      `data holds ${data.byteLength} bytes but ${tensor.dtype} [${tensor.shape.join(', ')}] needs ${tensor.byteLength}`,
      { tensor: tensor.name },
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Every tensor of `source` as writer input whose bytes are read only when written: converting a checkpoint to
 * another format streams it one tensor at a time.
 */
export function tensorsFromSource(source: WeightSource): [string, TensorToWrite][] {
  return source.keys().map((key) => {
    const { dtype, shape } = source.info(key);
    return [key, { dtype, shape, data: () => source.read(key, 'raw') }];
  });
}
