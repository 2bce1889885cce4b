/**
 * Writes a built graph: as one in-memory model with inline weights, or as `model.onnx` plus one page-aligned
 * external weights file written tensor by tensor, so a multi-gigabyte model never sits in memory at once.
 */
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { shapeElements } from '../weights/dtype.js';
import { dtypeBytes } from './dtype.js';
import { OnnxError } from './errors.js';
import type { GraphSnapshot } from './graph-base.js';
import { type ModelProtoSpec, type OpsetSpec, type TensorProtoSpec, encodeModel } from './onnx-proto.js';
import { tensorBytes } from './tensor-data.js';

/** IR version 8 (ONNX 1.13): the newest that every tool here reads, onnxruntime 1.30 and Debian's onnx 1.12 checker included. */
export const IR_VERSION = 8;
/**
 * Default-domain opset 17: it has LayerNormalization, and it is the newest opset IR 8 pairs with, so the
 * graphs also pass the onnx 1.12 checker. Everything the models need exists at 17 and onnxruntime 1.30 runs it.
 */
export const ONNX_OPSET = 17;
/** `com.microsoft` contrib-op opset (MultiHeadAttention), imported only when a graph uses it. */
export const MS_OPSET = 1;
/** Bumped whenever the builder's output for the same model code changes; part of built-graph cache keys. */
export const ONNX_BUILDER_VERSION = '1';

/** protobuf's hard limit for one message (2 GiB − 1). */
const PROTO_LIMIT = 2 ** 31 - 1;

/** Options of `GraphBuilder.save`. */
export interface SaveOptions {
  /** Weights in a separate file (default true); false puts them inline in the model file. */
  external?: boolean;
  /** Model file name inside `dir` (default `model.onnx`). */
  modelFile?: string;
  /** Weights file name inside `dir` (default `model.weights.bin`). */
  weightsFile?: string;
  /** Tensor offsets in the weights file are multiples of this (default 4096, the page size, so onnxruntime can mmap them). */
  align?: number;
}

/** What `save` wrote. */
export interface SavedModel {
  modelPath: string;
  /** Absent when the weights are inline. */
  weightsPath?: string;
  modelBytes: number;
  weightsBytes: number;
  /** Number of weight tensors written. */
  tensors: number;
}

function opsets(snapshot: GraphSnapshot, extra: Readonly<Record<string, number>>): OpsetSpec[] {
  const list: OpsetSpec[] = [{ domain: '', version: ONNX_OPSET }];
  for (const domain of snapshot.domains) {
    if (domain === '') continue;
    const version = domain === 'com.microsoft' ? MS_OPSET : extra[domain];
    if (version === undefined) {
      throw new OnnxError('bad-argument', `graph '${snapshot.name}': no opset version for domain '${domain}'; pass opsets`, { domain });
    }
    list.push({ domain, version });
  }
  return list;
}

function modelSpec(snapshot: GraphSnapshot, initializers: TensorProtoSpec[], extraOpsets: Readonly<Record<string, number>>): ModelProtoSpec {
  return {
    irVersion: IR_VERSION,
    opsets: opsets(snapshot, extraOpsets),
    producerName: 'piagraph',
    producerVersion: ONNX_BUILDER_VERSION,
    graph: {
      name: snapshot.name,
      nodes: snapshot.nodes,
      initializers,
      inputs: snapshot.inputs,
      outputs: snapshot.outputs,
      ...(snapshot.docString ? { docString: snapshot.docString } : {}),
    },
  };
}

function checkEndianness(): void {
  if (endianness() !== 'LE') throw new OnnxError('bad-argument', 'ONNX raw data is little-endian; this host is big-endian');
}

/** The whole model, weights inline, as bytes for `InferenceSession.create(bytes)`. */
export async function encodeInline(snapshot: GraphSnapshot, extraOpsets: Readonly<Record<string, number>> = {}): Promise<Uint8Array> {
  checkEndianness();
  const initializers: TensorProtoSpec[] = [];
  let total = 0;
  for (const t of snapshot.weights) {
    const raw = await tensorBytes(t);
    total += raw.length;
    if (total > PROTO_LIMIT) {
      throw new OnnxError('model-too-large', `graph '${snapshot.name}': inline weights pass 2 GiB at '${t.name}'; save with external weights`, {
        bytes: total,
      });
    }
    initializers.push({ name: t.name, dtype: t.storeAs, dims: t.shape, raw });
  }
  return encodeModel(modelSpec(snapshot, initializers, extraOpsets));
}

async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes `dir/modelFile` and, for external weights, `dir/weightsFile`. Each tensor is read (lazy sources are
 * awaited here), converted, written at the next aligned offset and dropped before the next one. Files are
 * written under temporary names and renamed, so a reader never sees half a model.
 */
export async function saveModel(
  snapshot: GraphSnapshot,
  dir: string,
  options: SaveOptions = {},
  extraOpsets: Readonly<Record<string, number>> = {},
): Promise<SavedModel> {
  checkEndianness();
  const modelPath = join(dir, options.modelFile ?? 'model.onnx');
  const suffix = `.tmp-${process.pid}`;
  if (options.external === false) {
    const bytes = await encodeInline(snapshot, extraOpsets);
    await writeFile(modelPath, suffix, bytes);
    const weightsBytes = snapshot.weights.reduce((n, t) => n + shapeElements(t.shape) * dtypeBytes(t.storeAs), 0);
    return { modelPath, modelBytes: bytes.length, weightsBytes, tensors: snapshot.weights.length };
  }
  const align = options.align ?? 4096;
  if (!Number.isInteger(align) || align < 1) throw new OnnxError('bad-argument', `save: align must be a positive integer, got ${align}`);
  const weightsFile = options.weightsFile ?? 'model.weights.bin';
  const weightsPath = join(dir, weightsFile);
  const initializers: TensorProtoSpec[] = [];
  let end = 0;
  const handle = await open(weightsPath + suffix, 'w');
  try {
    for (const t of snapshot.weights) {
      const raw = await tensorBytes(t);
      if (raw.length === 0) {
        initializers.push({ name: t.name, dtype: t.storeAs, dims: t.shape, raw });
        continue;
      }
      const offset = Math.ceil(end / align) * align;
      await writeFully(handle, raw, offset);
      end = offset + raw.length;
      initializers.push({ name: t.name, dtype: t.storeAs, dims: t.shape, external: { location: weightsFile, offset, length: raw.length } });
    }
  } catch (err) {
    await handle.close();
    await rm(weightsPath + suffix, { force: true });
    throw err;
  }
  await handle.close();
  const model = encodeModel(modelSpec(snapshot, initializers, extraOpsets));
  await rename(weightsPath + suffix, weightsPath);
  await writeFile(modelPath, suffix, model);
  return { modelPath, weightsPath, modelBytes: model.length, weightsBytes: end, tensors: snapshot.weights.length };
}

async function writeFile(path: string, suffix: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path + suffix, 'w');
  try {
    await writeFully(handle, bytes, 0);
  } finally {
    await handle.close();
  }
  await rename(path + suffix, path);
}
