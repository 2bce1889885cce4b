/** onnxruntime-node sessions with sensible CPU defaults, typed feeds, and errors that name the model file. */
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { cudaProviderHint } from './cuda-provider.js';
import type { Device } from './device.js';
import { OnnxError, OnnxSessionError } from './errors.js';
import { webgpuProviderHint } from './webgpu-provider.js';
import type { DType } from './dtype.js';
import type { TypedArray } from './tensor-data.js';

/** Session settings; everything else can be passed through `ortOptions`. */
export interface SessionOptions {
  /** Threads inside one op (default: the machine's available parallelism). */
  threads?: number;
  /** Graph optimisation level (default `'all'`: constant folding plus onnxruntime's fusions). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Execution providers in order of preference (default `['cpu']`); the first is the session's device. */
  executionProviders?: readonly Device[];
  /**
   * Outputs that stay in the device's memory instead of coming back as CPU arrays (onnxruntime's
   * `preferredOutputLocation: 'gpu-buffer'` with IO binding). onnxruntime-node 1.30 keeps tensors on the device only
   * for WebGPU; on the CPU and CUDA they come back to the host as usual, so callers run one code path everywhere.
   * Such a tensor can be fed to any session of the same device; read it back through a graph output that is not
   * listed here (its `getData()` is not implemented in onnxruntime-node 1.30 and aborts the process).
   */
  deviceOutputs?: readonly string[];
  /**
   * Whether idle intra-/inter-op threads busy-wait for work (onnxruntime's `session.*.allow_spinning`).
   * Default {@link defaultSpinning}.
   */
  spinning?: boolean;
  /**
   * The WebGPU provider's layout for convolutions and other layout-sensitive ops (default NHWC, onnxruntime's own
   * default for native builds); see `device-self-check.ts` for why NCHW may be needed.
   */
  webgpuLayout?: WebGpuLayout;
  /** The model itself (a small graph built in memory); `modelPath` then only names it in errors. */
  modelBytes?: Uint8Array;
  /** Raw onnxruntime options, applied last (`extra` entries are merged over the ones set here). */
  ortOptions?: ort.InferenceSession.SessionOptions;
}

/** The WebGPU provider's `preferredLayout`. */
export type WebGpuLayout = 'NCHW' | 'NHWC';

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
  const device = options.executionProviders?.[0] ?? 'cpu';
  const keep = new Set(options.deviceOutputs ?? []);
  return {
    intraOpNumThreads: options.threads ?? availableParallelism(),
    graphOptimizationLevel: options.optimization ?? 'all',
    executionProviders: (options.executionProviders ?? ['cpu']).map((ep) =>
      ep === 'webgpu' && options.webgpuLayout ? { name: 'webgpu' as const, preferredLayout: options.webgpuLayout } : ep,
    ),
    ...(keepsTensorsOnDevice(device) && keep.size > 0 ? { preferredOutputLocation: Object.fromEntries([...keep].map((n) => [n, 'gpu-buffer' as const])) } : {}),
    ...raw,
    extra,
  };
}

/** Whether onnxruntime-node (1.30) can hand a device's tensors to JavaScript without copying them to the host. */
export function keepsTensorsOnDevice(device: Device): boolean {
  return device === 'webgpu';
}

/** The install hint for a failed session on `device`, or '' for the CPU. */
function providerHint(device: Device): string {
  if (device === 'cuda') return ` (execution provider cuda: ${cudaProviderHint()})`;
  if (device === 'webgpu') return ` (execution provider webgpu: ${webgpuProviderHint()})`;
  return '';
}

/**
 * Frees a tensor's device memory now (a no-op for host tensors, whose memory the garbage collector takes). Device
 * tensors are not collected: every one a loop drops must be disposed, before the session that made it is released.
 */
export function disposeTensor(tensor: ort.Tensor | undefined): void {
  if (tensor && tensor.location !== 'cpu') tensor.dispose();
}

/** A host tensor's values; a device tensor is refused with an error instead of aborting the process (see `deviceOutputs`). */
export function hostData(tensor: ort.Tensor, what: string): ort.Tensor.DataType {
  if (tensor.location !== 'cpu') {
    throw new OnnxError('bad-argument', `${what} is a ${tensor.location} tensor on the device; read it back through a graph output kept on the host`, { location: tensor.location });
  }
  return tensor.data;
}

/** A feed: an onnxruntime tensor, or dtype + shape + data. */
export type TensorFeed = ort.Tensor | { readonly dtype: DType; readonly shape: readonly number[]; readonly data: TypedArray };

/** A loaded model. */
export class OnnxSession {
  readonly modelPath: string;
  /** The first execution provider asked for: where the graph runs and where its device outputs live. */
  readonly device: Device;
  /** Outputs returned as device tensors (empty unless the device keeps tensors, see `deviceOutputs`). */
  readonly deviceOutputs: readonly string[];
  readonly #session: ort.InferenceSession;
  /** Inputs fed on every run (weights a graph takes as inputs), see {@link OnnxSession.bindInputs}. */
  readonly #bound = new Map<string, ort.Tensor>();

  private constructor(modelPath: string, device: Device, deviceOutputs: readonly string[], session: ort.InferenceSession) {
    this.modelPath = modelPath;
    this.device = device;
    this.deviceOutputs = deviceOutputs;
    this.#session = session;
  }

  /**
   * Loads a model by path, so external weights are found next to it and memory-mapped. Any onnxruntime
   * failure becomes an `OnnxSessionError` naming `modelPath`; when CUDA was asked for, its message also says how
   * to install the CUDA provider (ORT's own message, e.g. a missing libcudnn, rarely says which package to fetch).
   */
  static async load(modelPath: string, options: SessionOptions = {}): Promise<OnnxSession> {
    const device = options.executionProviders?.[0] ?? 'cpu';
    const sessionOptions = ortSessionOptions(options);
    const source = options.modelBytes ?? modelPath;
    let session: ort.InferenceSession;
    try {
      session = await (typeof source === 'string' ? ort.InferenceSession.create(source, sessionOptions) : ort.InferenceSession.create(source, sessionOptions));
    } catch (err) {
      const cuda = options.executionProviders?.includes('cuda') ?? false;
      throw new OnnxSessionError('session-create', modelPath, `loading ${modelPath} failed: ${(err as Error).message}${providerHint(device)}`, { cuda, device }, err);
    }
    // Only known outputs can stay on the device: a misspelt name would silently come back to the host.
    const unknown = (options.deviceOutputs ?? []).filter((n) => !session.outputNames.includes(n));
    if (unknown.length > 0) {
      await session.release();
      throw new OnnxSessionError('session-create', modelPath, `${modelPath} has no output(s) ${unknown.join(', ')} to keep on the device (it has ${session.outputNames.join(', ')})`, { unknown });
    }
    return new OnnxSession(modelPath, device, keepsTensorsOnDevice(device) ? [...(options.deviceOutputs ?? [])] : [], session);
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
    // onnxruntime-node's IO binding keeps every output bound from one run to the next, so a session with device
    // outputs always computes them all (a subset fails with "Output count mismatch"); the unwanted ones are freed.
    const bound = this.deviceOutputs.length > 0;
    let result: Record<string, ort.Tensor>;
    try {
      result = fetch && !bound ? await this.#session.run(tensors, [...fetch]) : await this.#session.run(tensors);
    } catch (err) {
      throw new OnnxSessionError('session-run', this.modelPath, `running ${this.modelPath} failed: ${(err as Error).message}`, {}, err);
    }
    if (!fetch || !bound) return result;
    const wanted: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(result)) {
      if (fetch.includes(name)) wanted[name] = tensor;
      else disposeTensor(tensor);
    }
    return wanted;
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
