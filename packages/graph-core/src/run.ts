import { OutputCache, type CacheStats } from './cache.js';
import type { NodeRegistry } from './node-registry.js';
import { planExecution, planOrdered } from './plan.js';
import { RunPassState } from './run-passes.js';
import { RunSession } from './run-session.js';
import type { ApiPrompt } from './types/api-prompt.js';
import type { ExecutionEvent, UiOutput } from './types/events.js';
import type { ExecutorOptions, ExtraData, RunOptions, RunResult } from './types/execution.js';
import type { ValidationResult } from './types/validation.js';
import { analysePrompt } from './validate.js';

/** `ctx.extraData` when the host gave none; frozen because every run of every executor shares it. */
const NO_EXTRA_DATA: ExtraData = Object.freeze({});

/**
 * Runs API prompts against a node registry, with a content-addressed output cache shared by its runs.
 *
 * `run` validates first. A prompt that fails validation does not throw: the result has `status: 'error'`,
 * `error.exception_type === 'ValidationError'` and the ComfyUI-shaped findings in `validation`, and the events are
 * `execution_start` then `execution_error`. Outputs dropped by validation while others run are listed in
 * `validation.nodeErrors` of a successful result. Runs are serialised: a second `run` starts when the first ends.
 * The final `executing { node: null }` is the server's to send, not the executor's. Errors thrown by `onEvent`
 * are ignored so that a faulty listener cannot corrupt a run. A node may ask for another pass over the prompt
 * (`ctx.passes.again()`, meta-batching); the run then repeats until a pass asks for none, and still reports as one
 * prompt (see `RunPasses`).
 */
export class Executor {
  readonly #cache: OutputCache;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly registry: NodeRegistry,
    options: ExecutorOptions = {},
  ) {
    this.#cache = new OutputCache(options.cacheBudgetBytes);
  }

  /** Validates, plans and executes a prompt; resolves when it succeeded, failed or was interrupted. */
  run(prompt: ApiPrompt, options: RunOptions): Promise<RunResult> {
    const result = this.#queue.then(() => this.#run(prompt, options));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Drops every cached result (ComfyUI `POST /free` with `free_memory`). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** Entries, bytes and budget of the output cache. */
  cacheStats(): CacheStats {
    return this.#cache.stats();
  }

  async #run(prompt: ApiPrompt, options: RunOptions): Promise<RunResult> {
    const listener = options.onEvent;
    const passes = new RunPassState();
    const emit = (event: ExecutionEvent): void => {
      // However many passes a run takes, clients see one prompt: its start and cached list once (from the first
      // pass), its success once (after the last pass: the one whose nodes asked for no other).
      if (passes.index > 0 && (event.type === 'execution_start' || event.type === 'execution_cached')) return;
      if (event.type === 'execution_success' && passes.wanted) return;
      try {
        listener?.(event);
      } catch {
        // A listener's bug must not leave the run half-done; see the class comment.
      }
    };
    const analysis = await analysePrompt(this.registry, prompt, options.outputs ? { outputs: options.outputs } : {});
    const validation = analysis.result;
    if (!validation.ok) return validationFailure(options.promptId, prompt, validation, emit);
    const dropped = Object.keys(validation.nodeErrors).length > 0;
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1) || 1);
    // Passes (meta-batching) live here rather than in each host: the server's queue, the distributed worker and
    // `piagraph run` all call `run` once per prompt and get one result, one history entry, however many passes.
    let result: RunResult | undefined;
    try {
      for (;;) {
        // Validation's walk covers every requested output; when some were dropped it covers too much, so walk again.
        // Each pass plans anew: what the previous one cached (model loaders) is served, what it did not re-runs.
        const plan = dropped
          ? await planExecution(analysis.nodes, validation.outputs, this.#cache)
          : await planOrdered(analysis.nodes, validation.outputs, analysis.order, this.#cache);
        const session = new RunSession({
          promptId: options.promptId,
          prompt,
          extraData: options.extraData ?? NO_EXTRA_DATA,
          plan,
          nodes: analysis.nodes,
          cache: this.#cache,
          // Without a listener the session skips building its per-node events (two or three objects per node).
          ...(listener ? { emit } : {}),
          concurrency,
          passes: passes.view,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const pass = await session.execute();
        result = result ? mergePass(result, pass) : pass;
        if (pass.status !== 'success' || !passes.wanted) break;
        passes.next();
      }
    } finally {
      await passes.dispose(result?.status ?? 'error');
    }
    if (passes.index > 0) result = { ...result, passes: passes.index + 1 };
    return dropped ? { ...result, validation: { nodeErrors: validation.nodeErrors } } : result;
  }
}

/**
 * The result of a run so far, with one more pass: the UI dicts of the nodes that ran in it appended to theirs (those
 * served from the cache gave the same dict before), nodes named once in `executed`, timings summed.
 */
function mergePass(sofar: RunResult, pass: RunResult): RunResult {
  const outputs: Record<string, UiOutput> = { ...sofar.outputs };
  const ran = new Set(pass.executed);
  for (const [id, ui] of Object.entries(pass.outputs)) {
    if (!ran.has(id) && outputs[id]) continue;
    const merged: UiOutput = { ...outputs[id] };
    for (const [key, list] of Object.entries(ui)) merged[key] = [...(merged[key] ?? []), ...list];
    outputs[id] = merged;
  }
  const timings = { ...sofar.timings };
  for (const [id, ms] of Object.entries(pass.timings)) timings[id] = (timings[id] ?? 0) + ms;
  const executed = [...sofar.executed, ...pass.executed.filter((id) => !sofar.executed.includes(id))];
  return {
    status: pass.status,
    outputs,
    executed,
    cached: sofar.cached,
    timings,
    ...(pass.error ? { error: pass.error } : {}),
  };
}

function validationFailure(
  promptId: string,
  prompt: ApiPrompt,
  validation: Extract<ValidationResult, { ok: false }>,
  emit: (event: ExecutionEvent) => void,
): RunResult {
  const nodeId = Object.keys(validation.nodeErrors)[0] ?? '';
  const nodeType = validation.nodeErrors[nodeId]?.class_type ?? '';
  const { error } = validation;
  emit({ type: 'execution_start', data: { prompt_id: promptId, timestamp: Date.now() } });
  const data = {
    prompt_id: promptId,
    node_id: nodeId,
    node_type: nodeType || (prompt?.[nodeId]?.class_type ?? ''),
    executed: [],
    exception_message: error.details ? `${error.message}: ${error.details}` : error.message,
    exception_type: 'ValidationError',
    traceback: [],
    current_inputs: {},
    current_outputs: [],
    timestamp: Date.now(),
  };
  emit({ type: 'execution_error', data });
  return {
    status: 'error',
    outputs: {},
    executed: [],
    cached: [],
    timings: {},
    error: data,
    validation: { error, nodeErrors: validation.nodeErrors },
  };
}
