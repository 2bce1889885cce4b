import { OnnxError } from './errors.js';

/** Element types the builder knows, named as onnxruntime-node names its tensor types. */
export type DType =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'float64'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'uint16'
  | 'bool';

interface DTypeInfo {
  /** `TensorProto.DataType` enum value. */
  readonly onnx: number;
  readonly bytes: number;
}

const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  float32: { onnx: 1, bytes: 4 },
  uint8: { onnx: 2, bytes: 1 },
  int8: { onnx: 3, bytes: 1 },
  uint16: { onnx: 4, bytes: 2 },
  int16: { onnx: 5, bytes: 2 },
  int32: { onnx: 6, bytes: 4 },
  int64: { onnx: 7, bytes: 8 },
  bool: { onnx: 9, bytes: 1 },
  float16: { onnx: 10, bytes: 2 },
  float64: { onnx: 11, bytes: 8 },
  bfloat16: { onnx: 16, bytes: 2 },
};

/** True when `name` is one of the builder's element types. */
export function isDType(name: unknown): name is DType {
  return typeof name === 'string' && Object.hasOwn(DTYPES, name);
}

/** Checks a dtype name, throwing `unknown-dtype` naming `what` (a tensor or input) when it is not one. */
export function checkDType(name: unknown, what: string): DType {
  if (!isDType(name)) {
    throw new OnnxError(
      'unknown-dtype',
      `${what}: unknown dtype ${JSON.stringify(name)}; expected one of ${Object.keys(DTYPES).join(', ')}`,
      { dtype: name },
    );
  }
  return name;
}

/** The `TensorProto.DataType` number of a dtype. */
export function onnxDataType(dtype: DType): number {
  return DTYPES[dtype].onnx;
}

/** Bytes per element. */
export function dtypeBytes(dtype: DType): number {
  return DTYPES[dtype].bytes;
}

/** True for the floating-point types that weights are stored in. */
export function isFloatDType(dtype: DType): dtype is 'float32' | 'float16' | 'bfloat16' | 'float64' {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

