/**
 * Reading and redirecting the initializers of a built model file: which tensors it stores where (external file,
 * offset, length), in which dtype and layout, and a copy of the model whose chosen initializers read their bytes
 * from another external file. Everything else in the model is copied byte for byte.
 */
import { ProtoWriter } from '../onnx/protobuf.js';
import { fieldInts, fieldText, protoFields, type ProtoField } from './proto-read.js';

// Field numbers of onnx/onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const NODE_INPUT = 1;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_INT = 3;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
/** Typed data fields (float_data, int32_data, string_data, int64_data, double_data, uint64_data) and segment. */
const TENSOR_DATA_FIELDS = new Set([3, 4, 5, 6, 7, 10, 11]);
const DATA_LOCATION_EXTERNAL = 1;

/** Where an initializer's bytes are, when they live in an external file. */
export interface ExternalRange {
  readonly location: string;
  readonly offset: number;
  readonly length: number;
}

/** One initializer of a model: name, `TensorProto.DataType`, stored dims and external range (absent when inline). */
export interface InitializerInfo {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  readonly external?: ExternalRange;
}

/** A node input that reads an initializer: the node's op type, the input position and its int attributes. */
export interface InitializerUse {
  readonly opType: string;
  readonly input: number;
  readonly intAttributes: Readonly<Record<string, number>>;
}

/** What {@link scanModel} finds in a model file. */
export interface ModelScan {
  readonly initializers: ReadonlyMap<string, InitializerInfo>;
  /** The nodes reading each initializer (graph-level nodes only; subgraphs are not searched). */
  readonly uses: ReadonlyMap<string, readonly InitializerUse[]>;
}

function graphField(bytes: Uint8Array): ProtoField {
  for (const f of protoFields(bytes)) if (f.field === MODEL_GRAPH && f.body) return f;
  throw new Error('the model has no graph');
}

function readTensor(bytes: Uint8Array, start: number, end: number): InitializerInfo {
  let name = '';
  let dataType = 0;
  const dims: number[] = [];
  const entries = new Map<string, string>();
  let external = false;
  for (const f of protoFields(bytes, start, end)) {
    if (f.field === TENSOR_NAME) name = fieldText(bytes, f);
    else if (f.field === TENSOR_DATA_TYPE) dataType = Number(f.varint ?? 0n);
    else if (f.field === TENSOR_DIMS) dims.push(...fieldInts(bytes, f));
    else if (f.field === TENSOR_DATA_LOCATION) external = Number(f.varint ?? 0n) === DATA_LOCATION_EXTERNAL;
    else if (f.field === TENSOR_EXTERNAL_DATA && f.body) {
      let key = '';
      let value = '';
      for (const e of protoFields(bytes, f.body.start, f.body.end)) {
        if (e.field === 1) key = fieldText(bytes, e);
        else if (e.field === 2) value = fieldText(bytes, e);
      }
      entries.set(key, value);
    }
  }
  if (!external) return { name, dataType, dims };
  return {
    name,
    dataType,
    dims,
    external: { location: entries.get('location') ?? '', offset: Number(entries.get('offset') ?? 0), length: Number(entries.get('length') ?? -1) },
  };
}

function readUses(bytes: Uint8Array, start: number, end: number, add: (name: string, use: InitializerUse) => void): void {
  const inputs: string[] = [];
  let opType = '';
  const intAttributes: Record<string, number> = {};
  for (const f of protoFields(bytes, start, end)) {
    if (f.field === NODE_INPUT) inputs.push(fieldText(bytes, f));
    else if (f.field === NODE_OP_TYPE) opType = fieldText(bytes, f);
    else if (f.field === NODE_ATTRIBUTE && f.body) {
      let name = '';
      let value: number | undefined;
      for (const a of protoFields(bytes, f.body.start, f.body.end)) {
        if (a.field === ATTRIBUTE_NAME) name = fieldText(bytes, a);
        else if (a.field === ATTRIBUTE_INT && a.varint !== undefined) value = Number(BigInt.asIntN(64, a.varint));
      }
      if (value !== undefined) intAttributes[name] = value;
    }
  }
  inputs.forEach((name, input) => add(name, { opType, input, intAttributes }));
}

/** Lists a model's initializers and the nodes that read them. */
export function scanModel(bytes: Uint8Array): ModelScan {
  const graph = graphField(bytes);
  const initializers = new Map<string, InitializerInfo>();
  const nodes: { start: number; end: number }[] = [];
  for (const f of protoFields(bytes, graph.body!.start, graph.body!.end)) {
    if (f.field === GRAPH_INITIALIZER && f.body) {
      const t = readTensor(bytes, f.body.start, f.body.end);
      initializers.set(t.name, t);
    } else if (f.field === GRAPH_NODE && f.body) {
      nodes.push(f.body);
    }
  }
  const uses = new Map<string, InitializerUse[]>();
  for (const n of nodes) {
    readUses(bytes, n.start, n.end, (name, use) => {
      if (!initializers.has(name)) return;
      const list = uses.get(name);
      if (list) list.push(use);
      else uses.set(name, [use]);
    });
  }
  return { initializers, uses };
}

/** New bytes for an initializer: inline data, or a range of an external file. */
export type InitializerBytes = { readonly raw: Uint8Array } | ExternalRange;

function writeRedirected(w: ProtoWriter, bytes: Uint8Array, start: number, end: number, to: InitializerBytes): void {
  for (const f of protoFields(bytes, start, end)) {
    if (f.field === TENSOR_EXTERNAL_DATA || f.field === TENSOR_DATA_LOCATION || f.field === TENSOR_RAW_DATA) continue;
    if (TENSOR_DATA_FIELDS.has(f.field)) continue;
    w.raw(bytes.subarray(f.start, f.end));
  }
  if ('raw' in to) {
    w.bytes(TENSOR_RAW_DATA, to.raw);
    return;
  }
  for (const [key, value] of [
    ['location', to.location],
    ['offset', String(to.offset)],
    ['length', String(to.length)],
  ] as const) {
    w.message(TENSOR_EXTERNAL_DATA, (e) => e.string(1, key).string(2, value));
  }
  w.int(TENSOR_DATA_LOCATION, DATA_LOCATION_EXTERNAL);
}

/**
 * A copy of the model in which each initializer named in `redirects` holds the given bytes inline or reads them from
 * the given external range (whatever it held before); every other byte of the model is kept.
 */
export function redirectInitializers(bytes: Uint8Array, redirects: ReadonlyMap<string, InitializerBytes>): Uint8Array {
  const graph = graphField(bytes);
  const g = new ProtoWriter();
  for (const f of protoFields(bytes, graph.body!.start, graph.body!.end)) {
    if (f.field === GRAPH_INITIALIZER && f.body) {
      const name = readTensor(bytes, f.body.start, f.body.end).name;
      const to = redirects.get(name);
      if (to) {
        g.message(GRAPH_INITIALIZER, (t) => writeRedirected(t, bytes, f.body!.start, f.body!.end, to));
        continue;
      }
    }
    g.raw(bytes.subarray(f.start, f.end));
  }
  const graphBytes = g.finish();
  const m = new ProtoWriter();
  for (const f of protoFields(bytes)) {
    if (f.field === MODEL_GRAPH) m.bytes(MODEL_GRAPH, graphBytes);
    else m.raw(bytes.subarray(f.start, f.end));
  }
  return m.finish();
}

/**
 * A copy of the model in which the initializers named in `names` are graph inputs instead (same name, element type
 * and shape), so that their values are fed with every run rather than fixed when the session is created.
 */
export function initializersToInputs(bytes: Uint8Array, names: ReadonlySet<string>): Uint8Array {
  const graph = graphField(bytes);
  const g = new ProtoWriter();
  const moved: InitializerInfo[] = [];
  for (const f of protoFields(bytes, graph.body!.start, graph.body!.end)) {
    if (f.field === GRAPH_INITIALIZER && f.body) {
      const t = readTensor(bytes, f.body.start, f.body.end);
      if (names.has(t.name)) {
        moved.push(t);
        continue;
      }
    }
    g.raw(bytes.subarray(f.start, f.end));
  }
  for (const t of moved) {
    g.message(GRAPH_INPUT, (v) =>
      v.string(1, t.name).message(2, (type) =>
        type.message(1, (tensor) => {
          tensor.int(1, t.dataType);
          tensor.message(2, (shape) => {
            for (const d of t.dims) shape.message(1, (dim) => dim.int(1, d));
          });
        }),
      ),
    );
  }
  const graphBytes = g.finish();
  const m = new ProtoWriter();
  for (const f of protoFields(bytes)) {
    if (f.field === MODEL_GRAPH) m.bytes(MODEL_GRAPH, graphBytes);
    else m.raw(bytes.subarray(f.start, f.end));
  }
  return m.finish();
}
