import { describe, expect, it } from 'vitest';
import { defineNode, Executor, NodeRegistry, type ApiPrompt } from '../src/index.js';
import { runLog, testNodes } from './fixtures/test-nodes.js';
import { eventTrace, runCollecting, testExecutor } from './helpers.js';

function slowPrompt(ms: number): ApiPrompt {
  return {
    '1': { class_type: 'TestNumber', inputs: { value: 1 } },
    '2': { class_type: 'TestSlow', inputs: { value: ['1', 0], ms } },
    '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
  };
}

describe('interruption', () => {
  it('stops inside a running node through ctx.signal', async () => {
    const executor = testExecutor();
    const controller = new AbortController();
    const started = performance.now();
    const pending = runCollecting(executor, slowPrompt(5000), { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const { result, events } = await pending;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.status).toBe('interrupted');
    expect(result.executed).toEqual(['1']);
    const last = events.at(-1)!;
    expect(last.type).toBe('execution_interrupted');
    expect(last.data).toMatchObject({ prompt_id: 'p1', node_id: '2', node_type: 'TestSlow', executed: ['1'] });
  });

  it('caches nothing of the interrupted node and stays usable', async () => {
    const executor = testExecutor();
    const controller = new AbortController();
    const pending = executor.run(slowPrompt(60), { promptId: 'a', signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    expect((await pending).status).toBe('interrupted');
    runLog.length = 0;
    const { result } = await runCollecting(executor, slowPrompt(60));
    expect(result.status).toBe('success');
    expect(result.cached).toEqual(['1']);
    expect(runLog).toEqual(['2', '3']);
  });

  it('stops between nodes and names the node that would have run next', async () => {
    const executor = testExecutor();
    const controller = new AbortController();
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestSlow', inputs: { value: 1, ms: 1 } },
      '2': { class_type: 'TestCounter', inputs: { value: ['1', 0] } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
    };
    const { result, events } = await runCollecting(executor, prompt, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'node_finished' && event.data.node === '1') controller.abort();
      },
    });
    expect(result.status).toBe('interrupted');
    expect(runLog).toEqual(['1']);
    expect(events.at(-1)!.data).toMatchObject({ node_id: '2', node_type: 'TestCounter' });
  });

  it('runs nothing when the signal is already aborted', async () => {
    const executor = testExecutor();
    const { result, events } = await runCollecting(executor, slowPrompt(1), { signal: AbortSignal.abort() });
    expect(result.status).toBe('interrupted');
    expect(runLog).toEqual([]);
    expect(eventTrace(events)).toEqual(['execution_start', 'execution_interrupted']);
  });

  it('interrupts a node that only reports progress, by throwing from ctx.progress', async () => {
    let steps = 0;
    const Loop = defineNode({
      classType: 'Loop',
      category: 'test',
      inputs: {},
      outputs: [{ type: 'INT' }],
      async run(_inputs, ctx) {
        for (let step = 0; step < 1000; step++) {
          ctx.progress(step, 1000);
          steps = step;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        return { outputs: [1] };
      },
    });
    const executor = new Executor(new NodeRegistry().register(...testNodes, Loop));
    const controller = new AbortController();
    const pending = executor.run(
      { '1': { class_type: 'Loop', inputs: {} }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } },
      { promptId: 'l', signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    expect((await pending).status).toBe('interrupted');
    expect(steps).toBeLessThan(999);
  });

  it('discards the result of a node that returns early instead of throwing', async () => {
    let runs = 0;
    const Quitter = defineNode({
      classType: 'Quitter',
      category: 'test',
      inputs: {},
      outputs: [{ type: 'INT' }],
      async run(_inputs, ctx) {
        runs += 1;
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        return { outputs: [-1] };
      },
    });
    const executor = new Executor(new NodeRegistry().register(...testNodes, Quitter));
    const prompt: ApiPrompt = { '1': { class_type: 'Quitter', inputs: {} }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    const controller = new AbortController();
    const pending = executor.run(prompt, { promptId: 'q', signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const result = await pending;
    expect(result.status).toBe('interrupted');
    expect(result.executed).toEqual([]);
    expect(executor.cacheStats().entries).toBe(0);
    expect(runs).toBe(1);
  });
});
