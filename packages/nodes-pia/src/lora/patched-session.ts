/**
 * Sessions of a cached graph with some weights replaced, without rebuilding the graph: the replaced tensors are
 * written (in the graph's own dtype and layout) to a patch file next to the cached `model.onnx`, and a copy of the
 * model whose replaced initializers point into that file is opened; every other weight is still read from the
 * cached `model.weights.bin`. onnxruntime-node cannot mix in-memory external data with files (it then wants every
 * external file in memory, the whole weights file included), and inline data caps the model at 2 GiB, hence a file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ModelWeights } from '../models/tensors.js';
import { OnnxSession, type SessionOptions } from '../onnx/session.js';
import { float32ToHalf } from '../weights/half.js';
import { targetedWeights, weightTerms, type LoraPatch } from './apply.js';
import { transposeMatrix } from './delta-terms.js';
import { LoraError } from './errors.js';
import { checkCoverage, readGraph, storedWeight, StoredWeightReader, type GraphFile } from './graph-weights.js';
import { addDeltaTerms } from './merge-kernel.js';
import { redirectInitializers, type ExternalRange } from './onnx-initializers.js';
import { openSideModel } from './side-model.js';

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

/** Patch tensors start on page boundaries, as the cached weights do, so onnxruntime may map them. */
const ALIGN = 4096;

/** One replaced tensor: its name, stored byte length and a producer of its stored bytes. */
interface Replacement {
  readonly name: string;
  readonly length: number;
  bytes(): Promise<Uint8Array>;
}

function bytesOf(data: Float32Array | Uint16Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
}

/** Writes the replacements one after another (each produced, written and dropped) into `path`. */
async function writePatch(path: string, replacements: readonly Replacement[]): Promise<Map<string, ExternalRange>> {
  const redirects = new Map<string, ExternalRange>();
  const handle = await open(path, 'w');
  try {
    let end = 0;
    for (const r of replacements) {
      const offset = Math.ceil(end / ALIGN) * ALIGN;
      const bytes = await r.bytes();
      if (bytes.length !== r.length) throw new Error(`replacement '${r.name}' has ${bytes.length} bytes, the graph stores ${r.length}`);
      await writeFully(handle, bytes, offset);
      redirects.set(r.name, { location: basename(path), offset, length: bytes.length });
      end = offset + bytes.length;
    }
  } finally {
    await handle.close();
  }
  return redirects;
}

async function openWithReplacements(graph: GraphFile, replacements: readonly Replacement[], options: SessionOptions): Promise<PatchedSession> {
  const started = performance.now();
  if (replacements.length === 0) {
    const session = await OnnxSession.load(graph.path, options);
    return { session, patched: [], timings: { patchSeconds: 0, sessionSeconds: (performance.now() - started) / 1000 }, release: () => session.release() };
  }
  let patched: string[] = [];
  let patchSeconds = 0;
  const side = await openSideModel(
    graph.path,
    async (name) => {
      const redirects = await writePatch(name('.bin'), replacements);
      patched = [...redirects.keys()];
      await writeSideModel(name('.onnx'), redirectInitializers(graph.bytes, redirects));
      patchSeconds = (performance.now() - started) / 1000;
    },
    options,
  );
  return { session: side.session, patched, timings: { patchSeconds, sessionSeconds: side.sessionSeconds }, release: side.release };
}

async function writeSideModel(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await writeFully(handle, bytes, 0);
  } finally {
    await handle.close();
  }
}

/**
 * Opens the cached graph `modelPath` (a `model.onnx` with external weights) with some weights replaced:
 * `tensors` maps canonical names (the graph's initializer names) to new values in their canonical (torch) shape.
 * They are converted to the graph's dtype and layout (Linear weights transposed for MatMul) and written to a patch
 * file; the graph is not rebuilt.
 */
export async function openPatchedSession(modelPath: string, tensors: ModelWeights, options: SessionOptions = {}): Promise<PatchedSession> {
  const graph = await readGraph(modelPath);
  return openWithReplacements(graph, wholeTensorReplacements(graph, tensors, modelPath), options);
}

/** Replacements of whole tensors given in their canonical shape, converted to the graph's dtype and layout. */
function wholeTensorReplacements(graph: GraphFile, tensors: ModelWeights, modelPath: string): Replacement[] {
  const replacements: Replacement[] = [];
  for (const [name, tensor] of tensors) {
    const stored = storedWeight(graph, name);
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
        return bytesOf(stored.dtype === 'float16' ? float32ToHalf(data) : data);
      },
    });
  }
  return replacements;
}

/**
 * Opens the cached graph `modelPath` (built from the base weights, without LoRAs) with LoRAs merged in:
 * `await openLoraSession(cached.modelPath, [{ lora, strength: 0.8 }], sessionOptions)`. The base values are read
 * back from the graph's own weights file, in its dtype and layout, so neither the checkpoint nor the graph builder
 * is needed: applying or changing a LoRA costs the merge of the targeted layers plus a session creation, and the
 * session then runs exactly as fast as the plain graph. Layers of the other network (the text encoder's, for a
 * U-Net graph) are ignored. Release the result with `release()`.
 */
export async function openLoraSession(
  modelPath: string,
  patches: readonly LoraPatch[],
  options: SessionOptions = {},
  /** Whole tensors replaced besides the LoRA-patched ones (a motion model's patched weights); none may be a LoRA target. */
  replaced: ModelWeights = new Map(),
): Promise<PatchedSession> {
  const graph = await readGraph(modelPath);
  checkCoverage(patches, graph);
  const targets = targetedWeights(patches, (name) => graph.scan.initializers.has(name));
  const clash = targets.find((t) => replaced.has(t.name));
  if (clash) throw new LoraError('bad-input', modelPath, `'${clash.name}' is both LoRA-patched and replaced`, { keys: [clash.name] });
  const stored = targets.map((t) => storedWeight(graph, t.name));
  const terms = targets.map((t, i) => weightTerms(t, stored[i]!.canonical, stored[i]!.transposed));
  const reader = new StoredWeightReader(graph);
  try {
    const replacements = targets.map(
      (t, i): Replacement => ({
        name: t.name,
        length: stored[i]!.info.external.length,
        bytes: async () => bytesOf((await addDeltaTerms(await reader.read(stored[i]!), terms[i]!)).data),
      }),
    );
    return await openWithReplacements(graph, [...replacements, ...wholeTensorReplacements(graph, replaced, modelPath)], options);
  } finally {
    await reader.close();
  }
}
