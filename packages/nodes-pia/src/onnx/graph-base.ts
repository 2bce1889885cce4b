/**
 * The graph builder's core: names and scopes, graph inputs and outputs, weights, constants, and the generic
 * `node()` that every op method goes through. Op methods live in the `ops-*.ts` layers above it.
 */
import { type DType, checkDType, isFloatDType } from './dtype.js';
import { OnnxError } from './errors.js';
import { shapeElements } from '../weights/dtype.js';
import { floatToHalfBits } from '../weights/half.js';
import type { AttributeValue, Dim, NodeProtoSpec, TensorProtoSpec, ValueInfoSpec } from './onnx-proto.js';
import { type PreparedTensor, type TensorInit, declaredDType, prepareTensor } from './tensor-data.js';
import { type NodeRecord, RENAME, Value } from './value.js';

/** Builder-wide settings. */
export interface GraphBuilderOptions {
  /**
   * The type float weights and float constants are stored as. `'float16'` converts fp32/bf16 weights while
   * writing; the caller declares fp16 inputs. Default: weights keep their own dtype, constants are fp32.
   */
  floatDtype?: 'float32' | 'float16';
  /** Stored as the graph's `doc_string`. */
  docString?: string;
}

/** Options of `GraphBuilder.initializer`. */
export interface InitializerOptions {
  /** Stored dtype (float conversions only); default: the builder's `floatDtype` for float data, else the data's dtype. */
  dtype?: DType;
  /** Write a 2-D tensor transposed (torch Linear `[out, in]` → `[in, out]` for MatMul), without a Transpose node. */
  transpose?: boolean;
}

/** Options of the generic `GraphBuilder.node`. */
export interface NodeOptions {
  /** Operator domain; `'com.microsoft'` for onnxruntime contrib ops. */
  domain?: string;
  /** Number of outputs (default 1). */
  outputs?: number;
  /** Node name within the current scope (default: the op type). */
  name?: string;
  /** Output dtype, when it is not the first input's. */
  dtype?: DType;
}

/** A value in an op's input list: a tensor, or a number that becomes a scalar constant of the other operand's type. */
export type Operand = Value | number;

/** Everything the model writer needs, with names resolved. */
export interface GraphSnapshot {
  readonly name: string;
  readonly docString: string | undefined;
  readonly nodes: readonly NodeProtoSpec[];
  readonly inputs: readonly ValueInfoSpec[];
  readonly outputs: readonly ValueInfoSpec[];
  readonly weights: readonly PreparedTensor[];
  readonly domains: ReadonlySet<string>;
}

const CONSTANT_CACHE_LIMIT = 256;

/** Names, scopes, inputs, outputs, weights, constants and the generic node. */
export class GraphBase {
  readonly name: string;
  protected readonly options: GraphBuilderOptions;
  readonly #values = new Map<string, Value>();
  readonly #nodeNames = new Set<string>();
  readonly #nodes: NodeRecord[] = [];
  readonly #inputs: { value: Value; shape: readonly Dim[] | undefined }[] = [];
  readonly #outputs: { value: Value; dtype: DType; shape: readonly Dim[] | undefined }[] = [];
  readonly #weights: PreparedTensor[] = [];
  readonly #constants = new Map<string, Value>();
  readonly #scopes: string[] = [];

  constructor(name: string, options: GraphBuilderOptions = {}) {
    this.name = name;
    this.options = options;
  }

  /** The current scope path, e.g. `down_blocks.0.resnets.1` ('' at top level). */
  get scopePath(): string {
    return this.#scopes.join('.');
  }

  /** Number of nodes so far. */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /**
   * Runs `build` with `name` appended to the scope path, so its nodes are named `path/OpType`.
   * `build` must be synchronous: graph building does no I/O (weights are read when the model is written).
   */
  scope<T>(name: string, build: () => T): T {
    this.#scopes.push(name);
    try {
      return build();
    } finally {
      this.#scopes.pop();
    }
  }

  /** Declares a graph input. String dims become symbolic (`dim_param`), `null` unknown. */
  input(name: string, dtype: DType, shape?: readonly Dim[]): Value {
    const checked = checkDType(dtype, `input '${name}'`);
    if (shape !== undefined) checkDims(shape, `input '${name}'`);
    const value = this.#claim(name, () => new Value(this, name, 'input', checked, shape));
    this.#inputs.push({ value, shape });
    return value;
  }

  /**
   * Declares a weight. Its bytes are taken when the model is written: `data` arrays are written as they are,
   * `read()` is awaited then, one tensor at a time.
   */
  initializer(name: string, init: TensorInit, options: InitializerOptions = {}): Value {
    const floatDefault = this.options.floatDtype;
    const declared = declaredDType(init);
    const storeAs =
      options.dtype ?? (floatDefault && declared !== undefined && isFloatDType(declared) ? floatDefault : undefined);
    if (this.#values.has(name)) this.#duplicate(name);
    const prepared = prepareTensor(name, init, { storeAs, transpose: options.transpose });
    const value = this.#claim(name, () => new Value(this, name, 'initializer', prepared.storeAs, prepared.shape));
    this.#weights.push(prepared);
    return value;
  }

  /**
   * Marks `value` (or the value called `value`) as a graph output named `name`. A node output is renamed in
   * place; an input, weight or constant gets an Identity node. `dtype` and `shape` describe the output when
   * the value's own are unknown.
   */
  output(value: Value | string, name?: string, info: { dtype?: DType; shape?: readonly Dim[] } = {}): Value {
    let v = typeof value === 'string' ? this.#values.get(value) : value;
    if (v === undefined) {
      throw new OnnxError('not-produced', `graph '${this.name}': output '${String(value)}' is never produced by any input, weight or node`, {
        output: value,
      });
    }
    this.own(v, `output '${name ?? v.name}'`);
    const outName = name ?? v.name;
    if (this.#outputs.some((o) => o.value.name === outName)) this.#duplicate(outName);
    if (outName !== v.name) {
      if (v.kind === 'node' && !this.#outputs.some((o) => o.value === v)) {
        if (this.#values.has(outName)) this.#duplicate(outName);
        this.#values.delete(v.name);
        v[RENAME](outName);
        this.#values.set(outName, v);
      } else {
        v = this.node('Identity', [v], {}, { name: outName })[0]!;
        this.#values.delete(v.name);
        if (this.#values.has(outName)) this.#duplicate(outName);
        v[RENAME](outName);
        this.#values.set(outName, v);
      }
    }
    const dtype = info.dtype ?? v.dtype;
    if (dtype === undefined) {
      throw new OnnxError('bad-argument', `output '${outName}': its dtype is not known; pass { dtype }`, { output: outName });
    }
    const shape = info.shape ?? v.shape;
    if (shape !== undefined) checkDims(shape, `output '${outName}'`);
    this.#outputs.push({ value: v, dtype: checkDType(dtype, `output '${outName}'`), shape });
    return v;
  }

  /**
   * A Constant node holding `values` (a TENSOR attribute). Small constants are shared: asking twice for the
   * same values gives the same value.
   */
  constant(dtype: DType, shape: readonly number[], values: readonly number[]): Value {
    checkDType(dtype, 'constant');
    if (values.length !== shapeElements(shape)) {
      throw new OnnxError('data-length', `constant [${shape.join(', ')}] needs ${shapeElements(shape)} values, got ${values.length}`, {
        shape,
        count: values.length,
      });
    }
    const key = values.length <= CONSTANT_CACHE_LIMIT ? `${dtype}|${shape.join(',')}|${values.join(',')}` : undefined;
    const cached = key === undefined ? undefined : this.#constants.get(key);
    if (cached) return cached;
    const name = this.#uniqueValueName(`${this.#prefix()}const_${dtype}`);
    const value = new Value(this, name, 'constant', dtype, shape);
    this.#values.set(name, value);
    this.#nodes.push({
      name: this.#uniqueNodeName(name),
      opType: 'Constant',
      domain: '',
      inputs: [],
      outputs: [value],
      attributes: { value: tensorAttribute(dtype, shape, values) },
    });
    if (key !== undefined) this.#constants.set(key, value);
    return value;
  }

  /** An int64 constant: a scalar for a number, 1-D for a list (shapes, axes, indices). */
  constInt64(values: number | readonly number[]): Value {
    return typeof values === 'number' ? this.constant('int64', [], [values]) : this.constant('int64', [values.length], values);
  }

  /** A float constant (scalar or 1-D) in `dtype`, by default the builder's float type. */
  constFloat(values: number | readonly number[], dtype: DType = this.options.floatDtype ?? 'float32'): Value {
    return typeof values === 'number' ? this.constant(dtype, [], [values]) : this.constant(dtype, [values.length], values);
  }

  /**
   * Adds one node. Inputs are values of this graph (`null` omits an optional input); outputs are new values named
   * after the node. Output dtype: `options.dtype`, else the first input's.
   */
  node(
    opType: string,
    inputs: readonly (Value | null)[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: NodeOptions = {},
  ): Value[] {
    const label = `${opType} in '${this.scopePath || this.name}'`;
    inputs.forEach((v, i) => v && this.own(v, `${label} input ${i}`));
    const nodeName = this.#uniqueNodeName(this.#prefix() + (options.name ?? opType));
    const count = options.outputs ?? 1;
    const dtype = options.dtype ?? inputs.find((v) => v)?.dtype;
    const outputs: Value[] = [];
    for (let i = 0; i < count; i++) {
      const name = this.#uniqueValueName(count === 1 ? nodeName : `${nodeName}:${i}`);
      const value = new Value(this, name, 'node', dtype);
      this.#values.set(name, value);
      outputs.push(value);
    }
    this.#nodes.push({ name: nodeName, opType, domain: options.domain ?? '', inputs, outputs, attributes });
    return outputs;
  }

  /** A single-output node. */
  protected op(
    opType: string,
    inputs: readonly (Value | null)[],
    attributes: Readonly<Record<string, AttributeValue>> = {},
    options: NodeOptions = {},
  ): Value {
    return this.node(opType, inputs, attributes, options)[0]!;
  }

  /** Turns a number operand into a scalar constant of `like`'s dtype (float32 when unknown). */
  protected operand(x: Operand, like: Operand): Value {
    if (x instanceof Value) return x;
    const dtype = like instanceof Value && like.dtype ? like.dtype : (this.options.floatDtype ?? 'float32');
    return this.constant(dtype, [], [x]);
  }

  /** Throws `foreign-value` unless `v` was made by this builder. */
  protected own(v: Value, what: string): void {
    if (!(v instanceof Value) || v.owner !== this) {
      throw new OnnxError('foreign-value', `graph '${this.name}': ${what} is not a value of this graph`, {
        value: v instanceof Value ? v.name : String(v),
      });
    }
  }

  /** The graph with every name resolved; throws when it has no outputs. */
  snapshot(): GraphSnapshot {
    if (this.#outputs.length === 0) {
      throw new OnnxError('not-produced', `graph '${this.name}' has no outputs; call output()`, {});
    }
    const domains = new Set(this.#nodes.map((n) => n.domain));
    return {
      name: this.name,
      docString: this.options.docString,
      nodes: this.#nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        inputs: n.inputs.map((v) => v?.name ?? ''),
        outputs: n.outputs.map((v) => v.name),
        attributes: n.attributes,
      })),
      inputs: this.#inputs.map(({ value, shape }) => ({ name: value.name, dtype: value.dtype!, shape })),
      outputs: this.#outputs.map(({ value, dtype, shape }) => ({ name: value.name, dtype, shape })),
      weights: [...this.#weights],
      domains,
    };
  }

  #prefix(): string {
    return this.#scopes.length === 0 ? '' : `${this.scopePath}/`;
  }

  #claim(name: string, make: () => Value): Value {
    if (typeof name !== 'string' || name === '') {
      throw new OnnxError('bad-argument', `graph '${this.name}': names must be non-empty strings`, { name });
    }
    if (this.#values.has(name)) this.#duplicate(name);
    const value = make();
    this.#values.set(name, value);
    return value;
  }

  #duplicate(name: string): never {
    const existing = this.#values.get(name);
    throw new OnnxError(
      'duplicate-name',
      `graph '${this.name}': the name '${name}' is already used${existing ? ` by ${describeKind(existing)}` : ' by an output'}`,
      { name },
    );
  }

  #uniqueValueName(base: string): string {
    if (!this.#values.has(base)) return base;
    let i = 1;
    while (this.#values.has(`${base}_${i}`)) i++;
    return `${base}_${i}`;
  }

  #uniqueNodeName(base: string): string {
    let name = base;
    for (let i = 1; this.#nodeNames.has(name); i++) name = `${base}_${i}`;
    this.#nodeNames.add(name);
    return name;
  }
}

function describeKind(v: Value): string {
  return v.kind === 'node' ? 'a node output' : v.kind === 'initializer' ? 'a weight' : `a${v.kind === 'input' ? 'n' : ''} ${v.kind}`;
}

function checkDims(shape: readonly Dim[], what: string): void {
  const ok = shape.every((d) => d === null || (typeof d === 'string' && d !== '') || (Number.isInteger(d) && (d as number) >= 0));
  if (!Array.isArray(shape) || !ok) {
    throw new OnnxError('bad-shape', `${what}: dims ${JSON.stringify(shape)} must be non-negative integers, symbol names or null`, {
      shape,
    });
  }
}

/** A TENSOR attribute holding `values` (for Constant and ConstantOfShape). */
export function tensorAttribute(dtype: DType, shape: readonly number[], values: readonly number[]): AttributeValue {
  const value: TensorProtoSpec = { name: '', dtype, dims: shape, raw: encodeValues(dtype, values) };
  return { type: 'tensor', value };
}

function encodeValues(dtype: DType, values: readonly number[]): Uint8Array {
  let arr: ArrayBufferView;
  switch (dtype) {
    case 'float32':
      arr = Float32Array.from(values);
      break;
    case 'float64':
      arr = Float64Array.from(values);
      break;
    case 'float16':
      arr = Uint16Array.from(values, floatToHalfBits);
      break;
    case 'int64':
      arr = BigInt64Array.from(values, (v) => BigInt(v));
      break;
    case 'int32':
      arr = Int32Array.from(values);
      break;
    case 'int16':
      arr = Int16Array.from(values);
      break;
    case 'int8':
      arr = Int8Array.from(values);
      break;
    case 'uint16':
      arr = Uint16Array.from(values);
      break;
    case 'uint8':
    case 'bool':
      arr = Uint8Array.from(values);
      break;
    default:
      throw new OnnxError('unknown-dtype', `constant: cannot encode ${dtype} values`, { dtype });
  }
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}
