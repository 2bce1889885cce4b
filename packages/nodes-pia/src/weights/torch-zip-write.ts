/**
 * Writing a state dict in PyTorch's zip format, following the layout `torch.save` produces (torch ≥ 2.1,
 * default protocol 2): records `data.pkl`, `.format_version`, `byteorder`, `data/0`, `data/1`…, then `version`
 * and `.data/serialization_id`, all under one top folder, stored uncompressed with 64-byte aligned data.
 * The pickle is an `OrderedDict` whose values are `torch._utils._rebuild_tensor_v2(...)` calls on persistent
 * storage ids, opcode for opcode what Python's pickler emits for a contiguous CPU state dict. Without Python
 * torch here, this is verified by round trips and by hand-assembled pickles in the tests.
 */
import { shapeElements, type WeightDType } from './dtype.js';
import { WeightFileError } from './errors.js';
import { writeAtomically } from './file-io.js';
import { PickleWriter } from './pickle-write.js';
import type { WriteSummary } from './safetensors-write.js';
import { listTensors, tensorData, type NamedTensor, type TensorsToWrite } from './tensor-input.js';
import { TORCH_STORAGE_DTYPES } from './torch-pickle.js';
import { ZipWriter } from './zip-write.js';

/** Options of {@link writeTorchCheckpoint}. */
export interface TorchCheckpointWriteOptions {
  /** Top folder inside the zip; torch uses the file's base name, or "archive" when saving to a stream. */
  archiveName?: string;
  /** Wrap the tensors as `{ [nestUnder]: state_dict }`, as LDM checkpoints hold them under "state_dict". */
  nestUnder?: string;
  /** Write zip64 fields even for small files (to exercise readers). */
  forceZip64?: boolean;
}

/** Python batches SETITEMS in runs of this many pairs. */
const BATCH = 1000;

function storageClass(dtype: WeightDType, file: string, tensor: string): string {
  const entry = Object.entries(TORCH_STORAGE_DTYPES).find(([, d]) => d === dtype);
  if (entry === undefined) throw new WeightFileError('invalid-input', file, `PyTorch has no storage class for ${dtype}`, { tensor });
  return entry[0];
}

function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i]!;
  }
  return strides;
}

/** The `data.pkl` of a state dict whose i-th tensor lives in storage record `data/<i>`. */
export function pickleStateDict(tensors: readonly NamedTensor[], file: string, nestUnder?: string): Uint8Array {
  const w = new PickleWriter().proto(2);
  if (nestUnder !== undefined) w.emptyDict().string(nestUnder);
  w.global('collections', 'OrderedDict').tuple(0, () => undefined).reduce().memoize();
  for (let start = 0; start < tensors.length; start += BATCH) {
    const batch = tensors.slice(start, start + BATCH);
    if (batch.length > 1) w.mark();
    batch.forEach((t, i) => {
      const numel = shapeElements(t.shape);
      w.string(t.name).global('torch._utils', '_rebuild_tensor_v2');
      w.tuple(6, () => {
        w.tuple(5, () => {
          w.string('storage').global('torch', storageClass(t.dtype, file, t.name)).string(String(start + i)).string('cpu').int(numel);
        });
        w.binpersid().int(0).intTuple(t.shape).intTuple(contiguousStrides(t.shape)).bool(false);
        w.global('collections', 'OrderedDict').tuple(0, () => undefined).reduce().memoize();
      });
      w.reduce().memoize();
    });
    if (batch.length > 1) w.setitems();
    else w.setitem();
  }
  if (nestUnder !== undefined) w.setitem();
  return w.stop().finish();
}

/** A deterministic stand-in for torch's serialization id: 20 digits from the record names, 20 from their CRCs. */
function serializationId(names: readonly string[], crcs: readonly number[]): string {
  let nameHash = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(names.join('\n'))) nameHash = ((nameHash ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  const combined = crcs.reduce((acc, c) => (acc * 31n + BigInt(c)) & 0xffffffffffffffffn, 0n);
  return `${nameHash.toString().padStart(20, '0')}${combined.toString().padStart(20, '0')}`;
}

/**
 * Write named tensors as a PyTorch checkpoint, streaming one storage at a time (tensors given as callbacks are
 * produced only when reached). The file appears under `path` only once complete.
 */
export async function writeTorchCheckpoint(path: string, tensors: TensorsToWrite, options: TorchCheckpointWriteOptions = {}): Promise<WriteSummary> {
  const list = listTensors(tensors, path);
  const archive = options.archiveName ?? 'archive';
  if (!/^[A-Za-z0-9_.-]+$/.test(archive)) throw new WeightFileError('invalid-input', path, `archive name "${archive}" must be a plain folder name`);
  const pickle = pickleStateDict(list, path, options.nestUnder);
  return writeAtomically(path, async (sink) => {
    const zip = new ZipWriter(sink, { alignment: 64, forceZip64: options.forceZip64 ?? false });
    const names: string[] = [];
    const crcs: number[] = [];
    const add = async (name: string, data: Uint8Array): Promise<void> => {
      names.push(name);
      crcs.push(await zip.add(`${archive}/${name}`, data));
    };
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    await add('data.pkl', pickle);
    await add('.format_version', text('1'));
    await add('byteorder', text('little'));
    for (const [i, tensor] of list.entries()) await add(`data/${i}`, await tensorData(tensor, path));
    await add('version', text('3\n'));
    await add('.data/serialization_id', text(serializationId(names, crcs)));
    await zip.finish();
    return { path, bytes: sink.position, tensors: list.length };
  });
}
