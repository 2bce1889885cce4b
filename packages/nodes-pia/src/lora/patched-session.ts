/**
 * Sessions of a cached graph with some weights replaced, without rebuilding the graph: the replaced tensors are
 * written (in the graph's own dtype and layout) to a patch file next to the cached `model.onnx`, and a copy of the
 * model whose replaced initializers point into that file is opened; every other weight is still read from the
 * cached `model.weights.bin`. onnxruntime-node cannot mix in-memory external data with files (it then wants every
 * external file in memory, the whole weights file included), and inline data caps the model at 2 GiB, hence a file.
 * Both files are unlinked as soon as the session holds the weights (POSIX keeps a mapped file alive), or on release.
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ModelWeights } from '../models/tensors.js';
import { OnnxSession, type SessionOptions } from '../onnx/session.js';
import { shapeElements } from '../weights/dtype.js';
import { float32ToHalf } from '../weights/half.js';
import { targetedWeights, weightTerms, type LoraPatch } from './apply.js';
import { transposeMatrix } from './delta-terms.js';
import { LoraError } from './errors.js';
import { addDeltaTerms, type StoredMatrix } from './merge-kernel.js';
import { redirectInitializers, scanModel, type ExternalRange, type InitializerInfo, type ModelScan } from './onnx-initializers.js';

/** A session whose graph computes with replaced weights. */
export interface PatchedSession {
  readonly session: OnnxSession;
  /** The initializers that were replaced. */
  readonly patched: readonly string[];
  /** Seconds spent computing and writing the replaced tensors, and creating the session. */
  readonly timings: { readonly patchSeconds: number; readonly sessionSeconds: number };
  /** Releases the session (and removes the patch files if they could not be removed earlier). */
  release(): Promise<void>;
}

/** `TensorProto.DataType` of the float types weights are stored in. */
const FLOAT32 = 1;
const FLOAT16 = 10;
/** Patch tensors start on page boundaries, as the cached weights do, so onnxruntime may map them. */
const ALIGN = 4096;

/** How a graph stores a weight: its initializer and whether it holds the torch weight transposed (MatMul's `[in, out]`). */
interface StoredWeight {
  readonly info: InitializerInfo & { readonly external: ExternalRange };
  readonly transposed: boolean;
  /** The weight's canonical (torch) shape. */
  readonly canonical: readonly number[];
}

function storedWeight(scan: ModelScan, name: string, modelPath: string): StoredWeight {
  const info = scan.initializers.get(name);
  if (!info) throw new LoraError('bad-input', modelPath, `the graph has no initializer '${name}'`, { keys: [name] });
  if (!info.external) throw new LoraError('bad-input', modelPath, `initializer '${name}' is stored inline; only external weights can be replaced`, { keys: [name] });
  if (info.dataType !== FLOAT32 && info.dataType !== FLOAT16) {
    throw new LoraError('bad-input', modelPath, `initializer '${name}' has ONNX data type ${info.dataType}, not float32 or float16`, { keys: [name] });
  }
  const uses = scan.uses.get(name) ?? [];
  // A torch Linear weight `[out, in]` reaches MatMul as its second input, transposed (Gemm says so with transB).
  const transposedUse = (u: (typeof uses)[number]) =>
    u.input === 1 && (u.opType === 'MatMul' || (u.opType === 'Gemm' && (u.intAttributes.transB ?? 0) === 0));
  const transposed = uses.length > 0 && uses.every(transposedUse);
  if (!transposed && uses.some(transposedUse)) {
    throw new LoraError('bad-input', modelPath, `initializer '${name}' is read both as stored and transposed; cannot tell its layout`, { keys: [name] });
  }
  if (transposed && info.dims.length !== 2) {
    throw new LoraError('bad-input', modelPath, `initializer '${name}' [${info.dims.join(', ')}] feeds a MatMul but is not 2-D`, { keys: [name] });
  }
  const canonical = transposed ? [info.dims[1]!, info.dims[0]!] : info.dims;
  return { info: info as StoredWeight['info'], transposed, canonical };
}

function dtypeOf(info: InitializerInfo): 'float32' | 'float16' {
  return info.dataType === FLOAT16 ? 'float16' : 'float32';
}

function bytesOf(data: Float32Array | Uint16Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** One replaced tensor: its name and a producer of its stored bytes. */
interface Replacement {
  readonly name: string;
  readonly length: number;
  bytes(): Promise<Uint8Array>;
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
}

async function removeQuietly(paths: readonly string[]): Promise<boolean> {
  try {
    await Promise.all(paths.map((p) => rm(p, { force: true })));
    return true;
  } catch {
    return false;
  }
}

async function openWithReplacements(
  modelPath: string,
  modelBytes: Uint8Array,
  replacements: readonly Replacement[],
  options: SessionOptions,
): Promise<PatchedSession> {
  if (replacements.length === 0) {
    const started = performance.now();
    const session = await OnnxSession.load(modelPath, options);
    return { session, patched: [], timings: { patchSeconds: 0, sessionSeconds: (performance.now() - started) / 1000 }, release: () => session.release() };
  }
  const started = performance.now();
  const stem = `lora-patch-${process.pid}-${randomUUID().slice(0, 8)}`;
  const binName = `${stem}.bin`;
  const binPath = join(dirname(modelPath), binName);
  const onnxPath = join(dirname(modelPath), `${stem}.onnx`);
  const files = [binPath, onnxPath];
  const redirects = new Map<string, ExternalRange>();
  try {
    const handle = await open(binPath, 'w');
    try {
      let end = 0;
      for (const r of replacements) {
        const offset = Math.ceil(end / ALIGN) * ALIGN;
        const bytes = await r.bytes();
        if (bytes.length !== r.length) throw new Error(`replacement '${r.name}' has ${bytes.length} bytes, the graph stores ${r.length}`);
        await writeFully(handle, bytes, offset);
        redirects.set(r.name, { location: binName, offset, length: bytes.length });
        end = offset + bytes.length;
      }
    } finally {
      await handle.close();
    }
    await writeFile(onnxPath, redirectInitializers(modelBytes, redirects));
  } catch (err) {
    await removeQuietly(files);
    throw err;
  }
  const patchSeconds = (performance.now() - started) / 1000;
  const sessionStarted = performance.now();
  let session: OnnxSession;
  try {
    session = await OnnxSession.load(onnxPath, options);
  } catch (err) {
    await removeQuietly(files);
    throw err;
  }
  // The session now holds (or maps) the weights; on Windows an open file cannot be removed yet.
  const removed = await removeQuietly(files);
  return {
    session,
    patched: [...redirects.keys()],
    timings: { patchSeconds, sessionSeconds: (performance.now() - sessionStarted) / 1000 },
    release: async () => {
      await session.release();
      if (!removed) await removeQuietly(files);
    },
  };
}

/** The stored bytes of one external initializer. */
async function readStored(handle: FileHandle, range: ExternalRange): Promise<Uint8Array> {
  const bytes = new Uint8Array(range.length);
  let done = 0;
  while (done < range.length) {
    const { bytesRead } = await handle.read(bytes, done, range.length - done, range.offset + done);
    if (bytesRead === 0) throw new Error(`the weights file ends before byte ${range.offset + range.length}`);
    done += bytesRead;
  }
  return bytes;
}

/**
 * Opens the cached graph `modelPath` (a `model.onnx` with external weights) with some weights replaced:
 * `tensors` maps canonical names (the graph's initializer names) to new values in their canonical (torch) shape.
 * They are converted to the graph's dtype and layout (Linear weights transposed for MatMul) and written to a patch
 * file; the graph is not rebuilt.
 */
export async function openPatchedSession(modelPath: string, tensors: ModelWeights, options: SessionOptions = {}): Promise<PatchedSession> {
  const modelBytes = new Uint8Array(await readFile(modelPath));
  return openWithReplacements(modelPath, modelBytes, wholeTensorReplacements(scanModel(modelBytes), tensors, modelPath), options);
}

/** Replacements of whole tensors given in their canonical shape, converted to the graph's dtype and layout. */
function wholeTensorReplacements(scan: ModelScan, tensors: ModelWeights, modelPath: string): Replacement[] {
  const replacements: Replacement[] = [];
  for (const [name, tensor] of tensors) {
    const stored = storedWeight(scan, name, modelPath);
    const same = stored.canonical.length === tensor.shape.length && stored.canonical.every((d, i) => d === tensor.shape[i]);
    if (!same) {
      throw new LoraError('shape-mismatch', modelPath, `'${name}' is [${tensor.shape.join(', ')}] but the graph's is [${stored.canonical.join(', ')}]`, { keys: [name] });
    }
    replacements.push({
      name,
      length: stored.info.external.length,
      bytes: async () => {
        let data = await tensor.read();
        if (stored.transposed) data = transposeMatrix(data, tensor.shape[0]!, tensor.shape[1]!);
        return bytesOf(dtypeOf(stored.info) === 'float16' ? float32ToHalf(data) : data);
      },
    });
  }
  return replacements;
}

/**
 * Opens the cached graph `modelPath` (built from the base weights, without LoRAs) with LoRAs merged in:
 * `await openLoraSession(cached.modelPath, [{ lora, strength: 0.8 }], sessionOptions)`. The base values are read
 * back from the graph's own weights file, in its dtype and layout, so neither the checkpoint nor the graph builder
 * is needed: a strength change costs the merge of the targeted layers plus a session creation. Layers of the other
 * network (text encoder for a U-Net graph) are ignored. Release the result's session with `release()`.
 */
export async function openLoraSession(
  modelPath: string,
  patches: readonly LoraPatch[],
  options: SessionOptions = {},
  /** Whole tensors replaced besides the LoRA-patched ones (a motion model's patched weights); none may be a LoRA target. */
  replaced: ModelWeights = new Map(),
): Promise<PatchedSession> {
  const modelBytes = new Uint8Array(await readFile(modelPath));
  const scan = scanModel(modelBytes);
  const targets = targetedWeights(patches, (name) => scan.initializers.has(name));
  const clash = targets.find((t) => replaced.has(t.name));
  if (clash) throw new LoraError('bad-input', modelPath, `'${clash.name}' is both LoRA-patched and replaced`, { keys: [clash.name] });
  const stored = targets.map((t) => storedWeight(scan, t.name, modelPath));
  const terms = targets.map((t, i) => weightTerms(t, stored[i]!.canonical, stored[i]!.transposed));
  const handles = new Map<string, FileHandle>();
  const weightsFile = async (location: string) => {
    let h = handles.get(location);
    if (!h) {
      if (basename(location) !== location) throw new LoraError('bad-input', modelPath, `external data location '${location}' is not a file next to the model`);
      h = await open(join(dirname(modelPath), location), 'r');
      handles.set(location, h);
    }
    return h;
  };
  try {
    const replacements = targets.map((t, i): Replacement => {
      const { info } = stored[i]!;
      return {
        name: t.name,
        length: info.external.length,
        bytes: async () => {
          const raw = await readStored(await weightsFile(info.external.location), info.external);
          const rows = info.dims[0]!;
          const cols = shapeElements(info.dims) / rows;
          const base: StoredMatrix =
            dtypeOf(info) === 'float16'
              ? { dtype: 'float16', rows, cols, data: new Uint16Array(raw.buffer, 0, raw.length / 2) }
              : { dtype: 'float32', rows, cols, data: new Float32Array(raw.buffer, 0, raw.length / 4) };
          return bytesOf((await addDeltaTerms(base, terms[i]!)).data);
        },
      };
    });
    return await openWithReplacements(modelPath, modelBytes, [...replacements, ...wholeTensorReplacements(scan, replaced, modelPath)], options);
  } finally {
    await Promise.all([...handles.values()].map((h) => h.close()));
  }
}
