import type { DType } from './dtype.js';
import type { AttributeValue, Dim } from './onnx-proto.js';

/** How a value came to be: a graph input, a weight, a Constant node, or another node's output. */
export type ValueKind = 'input' | 'initializer' | 'constant' | 'node';

/** Lets the builder rename a node output that becomes a graph output; not part of the public API. */
export const RENAME: unique symbol = Symbol('rename');

/**
 * A tensor in a graph under construction: a handle passed from op to op. Its name is read when the model is
 * written, so naming an output after the fact renames the value everywhere it is used.
 */
export class Value {
  #name: string;
  /** The builder that made it; values never cross graphs. */
  readonly owner: object;
  readonly kind: ValueKind;
  /** Element type when known (inputs, weights, constants, and ops that keep their input's type). */
  readonly dtype: DType | undefined;
  /** Static shape when known (inputs, weights and constants). Ops do not infer shapes. */
  readonly shape: readonly Dim[] | undefined;

  constructor(owner: object, name: string, kind: ValueKind, dtype: DType | undefined, shape?: readonly Dim[]) {
    this.owner = owner;
    this.#name = name;
    this.kind = kind;
    this.dtype = dtype;
    this.shape = shape;
  }

  get name(): string {
    return this.#name;
  }

  [RENAME](name: string): void {
    this.#name = name;
  }

  toString(): string {
    return this.#name;
  }
}

/** One node as recorded by the builder; names resolve from its `Value`s when the model is written. */
export interface NodeRecord {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  /** `null` marks an omitted optional input. */
  readonly inputs: readonly (Value | null)[];
  readonly outputs: readonly Value[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** Typed attribute constructors for `GraphBuilder.node`, where an attribute's ONNX type cannot be guessed from a JS number. */
export const attr = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
  ints: (value: readonly number[]): AttributeValue => ({ type: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ type: 'floats', value }),
} as const;
