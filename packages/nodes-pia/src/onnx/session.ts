/** onnxruntime-node sessions with sensible CPU defaults, typed feeds, and errors that name the model file. */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { OnnxSessionError } from './errors.js';
import type { DType } from './dtype.js';
import type { TypedArray } from './tensor-data.js';

/** Session settings; everything else can be passed through `ortOptions`. */
export interface SessionOptions {
  /** Threads inside one op (default: the machine's available parallelism). */
  threads?: number;
  /** Graph optimisation level (default `'all'`: constant folding plus onnxruntime's fusions). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Execution providers in order of preference (default `['cpu']`). */
  executionProviders?: readonly ('cpu' | 'cuda' | 'webgpu')[];
  /** Raw onnxruntime options, applied last. */
  ortOptions?: ort.InferenceSession.SessionOptions;
}

/** A feed: an onnxruntime tensor, or dtype + shape + data. */
export type TensorFeed = ort.Tensor | { readonly dtype: DType; readonly shape: readonly number[]; readonly data: TypedArray };

/** A loaded model. */
export class OnnxSession {
  readonly modelPath: string;
  readonly #session: ort.InferenceSession;

  private constructor(modelPath: string, session: ort.InferenceSession) {
    this.modelPath = modelPath;
    this.#session = session;
  }

  /**
   * Loads a model by path, so external weights are found next to it and memory-mapped. Any onnxruntime
   * failure becomes an `OnnxSessionError` naming `modelPath`.
   */
  static async load(modelPath: string, options: SessionOptions = {}): Promise<OnnxSession> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads ?? availableParallelism(),
      graphOptimizationLevel: options.optimization ?? 'all',
      executionProviders: [...(options.executionProviders ?? ['cpu'])],
      ...options.ortOptions,
    };
    try {
      return new OnnxSession(modelPath, await ort.InferenceSession.create(modelPath, sessionOptions));
    } catch (err) {
      throw new OnnxSessionError('session-create', modelPath, `loading ${modelPath} failed: ${(err as Error).message}`, {}, err);
    }
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  /** Runs the model on every named input; returns every output (or only `fetch`). */
  async run(feeds: Readonly<Record<string, TensorFeed>>, fetch?: readonly string[]): Promise<Record<string, ort.Tensor>> {
    const missing = this.inputNames.filter((n) => !(n in feeds));
    const unknown = Object.keys(feeds).filter((n) => !this.inputNames.includes(n));
    if (missing.length > 0 || unknown.length > 0) {
      const parts = [
        missing.length > 0 ? `missing input(s) ${missing.join(', ')}` : '',
        unknown.length > 0 ? `unknown input(s) ${unknown.join(', ')} (it has ${this.inputNames.join(', ')})` : '',
      ].filter(Boolean);
      throw new OnnxSessionError('session-run', this.modelPath, `running ${this.modelPath}: ${parts.join('; ')}`, { missing, unknown });
    }
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) tensors[name] = toTensor(feed);
    try {
      return fetch ? await this.#session.run(tensors, [...fetch]) : await this.#session.run(tensors);
    } catch (err) {
      throw new OnnxSessionError('session-run', this.modelPath, `running ${this.modelPath} failed: ${(err as Error).message}`, {}, err);
    }
  }

  /** Frees the native session. */
  release(): Promise<void> {
    return this.#session.release();
  }
}

function toTensor(feed: TensorFeed): ort.Tensor {
  if (!('dtype' in feed)) return feed;
  return new ort.Tensor(feed.dtype as ort.Tensor.Type, feed.data as ort.Tensor.DataType, [...feed.shape]);
}
