/**
 * Weights as the graph builders see them: canonical names mapped to lazily read float32 tensors. The builders
 * declare each one as an initializer whose bytes are read only when the model file is written.
 */
import type { GraphBuilder, Value } from '../onnx/index.js';

/** A tensor read on demand, already in its canonical shape. */
export interface LazyTensor {
  readonly shape: readonly number[];
  read(): Promise<Float32Array>;
}

/** One network's weights by canonical (diffusers) name. */
export type ModelWeights = ReadonlyMap<string, LazyTensor>;

/** The builder the model code is written against. */
export type Builder = GraphBuilder;

/** The float type a graph computes in. */
export type Precision = 'float32' | 'float16';

/** A thrown when a graph builder asks for a weight it was not given (a bug in the key tables, not user input). */
export class MissingWeightError extends Error {
  override readonly name = 'MissingWeightError';
  constructor(readonly key: string) {
    super(`graph builder needs weight '${key}', which the resolved weights lack`);
  }
}

/**
 * Declares weights under a name prefix, each once: `p.sub('down_blocks.0').linear('proj_in')`.
 * Initializer names are the canonical names, so a built graph can be inspected against a checkpoint.
 */
export class Params {
  constructor(
    readonly g: Builder,
    private readonly weights: ModelWeights,
    private readonly prefix = '',
    private readonly declared = new Map<string, Value>(),
  ) {}

  /** The same weights under `prefix.name`. */
  sub(name: string): Params {
    return new Params(this.g, this.weights, this.full(name), this.declared);
  }

  /** The full canonical name of `name`. */
  full(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}.${name}`;
  }

  /** Whether a weight exists (optional shortcuts). */
  has(name: string): boolean {
    return this.weights.has(this.full(name));
  }

  /** The shape of a weight. */
  shape(name: string): readonly number[] {
    return this.get(this.full(name)).shape;
  }

  /** A weight as stored (conv kernels, norm scales, biases). */
  tensor(name: string): Value {
    return this.declare(this.full(name), false);
  }

  /** A torch Linear weight `[out, in]`, declared transposed to `[in, out]` for MatMul. */
  linearWeight(name: string): Value {
    return this.declare(this.full(name), true);
  }

  private get(key: string): LazyTensor {
    const t = this.weights.get(key);
    if (!t) throw new MissingWeightError(key);
    return t;
  }

  private declare(key: string, transpose: boolean): Value {
    const seen = this.declared.get(key);
    if (seen) return seen;
    const t = this.get(key);
    const v = this.g.initializer(key, { dtype: 'float32', shape: t.shape, read: () => t.read() }, { transpose });
    this.declared.set(key, v);
    return v;
  }
}

/** Weights from in-memory arrays (tests, generated models). */
export function weightsFromArrays(entries: Iterable<readonly [string, { shape: readonly number[]; data: Float32Array }]>): ModelWeights {
  const map = new Map<string, LazyTensor>();
  for (const [name, { shape, data }] of entries) map.set(name, { shape, read: async () => data });
  return map;
}
