/**
 * The weights of a built graph as the graph stores them: which initializer holds a canonical weight, in which dtype
 * and layout (torch Linear weights are stored transposed for MatMul), and their bytes read back from the graph's
 * external weights file, so that LoRAs can be merged without the checkpoint or the graph builder.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { shapeElements } from '../weights/dtype.js';
import type { LoraPatch } from './apply.js';
import { firstKeys, LoraError } from './errors.js';
import type { StoredMatrix } from './merge-kernel.js';
import { scanModel, type ExternalRange, type InitializerInfo, type ModelScan } from './onnx-initializers.js';

/** `TensorProto.DataType` of the float types weights are stored in. */
const FLOAT32 = 1;
const FLOAT16 = 10;

/** A model file's bytes and what they declare. */
export interface GraphFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly scan: ModelScan;
}

/** Reads and scans a model file. */
export async function readGraph(modelPath: string): Promise<GraphFile> {
  const bytes = new Uint8Array(await readFile(modelPath));
  return { path: modelPath, bytes, scan: scanModel(bytes) };
}

/** How a graph stores a weight: its initializer and whether it holds the torch weight transposed (MatMul's `[in, out]`). */
export interface StoredWeight {
  readonly info: InitializerInfo & { readonly external: ExternalRange };
  readonly dtype: 'float32' | 'float16';
  readonly transposed: boolean;
  /** The weight's canonical (torch) shape. */
  readonly canonical: readonly number[];
}

/** The stored form of weight `name`; throws `bad-input` naming the model for anything but an external float weight. */
export function storedWeight(graph: GraphFile, name: string): StoredWeight {
  const fail = (message: string): never => {
    throw new LoraError('bad-input', graph.path, message, { keys: [name] });
  };
  const info = graph.scan.initializers.get(name);
  if (!info) return fail(`the graph has no initializer '${name}'`);
  if (!info.external) return fail(`initializer '${name}' is stored inline; only external weights can be replaced`);
  if (info.dataType !== FLOAT32 && info.dataType !== FLOAT16) return fail(`initializer '${name}' has ONNX data type ${info.dataType}, not float32 or float16`);
  const uses = graph.scan.uses.get(name) ?? [];
  // A torch Linear weight `[out, in]` reaches MatMul as its second input, transposed (Gemm says so with transB).
  const transposedUse = (u: (typeof uses)[number]) =>
    u.input === 1 && (u.opType === 'MatMul' || (u.opType === 'Gemm' && (u.intAttributes.transB ?? 0) === 0));
  const transposed = uses.length > 0 && uses.every(transposedUse);
  if (!transposed && uses.some(transposedUse)) fail(`initializer '${name}' is read both as stored and transposed; cannot tell its layout`);
  if (transposed && info.dims.length !== 2) fail(`initializer '${name}' [${info.dims.join(', ')}] feeds a MatMul but is not 2-D`);
  const canonical = transposed ? [info.dims[1]!, info.dims[0]!] : info.dims;
  return { info: info as StoredWeight['info'], dtype: info.dataType === FLOAT16 ? 'float16' : 'float32', transposed, canonical };
}

/**
 * A U-Net graph must hold every U-Net layer a LoRA patches under its canonical name; a layer it lacks would be
 * silently left out (a graph built with fused or renamed weights). A text-encoder graph built with clip skip lacks
 * its last layers on purpose, so those are not checked.
 */
export function checkCoverage(patches: readonly LoraPatch[], graph: GraphFile): void {
  const has = (name: string) => graph.scan.initializers.has(name);
  const layers = patches.flatMap((p) => p.lora.layers.filter((l) => l.component === 'unet'));
  const lost = layers.filter((l) => !has(l.target)).map((l) => l.target);
  if (lost.length > 0 && lost.length < layers.length) {
    throw new LoraError('bad-input', graph.path, `the graph has no initializer ${firstKeys(lost)}, which the LoRA patches (was it built with fused or renamed weights?)`, {
      keys: lost.slice(0, 10),
      count: lost.length,
    });
  }
}

/** Reads stored weights back from the external files next to a model. */
export class StoredWeightReader {
  readonly #handles = new Map<string, FileHandle>();

  constructor(readonly graph: GraphFile) {}

  /** The weight's values as stored (dtype and layout of the graph), as a `[dims[0], rest]` matrix. */
  async read(weight: StoredWeight): Promise<StoredMatrix> {
    const { location, offset, length } = weight.info.external;
    const raw = new Uint8Array(length);
    const handle = await this.#file(location);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(raw, done, length - done, offset + done);
      if (bytesRead === 0) throw new LoraError('bad-input', this.graph.path, `'${location}' ends before byte ${offset + length} of '${weight.info.name}'`);
      done += bytesRead;
    }
    const rows = weight.info.dims[0]!;
    const cols = shapeElements(weight.info.dims) / rows;
    return weight.dtype === 'float16'
      ? { dtype: 'float16', rows, cols, data: new Uint16Array(raw.buffer, 0, length / 2) }
      : { dtype: 'float32', rows, cols, data: new Float32Array(raw.buffer, 0, length / 4) };
  }

  async #file(location: string): Promise<FileHandle> {
    let h = this.#handles.get(location);
    if (!h) {
      if (basename(location) !== location) throw new LoraError('bad-input', this.graph.path, `external data location '${location}' is not a file next to the model`);
      h = await open(join(dirname(this.graph.path), location), 'r');
      this.#handles.set(location, h);
    }
    return h;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#handles.values()].map((h) => h.close()));
    this.#handles.clear();
  }
}
