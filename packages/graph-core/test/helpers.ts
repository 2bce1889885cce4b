import { Executor, NodeRegistry, type ApiPrompt, type ExecutionEvent, type RunOptions } from '../src/index.js';
import { resetTestNodes, testNodes } from './fixtures/test-nodes.js';

/** A registry holding the test pack. */
export function testRegistry(): NodeRegistry {
  return new NodeRegistry({ defaultPack: 'piagraph.test' }).register(...testNodes);
}

/** A fresh executor over the test pack, with the pack's counters reset. */
export function testExecutor(cacheBudgetBytes?: number): Executor {
  resetTestNodes();
  return new Executor(testRegistry(), cacheBudgetBytes === undefined ? {} : { cacheBudgetBytes });
}

/** Runs a prompt and returns its result with every event it emitted. */
export async function runCollecting(
  executor: Executor,
  prompt: ApiPrompt,
  options: Partial<RunOptions> = {},
): Promise<{ result: Awaited<ReturnType<Executor['run']>>; events: ExecutionEvent[] }> {
  const events: ExecutionEvent[] = [];
  const result = await executor.run(prompt, {
    promptId: options.promptId ?? 'p1',
    ...options,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  return { result, events };
}

/** Events rendered as `type` or `type:node` strings, for order assertions. */
export function eventTrace(events: readonly ExecutionEvent[]): string[] {
  return events.map((event) => {
    const data = event.data as { node?: string | null };
    return typeof data.node === 'string' ? `${event.type}:${data.node}` : event.type;
  });
}

/** The error `fn` throws (fails the test when it throws nothing). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to throw');
}
