/**
 * Encoders for the ONNX messages the builder emits (field numbers from onnx/onnx.proto, ONNX 1.16).
 * Inputs are plain descriptions; the graph builder produces them and nothing here knows about scopes or weights.
 */
import { type DType, onnxDataType } from './dtype.js';
import { ProtoWriter } from './protobuf.js';

/** A tensor dimension: a fixed size, a symbolic name (`dim_param`), or `null` for unknown. */
export type Dim = number | string | null;

/** Where a tensor's bytes live: inline `raw_data`, or a byte range of an external file. */
export interface TensorProtoSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly raw?: Uint8Array;
  readonly external?: { readonly location: string; readonly offset: number; readonly length: number };
}

/** A typed node attribute. */
export type AttributeValue =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'tensor'; readonly value: TensorProtoSpec };

export interface NodeProtoSpec {
  readonly name: string;
  readonly opType: string;
  /** '' for the default ONNX domain. */
  readonly domain: string;
  /** '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export interface ValueInfoSpec {
  readonly name: string;
  readonly dtype: DType;
  /** Omitted: rank unknown. */
  readonly shape?: readonly Dim[];
}

export interface GraphProtoSpec {
  readonly name: string;
  readonly nodes: readonly NodeProtoSpec[];
  readonly initializers: readonly TensorProtoSpec[];
  readonly inputs: readonly ValueInfoSpec[];
  readonly outputs: readonly ValueInfoSpec[];
  readonly docString?: string;
}

export interface OpsetSpec {
  readonly domain: string;
  readonly version: number;
}

export interface ModelProtoSpec {
  readonly irVersion: number;
  readonly opsets: readonly OpsetSpec[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: GraphProtoSpec;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

/** `TensorProto.DataLocation.EXTERNAL`. */
const DATA_LOCATION_EXTERNAL = 1;

function writeTensor(w: ProtoWriter, t: TensorProtoSpec): void {
  w.packedInts(1, t.dims);
  w.int(2, onnxDataType(t.dtype));
  w.string(8, t.name);
  if (t.external) {
    const entries: [string, string][] = [
      ['location', t.external.location],
      ['offset', String(t.external.offset)],
      ['length', String(t.external.length)],
    ];
    for (const [key, value] of entries) w.message(13, (e) => e.string(1, key).string(2, value));
    w.int(14, DATA_LOCATION_EXTERNAL);
  } else {
    w.bytes(9, t.raw ?? new Uint8Array(0));
  }
}

function writeAttribute(w: ProtoWriter, name: string, a: AttributeValue): void {
  w.string(1, name);
  switch (a.type) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.int(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, (t) => writeTensor(t, a.value));
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedInts(8, a.value);
      break;
  }
  w.int(20, ATTRIBUTE_TYPE[a.type]);
}

function writeNode(w: ProtoWriter, n: NodeProtoSpec): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attributes)) w.message(5, (aw) => writeAttribute(aw, name, a));
  if (n.domain !== '') w.string(7, n.domain);
}

function writeValueInfo(w: ProtoWriter, v: ValueInfoSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, onnxDataType(v.dtype));
      if (v.shape === undefined) return;
      tensor.message(2, (shape) => {
        for (const d of v.shape!) {
          shape.message(1, (dim) => {
            if (typeof d === 'number') dim.int(1, d);
            else if (typeof d === 'string') dim.string(2, d);
          });
        }
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, g: GraphProtoSpec): void {
  for (const n of g.nodes) w.message(1, (nw) => writeNode(nw, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => writeTensor(tw, t));
  if (g.docString) w.string(10, g.docString);
  for (const i of g.inputs) w.message(11, (vw) => writeValueInfo(vw, i));
  for (const o of g.outputs) w.message(12, (vw) => writeValueInfo(vw, o));
}

/** Encodes a complete `ModelProto`. */
export function encodeModel(m: ModelProtoSpec): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, (gw) => writeGraph(gw, m.graph));
  for (const o of m.opsets) w.message(8, (ow) => ow.string(1, o.domain).int(2, o.version));
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
}
