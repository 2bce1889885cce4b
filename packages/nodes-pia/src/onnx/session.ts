/** onnxruntime-node sessions with sensible CPU defaults, typed feeds, and errors that name the model file. */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { cudaProviderHint } from './cuda-provider.js';
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
  /**
   * Whether idle intra-/inter-op threads busy-wait for work (onnxruntime's `session.*.allow_spinning`).
   * Default {@link defaultSpinning}.
   */
  spinning?: boolean;
  /** Raw onnxruntime options, applied last (`extra` entries are merged over the ones set here). */
  ortOptions?: ort.InferenceSession.SessionOptions;
}

/** The environment variable that turns thread spinning on (`1`) or off (`0`) for every session. */
export const SPINNING_ENV = 'PIAGRAPH_ORT_SPINNING';

/**
 * Off unless `PIAGRAPH_ORT_SPINNING=1`: on a shared or small machine the spinning threads of every open session
 * take the cores the working ones need (demo sampler on 2 shared cores: 2.1–3.6× slower with it on,
 * `bench/pipeline.bench.ts`); a dedicated machine may gain a little latency with it on.
 */
export function defaultSpinning(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[SPINNING_ENV] === '1';
}

/** The onnxruntime options {@link OnnxSession.load} creates a session with. */
export function ortSessionOptions(options: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  const spin = (options.spinning ?? defaultSpinning()) ? '1' : '0';
  const raw = options.ortOptions ?? {};
  const rawExtra = (raw.extra ?? {}) as { session?: Record<string, unknown> };
  const extra = {
    ...rawExtra,
    session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin }, ...rawExtra.session },
  };
  return {
    intraOpNumThreads: options.threads ?? availableParallelism(),
    graphOptimizationLevel: options.optimization ?? 'all',
    executionProviders: [...(options.executionProviders ?? ['cpu'])],
    ...raw,
    extra,
  };
}

/** A feed: an onnxruntime tensor, or dtype + shape + data. */
export type TensorFeed = ort.Tensor | { readonly dtype: DType; readonly shape: readonly number[]; readonly data: TypedArray };

/** A loaded model. */
export class OnnxSession {
  readonly modelPath: string;
  readonly #session: ort.InferenceSession;
  /** Inputs fed on every run (weights a graph takes as inputs), see {@link OnnxSession.bindInputs}. */
  readonly #bound = new Map<string, ort.Tensor>();

  private constructor(modelPath: string, session: ort.InferenceSession) {
    this.modelPath = modelPath;
    this.#session = session;
  }

  /**
   * Loads a model by path, so external weights are found next to it and memory-mapped. Any onnxruntime
   * failure becomes an `OnnxSessionError` naming `modelPath`; when CUDA was asked for, its message also says how
   * to install the CUDA provider (ORT's own message, e.g. a missing libcudnn, rarely says which package to fetch).
   */
  static async load(modelPath: string, options: SessionOptions = {}): Promise<OnnxSession> {
    const sessionOptions = ortSessionOptions(options);
    try {
      return new OnnxSession(modelPath, await ort.InferenceSession.create(modelPath, sessionOptions));
    } catch (err) {
      const cuda = options.executionProviders?.includes('cuda') ?? false;
      const hint = cuda ? ` (execution provider cuda: ${cudaProviderHint()})` : '';
      throw new OnnxSessionError('session-create', modelPath, `loading ${modelPath} failed: ${(err as Error).message}${hint}`, { cuda }, err);
    }
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  /**
   * Feeds these inputs on every later run besides the caller's, replacing values bound earlier under the same names:
   * for graphs that take some weights as inputs (LoRA-merged values that change without a new session). The arrays
   * are used in place, not copied, so they must not be changed while a run is in flight.
   */
  bindInputs(feeds: Readonly<Record<string, TensorFeed>>): void {
    const unknown = Object.keys(feeds).filter((n) => !this.inputNames.includes(n));
    if (unknown.length > 0) {
      throw new OnnxSessionError('session-run', this.modelPath, `${this.modelPath} has no input(s) ${unknown.join(', ')} to bind`, { unknown });
    }
    for (const [name, feed] of Object.entries(feeds)) this.#bound.set(name, toTensor(feed));
  }

  /** Runs the model on every named input; returns every output (or only `fetch`). */
  async run(feeds: Readonly<Record<string, TensorFeed>>, fetch?: readonly string[]): Promise<Record<string, ort.Tensor>> {
    const missing = this.inputNames.filter((n) => !(n in feeds) && !this.#bound.has(n));
    const unknown = Object.keys(feeds).filter((n) => !this.inputNames.includes(n));
    if (missing.length > 0 || unknown.length > 0) {
      const own = this.inputNames.filter((n) => !this.#bound.has(n));
      const parts = [
        missing.length > 0 ? `missing input(s) ${missing.join(', ')}` : '',
        unknown.length > 0 ? `unknown input(s) ${unknown.join(', ')} (it has ${own.join(', ')})` : '',
      ].filter(Boolean);
      throw new OnnxSessionError('session-run', this.modelPath, `running ${this.modelPath}: ${parts.join('; ')}`, { missing, unknown });
    }
    const tensors: Record<string, ort.Tensor> = Object.fromEntries(this.#bound);
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
