import type { WeightDType } from './dtype.js';
import { WeightFileError } from './errors.js';
import { bfloat16ToFloat32, float32ToHalf, halfToFloat32 } from './half.js';
import type { NativeTensorArray, ReadAs, ReadResult } from './weight-source.js';

/** Where a tensor came from, for error messages. */
export interface TensorOrigin {
  file: string;
  tensor: string;
}

/** View little-endian stored bytes as the typed array of their dtype (copying only if misaligned). */
export function nativeView(raw: Uint8Array, dtype: WeightDType): NativeTensorArray {
  const bytes = raw.byteOffset % 8 === 0 ? raw : raw.slice();
  const { buffer, byteOffset, byteLength } = bytes;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buffer, byteOffset, byteLength / 8);
    case 'F32':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'F16':
    case 'BF16':
    case 'U16':
      return new Uint16Array(buffer, byteOffset, byteLength / 2);
    case 'I64':
      return new BigInt64Array(buffer, byteOffset, byteLength / 8);
    case 'U64':
      return new BigUint64Array(buffer, byteOffset, byteLength / 8);
    case 'I32':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'U32':
      return new Uint32Array(buffer, byteOffset, byteLength / 4);
    case 'I16':
      return new Int16Array(buffer, byteOffset, byteLength / 2);
    case 'I8':
      return new Int8Array(buffer, byteOffset, byteLength);
    case 'U8':
    case 'BOOL':
    case 'F8_E4M3':
    case 'F8_E5M2':
      return bytes;
  }
}

function toFloat32(raw: Uint8Array, dtype: WeightDType, origin: TensorOrigin): Float32Array {
  const view = nativeView(raw, dtype);
  if (dtype === 'F32') return view as Float32Array;
  if (dtype === 'F16') return halfToFloat32(view as Uint16Array);
  if (dtype === 'BF16') return bfloat16ToFloat32(view as Uint16Array);
  if (dtype === 'F8_E4M3' || dtype === 'F8_E5M2') {
    throw new WeightFileError('unsupported', origin.file, `cannot convert ${dtype} to float32`, { tensor: origin.tensor });
  }
  const out = new Float32Array(view.length);
  if (view instanceof BigInt64Array || view instanceof BigUint64Array) {
    for (let i = 0; i < view.length; i++) out[i] = Number(view[i]);
  } else {
    out.set(view);
  }
  return out;
}

/**
 * Convert a tensor's stored bytes to the form `as` asks for. `raw` must be the tensor's own bytes, little-endian
 * (both formats store little-endian and Node runs little-endian on every platform it supports).
 */
export function convertTensor<A extends ReadAs>(raw: Uint8Array, dtype: WeightDType, as: A, origin: TensorOrigin): ReadResult[A] {
  return convertAny(raw, dtype, as, origin) as ReadResult[A];
}

function convertAny(raw: Uint8Array, dtype: WeightDType, as: ReadAs, origin: TensorOrigin): ReadResult[ReadAs] {
  switch (as) {
    case 'raw':
      return raw;
    case 'native':
      return nativeView(raw, dtype);
    case 'f32':
      return toFloat32(raw, dtype, origin);
    case 'f16':
      return dtype === 'F16' ? (nativeView(raw, dtype) as Uint16Array) : float32ToHalf(toFloat32(raw, dtype, origin));
    default:
      throw new WeightFileError('invalid-input', origin.file, `unknown read mode "${String(as)}" (use f32, f16, raw or native)`, {
        tensor: origin.tensor,
      });
  }
}
