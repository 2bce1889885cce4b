/** Bridges checkpoint readers (`weights/`) to the builder: a named checkpoint tensor as a lazy initializer source. */
import type { WeightDType } from '../weights/dtype.js';
import type { WeightSource } from '../weights/weight-source.js';
import type { DType } from './dtype.js';
import { OnnxError } from './errors.js';
import type { TensorSource } from './tensor-data.js';

const FROM_WEIGHT_DTYPE: Partial<Record<WeightDType, DType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U16: 'uint16',
  U8: 'uint8',
  BOOL: 'bool',
};

/**
 * The tensor `key` of a checkpoint as an initializer source: dtype and shape now, bytes only when the model
 * is written (`g.initializer(key, weightTensor(ckpt, key), { dtype: 'float16' })`).
 */
export function weightTensor(source: WeightSource, key: string): TensorSource {
  const info = source.info(key);
  const dtype = FROM_WEIGHT_DTYPE[info.dtype];
  if (dtype === undefined) {
    throw new OnnxError('unknown-dtype', `tensor '${key}' of ${source.path}: ${info.dtype} has no ONNX initializer type here`, {
      dtype: info.dtype,
      file: source.path,
    });
  }
  return { dtype, shape: info.shape, read: () => source.read(key, 'raw') };
}
