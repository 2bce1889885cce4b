import { estimateSizeBytes, type OutputCache } from './cache.js';
import { InterruptedError, NodeExecutionError } from './errors.js';
import { MinHeap } from './min-heap.js';
import type { ExecutionPlan } from './plan.js';
import { summariseInputs, tracebackOf } from './summarise.js';
import type { ExecutionErrorData, ExecutionEvent, PreviewImage, UiOutput } from './types/events.js';
import type { ReadonlyApiPrompt } from './types/api-prompt.js';
import type { ExtraData, RunResult } from './types/execution.js';
import type { NodeResult, RunContext, RunPasses } from './types/node-def.js';
import { slotGraph, type SlotGraph } from './slot-graph.js';
import type { NodeLookup, PreparedNode } from './validate.js';

/** What one run needs: a plan over prepared nodes, the shared cache, and where events go. */
export interface RunSessionInit {
  promptId: string;
  /** The prompt and `extra_data` being run, which nodes read through their context. */
  prompt: ReadonlyApiPrompt;
  extraData: ExtraData;
  plan: ExecutionPlan;
  nodes: NodeLookup;
  cache: OutputCache;
  /** Where events go; without it the per-node events are not even built (nobody would read them). */
  emit?: (event: ExecutionEvent) => void;
  signal?: AbortSignal;
  concurrency: number;
  /** The passes of the run this session is one pass of (see `RunPasses`), handed to every node. */
  passes?: RunPasses;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Executes one plan. Nodes whose inputs are ready wait in a heap ordered by plan position; up to `concurrency`
 * run at once. Synchronous nodes complete inside the scheduling loop without a microtask hop, which keeps
 * trivial graphs fast. A value is dropped from the run once all its consumers have read it (the cache keeps its
 * own reference when the node is cacheable). A node that finishes after the run was interrupted or failed is
 * discarded, never cached: it may have cut its work short.
 *
 * Per-node state lives in arrays indexed by slot (see `SlotGraph`) rather than in maps keyed by id: on a
 * 10,000-node graph, hashing ids several times per node dominated the scheduling cost.
 */
export class RunSession {
  readonly #init: RunSessionInit;
  readonly #graph: SlotGraph;
  /** Per slot: the outputs held for consumers yet to read them. */
  readonly #values: (readonly unknown[] | undefined)[];
  /** Per slot: how many running nodes have yet to read its outputs. */
  readonly #remainingReads: Int32Array;
  /** Per position: how many of its deps have yet to finish. */
  readonly #waiting: Int32Array;
  readonly #ready = new MinHeap();
  readonly #listening: boolean;
  readonly #inFlight = new Set<string>();
  readonly #controller = new AbortController();
  readonly #executed: string[] = [];
  readonly #timings: Record<string, number> = {};
  readonly #outputs: Record<string, UiOutput> = {};
  #failure: ExecutionErrorData | undefined;
  #interrupted: { node: string | null } | undefined;
  #finished = false;
  #resolve: (result: RunResult) => void = () => undefined;

  constructor(init: RunSessionInit) {
    this.#init = init;
    this.#listening = init.emit !== undefined;
    const graph = (this.#graph = slotGraph(init.plan, init.nodes));
    const { consumers } = init.plan;
    this.#values = new Array<readonly unknown[] | undefined>(graph.ids.length).fill(undefined);
    this.#remainingReads = Int32Array.from(graph.ids, (id) => consumers.get(id) ?? 0);
    this.#waiting = graph.waiting.slice();
    for (let position = 0; position < this.#waiting.length; position++) {
      if (this.#waiting[position] === 0) this.#ready.push(position);
    }
  }

  /** Ids of the nodes whose outputs the run still holds (consumers yet to read them). */
  heldValues(): string[] {
    return this.#graph.ids.filter((_, slot) => this.#values[slot] !== undefined);
  }

  /** Runs the plan to its end and reports how it went; never throws for a node's failure. */
  execute(): Promise<RunResult> {
    const { promptId, plan, signal } = this.#init;
    const done = new Promise<RunResult>((resolve) => (this.#resolve = resolve));
    const onAbort = (): void => this.#controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    void done.then(() => signal?.removeEventListener('abort', onAbort));

    this.#emit({ type: 'execution_start', data: { prompt_id: promptId, timestamp: Date.now() } });
    if (signal?.aborted) {
      this.#interrupted = { node: plan.order[0] ?? null };
      this.#finish();
      return done;
    }
    this.#emit({ type: 'execution_cached', data: { nodes: [...plan.cached], prompt_id: promptId, timestamp: Date.now() } });
    for (let slot = plan.order.length; slot < this.#graph.ids.length; slot++) if (!this.#stopping) this.#serveCached(slot);
    this.#pump();
    return done;
  }

  #emit(event: ExecutionEvent): void {
    this.#init.emit?.(event);
  }

  #serveCached(slot: number): void {
    const id = this.#graph.ids[slot]!;
    const node = this.#graph.nodes[slot]!;
    const entry = this.#init.cache.get(this.#init.plan.keys.get(id)!);
    if (!entry) {
      // Only a `clearCache()` between planning and this point can cause it.
      const message = `the cached result of node ${id} (${node.classType}) was evicted before it was read`;
      this.#fail(node, new NodeExecutionError(id, node.classType, message), {});
      return;
    }
    if (this.#remainingReads[slot]! > 0) this.#values[slot] = entry.outputs;
    if (entry.ui) this.#outputs[id] = entry.ui;
    if (entry.ui || node.def.outputNode) this.#emitExecuted(id, entry.ui);
    this.#timings[id] = 0;
    if (this.#listening) this.#emit({ type: 'node_finished', data: { prompt_id: this.#init.promptId, node: id, ms: 0, cached: true } });
  }

  #emitExecuted(id: string, ui: UiOutput | undefined): void {
    if (this.#listening) this.#emit({ type: 'executed', data: { node: id, display_node: id, output: ui ?? null, prompt_id: this.#init.promptId } });
  }

  get #stopping(): boolean {
    return this.#failure !== undefined || this.#interrupted !== undefined;
  }

  #pump(): void {
    const { plan, signal, concurrency } = this.#init;
    while (!this.#stopping && this.#inFlight.size < concurrency && this.#ready.size > 0) {
      const position = this.#ready.pop()!;
      if (signal?.aborted) {
        this.#interrupted = { node: plan.order[position]! };
        break;
      }
      this.#start(position);
    }
    if (this.#inFlight.size === 0 && (this.#stopping || this.#ready.size === 0)) this.#finish();
  }

  #gatherInputs(position: number): Record<string, unknown> {
    const { nodes, depStart, depSlots } = this.#graph;
    const node = nodes[position]!;
    const first = depStart[position]!;
    const inputs: Record<string, unknown> = { ...node.literals };
    // A link's source is one of `deps` (usually the very same string), so `indexOf` finds its slot without hashing.
    for (const link of node.links) inputs[link.input] = this.#values[depSlots[first + node.deps.indexOf(link.source)]!]![link.output];
    for (let i = first; i < depStart[position + 1]!; i++) {
      const slot = depSlots[i]!;
      if (slot < 0) continue;
      const left = this.#remainingReads[slot]! - 1;
      this.#remainingReads[slot] = left;
      if (left <= 0) this.#values[slot] = undefined;
    }
    return inputs;
  }

  #context(node: PreparedNode): RunContext {
    const { promptId, prompt, extraData, emit, passes } = this.#init;
    const signal = this.#controller.signal;
    return {
      ...(passes ? { passes } : {}),
      promptId,
      nodeId: node.id,
      classType: node.classType,
      prompt,
      extraData,
      signal,
      progress(value: number, max: number, preview?: PreviewImage): void {
        // ComfyUI checks the interrupt flag in every progress callback; long loops stop here.
        if (signal.aborted) throw new InterruptedError(node.id);
        emit?.({ type: 'progress', data: { value, max, prompt_id: promptId, node: node.id } });
        if (preview) emit?.({ type: 'preview', data: { prompt_id: promptId, node: node.id, image: preview } });
      },
      text(message: string): void {
        emit?.({ type: 'progress_text', data: { prompt_id: promptId, node: node.id, text: message } });
      },
    };
  }

  #start(position: number): void {
    const node = this.#graph.nodes[position]!;
    const id = node.id;
    if (this.#listening) this.#emit({ type: 'executing', data: { node: id, display_node: id, prompt_id: this.#init.promptId } });
    const inputs = this.#gatherInputs(position);
    const started = performance.now();
    let result: unknown;
    try {
      result = node.def.run(inputs, this.#context(node));
    } catch (error) {
      this.#fail(node, error, inputs);
      return;
    }
    if (!isThenable(result)) {
      this.#complete(position, result, started, inputs);
      return;
    }
    this.#inFlight.add(id);
    result.then(
      (value) => {
        this.#inFlight.delete(id);
        this.#complete(position, value, started, inputs);
        this.#pump();
      },
      (error: unknown) => {
        this.#inFlight.delete(id);
        this.#fail(node, error, inputs);
        this.#pump();
      },
    );
  }

  #complete(position: number, value: unknown, started: number, inputs: Record<string, unknown>): void {
    const node = this.#graph.nodes[position]!;
    if (this.#controller.signal.aborted) {
      this.#fail(node, new InterruptedError(node.id), inputs);
      return;
    }
    const expected = (node.def.outputs as readonly unknown[]).length;
    const result = value as NodeResult | undefined;
    if (!result || typeof result !== 'object' || !Array.isArray(result.outputs) || result.outputs.length < expected) {
      const got = result && Array.isArray(result.outputs) ? `${result.outputs.length} outputs` : 'no outputs array';
      const message = `node ${node.id} (${node.classType}) returned ${got}; it declares ${expected}`;
      this.#fail(node, new NodeExecutionError(node.id, node.classType, message), inputs);
      return;
    }
    const ms = performance.now() - started;
    const { promptId, plan, cache } = this.#init;
    const outputs = result.outputs as readonly unknown[];
    if (this.#remainingReads[position]! > 0) this.#values[position] = outputs;
    const key = plan.keys.get(node.id);
    if (key !== undefined) {
      const sizeBytes =
        typeof result.sizeBytes === 'number' ? result.sizeBytes : estimateSizeBytes(result.ui ? [...outputs, result.ui] : outputs);
      cache.set(key, result.ui ? { outputs, ui: result.ui, sizeBytes } : { outputs, sizeBytes });
    }
    this.#executed.push(node.id);
    this.#timings[node.id] = ms;
    if (result.ui) this.#outputs[node.id] = result.ui;
    if (result.ui || node.def.outputNode) this.#emitExecuted(node.id, result.ui);
    if (this.#listening) this.#emit({ type: 'node_finished', data: { prompt_id: promptId, node: node.id, ms, cached: false } });
    const { dependantStart, dependants } = this.#graph;
    for (let i = dependantStart[position]!; i < dependantStart[position + 1]!; i++) {
      const dependant = dependants[i]!;
      const waiting = this.#waiting[dependant]! - 1;
      this.#waiting[dependant] = waiting;
      if (waiting === 0) this.#ready.push(dependant);
    }
  }

  #fail(node: PreparedNode, error: unknown, inputs: Record<string, unknown>): void {
    if (this.#stopping) return;
    if (this.#init.signal?.aborted) {
      this.#interrupted = { node: node.id };
    } else {
      const isError = error instanceof Error;
      this.#failure = {
        prompt_id: this.#init.promptId,
        node_id: node.id,
        node_type: node.classType,
        executed: [...this.#executed],
        exception_message: isError ? error.message : String(error),
        exception_type: isError ? error.name : typeof error,
        traceback: tracebackOf(error),
        current_inputs: summariseInputs(inputs),
        current_outputs: [...this.#executed, ...this.#init.plan.cached],
        timestamp: Date.now(),
      };
    }
    this.#controller.abort(error);
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const { promptId, plan } = this.#init;
    this.#values.fill(undefined);
    const base = {
      outputs: this.#outputs,
      executed: [...this.#executed],
      cached: [...plan.cached],
      timings: this.#timings,
    };
    if (this.#failure) {
      this.#emit({ type: 'execution_error', data: this.#failure });
      this.#resolve({ status: 'error', ...base, error: this.#failure });
      return;
    }
    if (this.#interrupted) {
      const node = this.#interrupted.node;
      this.#emit({
        type: 'execution_interrupted',
        data: {
          prompt_id: promptId,
          node_id: node,
          node_type: node === null ? null : this.#init.nodes.get(node)!.classType,
          executed: [...this.#executed],
          timestamp: Date.now(),
        },
      });
      this.#resolve({ status: 'interrupted', ...base });
      return;
    }
    this.#emit({ type: 'execution_success', data: { prompt_id: promptId, timestamp: Date.now() } });
    this.#resolve({ status: 'success', ...base });
  }
}
