import type { WeightDType } from './dtype.js';

/** Shape and element type of one stored tensor. */
export interface TensorInfo {
  readonly dtype: WeightDType;
  readonly shape: readonly number[];
  /** Stored size in bytes (elements × element size). */
  readonly byteLength: number;
}

/**
 * The typed array each reading mode returns. Every array owns a fresh `ArrayBuffer` starting at offset 0.
 * - `f32`: any numeric dtype converted to `Float32Array` (fp16/bf16 exactly, fp64 rounded, integers by value).
 * - `f16`: fp16 bit patterns as `Uint16Array`, ready for an onnxruntime `float16` tensor; fp16 is copied as stored,
 *   other dtypes are rounded to nearest even.
 * - `raw`: the stored little-endian bytes.
 * - `native`: the stored bytes viewed as their own type (fp16/bf16 as `Uint16Array`, I64 as `BigInt64Array`...).
 */
export interface ReadResult {
  f32: Float32Array;
  f16: Uint16Array;
  raw: Uint8Array;
  native: NativeTensorArray;
}

/** A reading mode of {@link WeightSource.read}. */
export type ReadAs = keyof ReadResult;

/** The typed array that views a tensor's bytes in their stored type. */
export type NativeTensorArray =
  | Float64Array
  | Float32Array
  | Uint16Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** On-disk formats a {@link WeightSource} can stand for. */
export type WeightFormat = 'safetensors' | 'torch' | 'multi';

/**
 * Lazily readable named tensors: a safetensors file, a PyTorch checkpoint, or several files under key prefixes.
 * Opening reads only the index (header or pickle); each `read` fetches one tensor with positioned reads, so
 * a multi-gigabyte checkpoint never has to fit in memory.
 */
export interface WeightSource {
  /** The file or folder this source was opened from. */
  readonly path: string;
  readonly format: WeightFormat;
  /** Every file the tensors come from, e.g. to hash them for a build cache key. */
  readonly files: readonly string[];
  /** Free-form string metadata (safetensors `__metadata__`, scalar entries of a checkpoint). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor names, in storage order. */
  keys(): string[];
  has(key: string): boolean;
  /** Shape and dtype of `key`; throws a `missing-tensor` {@link WeightFileError} when absent. */
  info(key: string): TensorInfo;
  /** Read one tensor in the requested form (see {@link ReadResult}). */
  read<A extends ReadAs>(key: string, as: A): Promise<ReadResult[A]>;
  /** Release the file handles; later reads fail with a `closed` error. */
  close(): Promise<void>;
}
