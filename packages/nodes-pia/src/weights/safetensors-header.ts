import { isWeightDType, tensorByteLength, type WeightDType } from './dtype.js';
import { WeightFileError } from './errors.js';

/** Headers beyond this are refused before allocating: real ones are a few hundred kB, a garbage length could be exabytes. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** One tensor of a safetensors header; `begin`/`end` are byte offsets into the data section. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: WeightDType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** A parsed and checked safetensors header. */
export interface SafetensorsHeader {
  /** File offset of the data section: 8 + header length. */
  readonly dataStart: number;
  /** Entries in data order. */
  readonly entries: ReadonlyMap<string, SafetensorsEntry>;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * Decode the 8-byte little-endian header length and check it against the cap and the file size.
 * The u64 is read as a BigInt so lengths at or past 2^53 are caught instead of being rounded.
 */
export function parseHeaderLength(prefix: Uint8Array, file: string, fileSize: number): number {
  if (fileSize < 8) {
    throw new WeightFileError('truncated', file, `file is ${fileSize} bytes, shorter than the 8-byte safetensors header length`);
  }
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) {
    throw new WeightFileError(
      'corrupt',
      file,
      `safetensors header length ${length} exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
    );
  }
  const n = Number(length);
  if (n < 2) throw new WeightFileError('corrupt', file, `safetensors header length ${n} is too short to hold a JSON object`);
  if (8 + n > fileSize) {
    throw new WeightFileError('truncated', file, `safetensors header needs ${8 + n} bytes but the file has ${fileSize} (truncated?)`);
  }
  return n;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(json: Uint8Array, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (cause) {
    throw new WeightFileError('corrupt', file, `safetensors header is not valid UTF-8 JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isPlainObject(parsed)) throw new WeightFileError('corrupt', file, 'safetensors header is not a JSON object');
  return parsed;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (!isPlainObject(value)) throw new WeightFileError('corrupt', file, '"__metadata__" is not an object of strings');
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new WeightFileError('corrupt', file, `"__metadata__"."${k}" is not a string`);
    metadata[k] = v;
  }
  return metadata;
}

function parseEntry(name: string, value: unknown, file: string, dataLength: number): SafetensorsEntry {
  const bad = (message: string, code: 'corrupt' | 'unsupported' | 'truncated' = 'corrupt'): WeightFileError =>
    new WeightFileError(code, file, message, { tensor: name });
  if (!isPlainObject(value)) throw bad('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') throw bad('"dtype" is missing or not a string');
  if (!isWeightDType(dtype)) throw bad(`dtype "${dtype}" is not supported`, 'unsupported');
  if (!Array.isArray(shape)) throw bad('"shape" is missing or not an array');
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw bad(`shape [${shape.join(', ')}] is not a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) throw bad('"data_offsets" is not a pair [begin, end]');
  const [begin, end] = offsets as unknown[];
  if (typeof begin !== 'number' || typeof end !== 'number' || !Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin) {
    throw bad(`"data_offsets" [${offsets.join(', ')}] is not a pair of integers 0 <= begin <= end`);
  }
  const bytes = tensorByteLength(dtype, shape as number[], file, name);
  if (end - begin !== bytes) {
    throw bad(`data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} [${shape.join(', ')}] needs ${bytes}`);
  }
  if (end > dataLength) {
    throw bad(`data ends at byte ${end} of the data section but the file holds only ${dataLength} data bytes (truncated?)`, 'truncated');
  }
  return { name, dtype, shape: Object.freeze([...(shape as number[])]), begin, end };
}

/**
 * Parse and check the JSON header: every entry has a known dtype, a shape of non-negative integers, a byte span
 * that matches dtype × shape, lies inside the data section and overlaps no other tensor. Gaps between tensors
 * are tolerated (the reference implementation refuses them; nothing here depends on their absence).
 */
export function parseSafetensorsHeader(json: Uint8Array, file: string, fileSize: number): SafetensorsHeader {
  const dataStart = 8 + json.length;
  const dataLength = fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const list: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(parseJson(json, file))) {
    if (name === '__metadata__') metadata = parseMetadata(value, file);
    else list.push(parseEntry(name, value, file, dataLength));
  }
  list.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: SafetensorsEntry | undefined;
  for (const entry of list) {
    if (entry.begin === entry.end) continue;
    if (previous !== undefined && entry.begin < previous.end) {
      throw new WeightFileError('corrupt', file, `data [${entry.begin}, ${entry.end}) overlaps tensor "${previous.name}" [${previous.begin}, ${previous.end})`, {
        tensor: entry.name,
      });
    }
    previous = entry;
  }
  return { dataStart, entries: new Map(list.map((e) => [e.name, e])), metadata: Object.freeze(metadata) };
}
