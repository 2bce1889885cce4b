/**
 * LoRA sessions whose strengths change without a new session: the layers the LoRAs patch become graph inputs (a
 * rewritten copy of the cached model; every other weight stays an initializer read from the cached weights file), and
 * their merged values are bound to the session ({@link OnnxSession.bindInputs}) and fed with every run. A strength
 * change re-merges those layers in memory and rebinds them. onnxruntime creates a session in seconds to minutes for
 * the full-size U-Net on a CPU, mostly preparing its weights; this pays that once per set of LoRA files.
 *
 * The cost: the patched layers' base and merged values stay in memory (about 2 GB for a rank-32 SD 1.5 LoRA on the
 * 192 transformer layers in float32), onnxruntime cannot pre-pack those weights (CPU: packed on each call instead), and
 * on CUDA they are copied to the device with every run. For a GPU, {@link openLoraSession} may be the better choice.
 */
import { writeFile } from 'node:fs/promises';
import type { OnnxSession, SessionOptions, TensorFeed } from '../onnx/session.js';
import { targetedWeights, weightTerms, type LoraPatch } from './apply.js';
import { LoraError, firstKeys } from './errors.js';
import { checkCoverage, readGraph, storedWeight, StoredWeightReader, type StoredWeight } from './graph-weights.js';
import { addDeltaTerms, type StoredMatrix } from './merge-kernel.js';
import { initializersToInputs } from './onnx-initializers.js';
import { openSideModel } from './side-model.js';

/** A session whose LoRA strengths can change in place. */
export interface LiveLoraSession {
  /** The session, with the patched layers bound: run it as the plain graph's session. */
  readonly session: OnnxSession;
  /** The weights the graph takes as inputs: every layer of this graph that the LoRAs given at opening patch. */
  readonly weightInputs: readonly string[];
  /** Seconds spent merging (last change) and creating the session. */
  readonly timings: { readonly mergeSeconds: number; readonly sessionSeconds: number };
  /**
   * Re-merges the bound layers for new strengths or a subset of the LoRAs (layers no LoRA patches any more get their
   * base values back), without a new session. A LoRA that patches a layer outside `weightInputs` needs a new session:
   * `bad-input`. Resolves once the new values are bound; runs already started keep the values they started with.
   */
  setLoras(patches: readonly LoraPatch[]): Promise<{ readonly mergeSeconds: number }>;
  release(): Promise<void>;
}

interface BoundWeight {
  readonly stored: StoredWeight;
  readonly base: StoredMatrix;
}

/** Every layer of the graph that any of the LoRAs patches, at any strength. */
function patchedLayers(patches: readonly LoraPatch[], has: (name: string) => boolean): string[] {
  const names = new Set<string>();
  for (const p of patches) for (const l of p.lora.layers) if (has(l.target)) names.add(l.target);
  return [...names];
}

/**
 * The bound values for `patches`: base values, merged where a LoRA patches the layer. `inGraph` tells layers of this
 * graph (which must be inputs) from layers of the other network (ignored).
 */
async function merged(
  weights: ReadonlyMap<string, BoundWeight>,
  patches: readonly LoraPatch[],
  inGraph: (name: string) => boolean,
  modelPath: string,
): Promise<Record<string, StoredMatrix>> {
  const targets = targetedWeights(patches, inGraph);
  const outside = targets.filter((t) => !weights.has(t.name)).map((t) => t.name);
  if (outside.length > 0) {
    throw new LoraError('bad-input', modelPath, `the live session does not take ${firstKeys(outside)} as inputs; open a new session for these LoRAs`, {
      keys: outside.slice(0, 10),
      count: outside.length,
    });
  }
  const out: Record<string, StoredMatrix> = {};
  for (const [name, w] of weights) out[name] = w.base;
  for (const t of targets) {
    const w = weights.get(t.name)!;
    out[t.name] = await addDeltaTerms(w.base, weightTerms(t, w.stored.canonical, w.stored.transposed));
  }
  return out;
}

function bind(session: OnnxSession, values: Record<string, StoredMatrix>, weights: ReadonlyMap<string, BoundWeight>): void {
  const feeds: Record<string, TensorFeed> = {};
  for (const [name, m] of Object.entries(values)) feeds[name] = { dtype: m.dtype, shape: weights.get(name)!.stored.info.dims, data: m.data };
  session.bindInputs(feeds);
}

/**
 * Opens the cached graph `modelPath` (built without LoRAs) with the layers the LoRAs patch as bound inputs:
 * `const live = await openLiveLoraSession(cached.modelPath, [{ lora, strength: 0.8 }], sessionOptions)`, run
 * `live.session` as usual, and `await live.setLoras([{ lora, strength: 0.5 }])` for a new strength.
 */
export async function openLiveLoraSession(modelPath: string, patches: readonly LoraPatch[], options: SessionOptions = {}): Promise<LiveLoraSession> {
  const graph = await readGraph(modelPath);
  checkCoverage(patches, graph);
  const names = patchedLayers(patches, (name) => graph.scan.initializers.has(name));
  const weights = new Map<string, BoundWeight>();
  const reader = new StoredWeightReader(graph);
  try {
    for (const name of names) {
      const stored = storedWeight(graph, name);
      weights.set(name, { stored, base: await reader.read(stored) });
    }
  } finally {
    await reader.close();
  }
  let started = performance.now();
  const inGraph = (name: string) => graph.scan.initializers.has(name);
  let values = await merged(weights, patches, inGraph, modelPath);
  let mergeSeconds = (performance.now() - started) / 1000;
  const side = await openSideModel(modelPath, (name) => writeFile(name('.onnx'), initializersToInputs(graph.bytes, new Set(names))), options);
  bind(side.session, values, weights);
  const sessionSeconds = side.sessionSeconds;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    session: side.session,
    weightInputs: names,
    get timings() {
      return { mergeSeconds, sessionSeconds };
    },
    setLoras(next) {
      // One change at a time, in call order, so the last call's strengths are the ones left bound.
      const change = chain.then(async () => {
        started = performance.now();
        values = await merged(weights, next, inGraph, modelPath);
        bind(side.session, values, weights);
        mergeSeconds = (performance.now() - started) / 1000;
        return { mergeSeconds };
      });
      chain = change.catch(() => undefined);
      return change;
    },
    release: side.release,
  };
}
