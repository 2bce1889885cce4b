/**
 * Initializer data: eager arrays or lazy readers, checked against their declared dtype and shape, and turned into
 * the little-endian bytes of the stored dtype only when the model is written.
 */
import { type DType, checkDType, dtypeBytes } from './dtype.js';
import { OnnxError } from './errors.js';
import { shapeElements } from '../weights/dtype.js';
import { bfloat16ToFloat32, float32ToHalf, halfToFloat32 } from '../weights/half.js';

/** Any typed array; `Uint16Array` carries float16/bfloat16 bit patterns, `Uint8Array` carries raw bytes or bool. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array;

/**
 * A tensor's element type, static shape and data. `data` is the values in `dtype` (raw bytes in a `Uint8Array`
 * are accepted for every dtype); `read` is called once, when the model is written, so a large model never has
 * all its weights in memory at once.
 */
export type TensorSource =
  | { readonly dtype: DType; readonly shape: readonly number[]; readonly data: TypedArray }
  | { readonly dtype: DType; readonly shape: readonly number[]; readonly read: () => TypedArray | Promise<TypedArray> };

/** What `GraphBuilder.initializer` accepts: a full source, or a bare `Float32Array`/`BigInt64Array`/... as a 1-D tensor. */
export type TensorInit = TensorSource | Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array;

/** A validated source with the dtype it will be stored as. */
export interface PreparedTensor {
  readonly name: string;
  readonly source: TensorSource;
  readonly storeAs: DType;
  /** Swap the two axes of a 2-D tensor while writing (torch Linear `[out, in]` → MatMul `[in, out]`). */
  readonly transpose: boolean;
  /** The shape as stored (after `transpose`). */
  readonly shape: readonly number[];
}

function bareDType(a: TypedArray): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int8Array) return 'int8';
  return undefined;
}

/** The dtype an initializer's data declares (a bare array's from its type); undefined when it cannot tell. */
export function declaredDType(init: TensorInit): DType | undefined {
  return ArrayBuffer.isView(init) ? bareDType(init) : init.dtype;
}

function checkShape(shape: unknown, what: string): readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new OnnxError('bad-shape', `${what}: shape ${JSON.stringify(shape)} must be a list of non-negative integers`, {
      shape,
    });
  }
  return shape as number[];
}

/** Throws `data-length` unless `data` holds exactly the bytes that `dtype` × `shape` need. */
export function checkDataLength(what: string, dtype: DType, shape: readonly number[], data: TypedArray): void {
  const expected = shapeElements(shape) * dtypeBytes(dtype);
  if (data.byteLength !== expected) {
    throw new OnnxError(
      'data-length',
      `${what}: ${dtype} [${shape.join(', ')}] needs ${expected} bytes but the data has ${data.byteLength}`,
      { dtype, shape, expectedBytes: expected, actualBytes: data.byteLength },
    );
  }
}

/** Validates an initializer's data and decides how it is stored. */
export function prepareTensor(
  name: string,
  init: TensorInit,
  options: { storeAs?: DType; transpose?: boolean } = {},
): PreparedTensor {
  const what = `initializer '${name}'`;
  let source: TensorSource;
  if (ArrayBuffer.isView(init)) {
    const dtype = bareDType(init);
    if (!dtype) throw new OnnxError('unknown-dtype', `${what}: pass { dtype, shape, data } for a ${init.constructor.name}`);
    source = { dtype, shape: [init.length], data: init };
  } else {
    source = init;
  }
  const dtype = checkDType(source.dtype, what);
  const shape = checkShape(source.shape, what);
  if ('data' in source) checkDataLength(what, dtype, shape, source.data);
  else if (typeof source.read !== 'function') {
    throw new OnnxError('bad-argument', `${what}: a tensor source needs 'data' or a 'read' function`);
  }
  const storeAs = options.storeAs === undefined ? dtype : checkDType(options.storeAs, what);
  if (storeAs !== dtype && !canConvert(dtype, storeAs)) {
    throw new OnnxError('bad-argument', `${what}: cannot store ${dtype} data as ${storeAs}`, { dtype, storeAs });
  }
  const transpose = options.transpose ?? false;
  if (transpose && shape.length !== 2) {
    throw new OnnxError('bad-shape', `${what}: transpose needs a 2-D tensor, got [${shape.join(', ')}]`, { shape });
  }
  return { name, source: { ...source, dtype, shape }, storeAs, transpose, shape: transpose ? [shape[1]!, shape[0]!] : shape };
}

const FLOAT_SOURCES: readonly DType[] = ['float32', 'float16', 'bfloat16', 'float64'];

function canConvert(from: DType, to: DType): boolean {
  return FLOAT_SOURCES.includes(from) && (to === 'float32' || to === 'float16');
}

/** Reinterprets a typed array's bytes, copying only when its offset is not aligned for `bytesPer`. */
function aligned(data: TypedArray, bytesPer: number): ArrayBuffer | SharedArrayBuffer {
  if (data.byteOffset % bytesPer === 0) return data.buffer;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer;
}

function asFloat32(data: TypedArray, from: DType): Float32Array {
  const n = data.byteLength / dtypeBytes(from);
  const offset = data.byteOffset % dtypeBytes(from) === 0 ? data.byteOffset : 0;
  const buffer = aligned(data, dtypeBytes(from));
  switch (from) {
    case 'float32':
      return new Float32Array(buffer, offset, n);
    case 'float64':
      return Float32Array.from(new Float64Array(buffer, offset, n));
    case 'float16':
      return halfToFloat32(new Uint16Array(buffer, offset, n));
    default:
      return bfloat16ToFloat32(new Uint16Array(buffer, offset, n));
  }
}

/** A view whose elements are `wordBytes` wide (1, 2 or 4), copying only when the offset is misaligned. */
function wordView(bytes: Uint8Array, wordBytes: number): Uint8Array | Uint16Array | Uint32Array {
  const src = bytes.byteOffset % wordBytes === 0 ? bytes : bytes.slice();
  const n = src.byteLength / wordBytes;
  if (wordBytes === 4) return new Uint32Array(src.buffer, src.byteOffset, n);
  if (wordBytes === 2) return new Uint16Array(src.buffer, src.byteOffset, n);
  return src;
}

function transposeBytes(bytes: Uint8Array, rows: number, cols: number, elemBytes: number): Uint8Array {
  // 8-byte elements move as two 4-byte words, so every case is a copy of fixed-width words.
  const wordBytes = Math.min(elemBytes, 4);
  const words = elemBytes / wordBytes;
  const src = wordView(bytes, wordBytes);
  const out = wordView(new Uint8Array(bytes.length), wordBytes);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const from = (r * cols + c) * words;
      const to = (c * rows + r) * words;
      for (let k = 0; k < words; k++) out[to + k] = src[from + k]!;
    }
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * The stored little-endian bytes of one prepared tensor: reads a lazy source, checks its length, converts
 * the float type and transposes as asked. When nothing changes, the bytes are a view of the caller's array.
 */
export async function tensorBytes(t: PreparedTensor): Promise<Uint8Array> {
  const { dtype, shape } = t.source;
  const data = 'data' in t.source ? t.source.data : await readSource(t);
  checkDataLength(`initializer '${t.name}'`, dtype, shape, data);
  let bytes: Uint8Array;
  if (t.storeAs === dtype) {
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } else {
    const f32 = asFloat32(data, dtype);
    const out = t.storeAs === 'float16' ? float32ToHalf(f32) : f32;
    bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  if (t.transpose) bytes = transposeBytes(bytes, shape[0]!, shape[1]!, dtypeBytes(t.storeAs));
  return bytes;
}

async function readSource(t: PreparedTensor): Promise<TypedArray> {
  const source = t.source as Extract<TensorSource, { read: unknown }>;
  try {
    const data = await source.read();
    if (!ArrayBuffer.isView(data)) throw new TypeError(`read() returned ${typeof data}, not a typed array`);
    return data;
  } catch (err) {
    throw new OnnxError('weights-read', `initializer '${t.name}': reading its data failed: ${(err as Error).message}`, {}, {
      cause: err,
    });
  }
}
