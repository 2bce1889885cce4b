import { WeightFileError } from './errors.js';

/**
 * Element types of stored tensors, spelled as safetensors spells them. PyTorch storages map onto the same
 * names, so one vocabulary serves both formats.
 */
export type WeightDType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'F8_E4M3'
  | 'F8_E5M2'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

/** Bytes per element of each {@link WeightDType}. */
export const WEIGHT_DTYPE_BYTES: Readonly<Record<WeightDType, number>> = Object.freeze({
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
});

/** Whether `name` is one of the {@link WeightDType} spellings. */
export function isWeightDType(name: unknown): name is WeightDType {
  return typeof name === 'string' && Object.hasOwn(WEIGHT_DTYPE_BYTES, name);
}

/** Number of elements of `shape` (1 for a scalar's empty shape). */
export function shapeElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Byte length of a tensor, checked to be an exact safe integer so that a hostile header cannot make it
 * wrap or lose precision.
 */
export function tensorByteLength(dtype: WeightDType, shape: readonly number[], file: string, tensor: string): number {
  let bytes = WEIGHT_DTYPE_BYTES[dtype];
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new WeightFileError('corrupt', file, `shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`, {
        tensor,
      });
    }
    bytes *= d;
  }
  if (!Number.isSafeInteger(bytes)) {
    throw new WeightFileError('corrupt', file, `shape [${shape.join(', ')}] of ${dtype} is too large to address`, { tensor });
  }
  return bytes;
}
