import { WEIGHT_DTYPE_BYTES } from './dtype.js';
import { WeightFileError } from './errors.js';
import { writeAtomically } from './file-io.js';
import { listTensors, tensorData, type NamedTensor, type TensorsToWrite } from './tensor-input.js';

/** Options of {@link writeSafetensors}. */
export interface SafetensorsWriteOptions {
  /** Stored as `__metadata__` (string values only, as the format requires). */
  metadata?: Readonly<Record<string, string>>;
}

/** What a writer produced. */
export interface WriteSummary {
  readonly path: string;
  readonly bytes: number;
  readonly tensors: number;
}

/**
 * The order tensors are stored in: larger elements first, then by name, as the reference implementation does.
 * With the data section starting 8-aligned, every tensor then starts at a multiple of its element size while
 * the tensors stay packed without gaps (which strict readers require).
 */
function storageOrder(tensors: NamedTensor[]): NamedTensor[] {
  return [...tensors].sort(
    (a, b) => WEIGHT_DTYPE_BYTES[b.dtype] - WEIGHT_DTYPE_BYTES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function encodeHeader(ordered: NamedTensor[], metadata: Readonly<Record<string, string>> | undefined, file: string): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new WeightFileError('invalid-input', file, `metadata "${k}" is not a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const t of ordered) {
    if (t.name === '__metadata__') throw new WeightFileError('invalid-input', file, 'the name is reserved for metadata', { tensor: t.name });
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.byteLength] };
    offset += t.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces (valid JSON whitespace) so the data section starts on an 8-byte boundary.
  const padded = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  padded.set(json);
  const prefix = new Uint8Array(8 + padded.length);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded.length), true);
  prefix.set(padded, 8);
  return prefix;
}

/**
 * Write named tensors to a `.safetensors` file, streaming one tensor at a time (tensors given as callbacks are
 * produced only when reached). The file appears under `path` only once complete.
 */
export async function writeSafetensors(path: string, tensors: TensorsToWrite, options: SafetensorsWriteOptions = {}): Promise<WriteSummary> {
  const ordered = storageOrder(listTensors(tensors, path));
  const header = encodeHeader(ordered, options.metadata, path);
  return writeAtomically(path, async (sink) => {
    await sink.write(header);
    for (const tensor of ordered) await sink.write(await tensorData(tensor, path));
    return { path, bytes: sink.position, tensors: ordered.length };
  });
}
