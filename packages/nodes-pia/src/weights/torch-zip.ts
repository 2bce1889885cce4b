/**
 * PyTorch checkpoints (`torch.save`, zip format since 1.6): `<archive>/data.pkl` describes the object and
 * `<archive>/data/<key>` holds each storage's raw little-endian bytes, stored uncompressed. The pickle is read
 * once with the restricted unpickler; storages are read lazily, one tensor at a time.
 */
import type { FileHandle } from 'node:fs/promises';
import { WEIGHT_DTYPE_BYTES, shapeElements, type WeightDType } from './dtype.js';
import { WeightFileError } from './errors.js';
import { openForReading } from './file-io.js';
import { unpickle } from './pickle.js';
import { convertTensor } from './tensor-convert.js';
import { TorchTensorRef, torchUnpickleOptions } from './torch-pickle.js';
import type { ReadAs, ReadResult, TensorInfo, WeightSource } from './weight-source.js';
import { ZipArchive, type ZipEntry } from './zip-read.js';

/** Options of {@link openTorchCheckpoint}. */
export interface TorchCheckpointOptions {
  /**
   * Read the tensors under a top-level `state_dict` entry (as Lightning/LDM checkpoints hold them) instead of
   * the whole object. Default true; other nested dicts are always flattened with dotted keys.
   */
  unwrapStateDict?: boolean;
}

interface TorchTensorEntry {
  readonly dtype: WeightDType;
  readonly shape: readonly number[];
  readonly byteLength: number;
  readonly record: ZipEntry;
  /** Byte offset of the tensor inside its storage record. */
  readonly start: number;
}

const MAX_DEPTH = 64;
/**
 * The largest `data.pkl` read. A state dict's pickle holds names, shapes and storage keys: about 200 bytes a tensor,
 * so SD 1.5 (1 100 tensors) needs ~250 KB; 64 MiB leaves room for 300 000 tensors and bounds what a 1 MB zip bomb
 * can make us allocate.
 */
export const MAX_PICKLE_BYTES = 64 * 1024 * 1024;
/**
 * The most dict entries flattening may visit. A dict reachable twice (a pickle can share one object under many
 * keys, and nest such sharing) is flattened each time, so visits can double per level; real checkpoints visit
 * each entry once, a few thousand of them.
 */
export const MAX_FLATTENED_ENTRIES = 1_000_000;

function checkLayout(file: string, key: string, ref: TorchTensorRef, record: ZipEntry | undefined, recordName: string): TorchTensorEntry {
  const { storage, shape, stride, offset } = ref;
  const elementBytes = WEIGHT_DTYPE_BYTES[storage.dtype];
  const numel = shapeElements(shape);
  if (numel > 0) {
    let expected = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1 && stride[i] !== expected) {
        throw new WeightFileError(
          'unsupported',
          file,
          `is a non-contiguous view (stride [${stride.join(', ')}] for shape [${shape.join(', ')}]); save it after .contiguous()`,
          { tensor: key },
        );
      }
      expected *= shape[i]!;
    }
  }
  if (offset + numel > storage.numel) {
    throw new WeightFileError('corrupt', file, `view [${offset}, +${numel}) runs past its storage of ${storage.numel} elements`, { tensor: key });
  }
  if (record === undefined) throw new WeightFileError('corrupt', file, `storage record "${recordName}" is missing`, { tensor: key });
  if (record.size < storage.numel * elementBytes) {
    throw new WeightFileError(
      'corrupt',
      file,
      `storage record "${recordName}" holds ${record.size} bytes but ${storage.numel} ${storage.dtype} elements need ${storage.numel * elementBytes}`,
      { tensor: key },
    );
  }
  return { dtype: storage.dtype, shape, byteLength: numel * elementBytes, record, start: offset * elementBytes };
}

/** A PyTorch zip checkpoint opened for lazy reading. */
export class TorchCheckpointSource implements WeightSource {
  readonly format = 'torch' as const;
  readonly files: readonly string[];
  private handle: FileHandle | undefined;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    private readonly archive: ZipArchive,
    private readonly tensors: ReadonlyMap<string, TorchTensorEntry>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {
    this.handle = handle;
    this.files = [path];
  }

  /** Open `path`, read its central directory and unpickle `data.pkl`; no storage is read. */
  static async open(path: string, options: TorchCheckpointOptions = {}): Promise<TorchCheckpointSource> {
    const handle = await openForReading(path);
    try {
      const archive = await ZipArchive.open(handle, path);
      const pickle = findPickle(archive, path);
      const prefix = pickle.name.slice(0, -'data.pkl'.length);
      const byteorder = archive.entries.get(`${prefix}byteorder`);
      if (byteorder !== undefined) {
        const order = new TextDecoder().decode(await archive.read(byteorder, undefined, 16));
        if (order !== 'little') throw new WeightFileError('unsupported', path, `storages are "${order}"-endian; only little-endian is read`);
      }
      const root = unpickle(await archive.read(pickle, undefined, MAX_PICKLE_BYTES), torchUnpickleOptions(path));
      const { tensors, metadata } = collect(root, options.unwrapStateDict ?? true, path);
      const entries = new Map<string, TorchTensorEntry>();
      for (const [key, ref] of tensors) {
        const recordName = `${prefix}data/${ref.storage.key}`;
        entries.set(key, checkLayout(path, key, ref, archive.entries.get(recordName), recordName));
      }
      return new TorchCheckpointSource(path, handle, archive, entries, Object.freeze(metadata));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  keys(): string[] {
    return [...this.tensors.keys()];
  }

  has(key: string): boolean {
    return this.tensors.has(key);
  }

  info(key: string): TensorInfo {
    const { dtype, shape, byteLength } = this.entry(key);
    return { dtype, shape, byteLength };
  }

  async read<A extends ReadAs>(key: string, as: A): Promise<ReadResult[A]> {
    const entry = this.entry(key);
    if (this.handle === undefined) throw new WeightFileError('closed', this.path, 'the file was closed', { tensor: key });
    const raw = await this.archive.readRange(entry.record, entry.start, entry.byteLength, key);
    return convertTensor(raw, entry.dtype, as, { file: this.path, tensor: key });
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private entry(key: string): TorchTensorEntry {
    const entry = this.tensors.get(key);
    if (entry === undefined) throw new WeightFileError('missing-tensor', this.path, 'no such tensor in the checkpoint', { tensor: key });
    return entry;
  }
}

function findPickle(archive: ZipArchive, file: string): ZipEntry {
  const names = [...archive.entries.keys()];
  const pickles = names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length === 1) return archive.entries.get(pickles[0]!)!;
  if (pickles.length > 1) throw new WeightFileError('corrupt', file, `archive has several data.pkl records: ${pickles.join(', ')}`);
  if (names.some((n) => n.endsWith('/constants.pkl'))) {
    throw new WeightFileError('unsupported', file, 'is a TorchScript archive, not a saved state dict');
  }
  throw new WeightFileError('corrupt', file, 'zip archive has no <archive>/data.pkl record: not a PyTorch checkpoint');
}

/** Walk the unpickled object: tensors under dotted keys, top-level scalars as metadata. */
function collect(root: unknown, unwrap: boolean, file: string): { tensors: Map<string, TorchTensorRef>; metadata: Record<string, string> } {
  if (!(root instanceof Map)) throw new WeightFileError('unsupported', file, 'checkpoint does not hold a dict of tensors');
  const metadata: Record<string, string> = {};
  for (const [k, v] of root) {
    if (['string', 'number', 'boolean', 'bigint'].includes(typeof v)) metadata[String(k)] = String(v);
  }
  const inner = root.get('state_dict');
  const tensors = new Map<string, TorchTensorRef>();
  walk(unwrap && inner instanceof Map ? inner : root, '', tensors, [], file, { visits: 0 });
  return { tensors, metadata };
}

function walk(
  dict: Map<unknown, unknown>,
  prefix: string,
  out: Map<string, TorchTensorRef>,
  path: Map<unknown, unknown>[],
  file: string,
  budget: { visits: number },
): void {
  if (path.includes(dict)) throw new WeightFileError('corrupt', file, `dict under "${prefix}" contains itself`);
  if (path.length >= MAX_DEPTH) throw new WeightFileError('unsupported', file, `dicts are nested more than ${MAX_DEPTH} deep at "${prefix}"`);
  budget.visits += dict.size;
  if (budget.visits > MAX_FLATTENED_ENTRIES) {
    throw new WeightFileError(
      'unsupported',
      file,
      `flattening its nested dicts visits more than ${MAX_FLATTENED_ENTRIES} entries (dicts shared under several keys multiply; not a state dict?)`,
    );
  }
  for (const [k, v] of dict) {
    const key = `${prefix}${String(k)}`;
    if (v instanceof TorchTensorRef) {
      if (out.has(key)) throw new WeightFileError('corrupt', file, 'the key appears twice after flattening nested dicts', { tensor: key });
      out.set(key, v);
    } else if (v instanceof Map) {
      walk(v, `${key}.`, out, [...path, dict], file, budget);
    }
  }
}

/** Open a PyTorch zip checkpoint (`.ckpt`, `.pt`, `.pth`, `.bin`) for lazy, tensor-by-tensor reading. */
export function openTorchCheckpoint(path: string, options?: TorchCheckpointOptions): Promise<TorchCheckpointSource> {
  return TorchCheckpointSource.open(path, options);
}
