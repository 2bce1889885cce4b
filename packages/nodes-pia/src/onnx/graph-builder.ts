/** The public graph builder: every op layer, plus writing the model. */
import type { GraphBuilderOptions } from './graph-base.js';
import { type SaveOptions, type SavedModel, encodeInline, saveModel } from './model-writer.js';
import { AttentionOps } from './ops-attention.js';

/** Builder settings, plus opset versions for custom domains. */
export interface GraphBuilderConfig extends GraphBuilderOptions {
  /** Opset versions of domains other than the default and `com.microsoft`. */
  opsets?: Readonly<Record<string, number>>;
}

/**
 * Builds one ONNX graph in readable model code and writes it.
 *
 * ```ts
 * const g = new GraphBuilder('unet');
 * const x = g.input('sample', 'float32', ['batch', 9, 'height', 'width']);
 * const w = g.initializer('conv_in.weight', { dtype: 'float32', shape: [320, 9, 3, 3], read: () => file.tensor('conv_in.weight') });
 * const b = g.initializer('conv_in.bias', file.source('conv_in.bias'));
 * const y = g.scope('conv_in', () => g.conv(x, w, b, { pads: [1, 1, 1, 1] }));
 * g.output(y, 'noise');
 * await g.save(dir); // dir/model.onnx + dir/model.weights.bin
 * ```
 */
export class GraphBuilder extends AttentionOps {
  readonly #opsets: Readonly<Record<string, number>>;

  constructor(name: string, config: GraphBuilderConfig = {}) {
    super(name, config);
    this.#opsets = config.opsets ?? {};
  }

  /** The model with inline weights, for `InferenceSession.create(bytes)` (small models and tests). */
  async toBytes(): Promise<Uint8Array> {
    return encodeInline(this.snapshot(), this.#opsets);
  }

  /** Writes `dir/model.onnx` and (by default) one page-aligned external weights file; see `SaveOptions`. */
  async save(dir: string, options: SaveOptions = {}): Promise<SavedModel> {
    return saveModel(this.snapshot(), dir, options, this.#opsets);
  }
}
