import { describe, expect, it } from 'vitest';
import { defineNode, Executor, NodeRegistry, type ApiPrompt } from '../src/index.js';
import { testNodes } from './fixtures/test-nodes.js';

/** A node that records how many of its kind run at the same time. */
function trackingRegistry(): { registry: NodeRegistry; stats: { running: number; peak: number; aborted: number } } {
  const stats = { running: 0, peak: 0, aborted: 0 };
  const Tracked = defineNode({
    classType: 'Tracked',
    category: 'test',
    inputs: { required: { value: { type: 'INT' } }, optional: { fail: { type: 'BOOLEAN', default: false } } },
    outputs: [{ type: 'INT' }],
    async run({ value, fail }, ctx) {
      stats.running += 1;
      stats.peak = Math.max(stats.peak, stats.running);
      try {
        await new Promise<void>((resolve, reject) => {
          const onAbort = (): void => {
            clearTimeout(timer);
            stats.aborted += 1;
            reject(ctx.signal.reason);
          };
          const timer = setTimeout(() => {
            ctx.signal.removeEventListener('abort', onAbort);
            if (fail) reject(new Error('branch failed'));
            else resolve();
          }, fail ? 5 : 40);
          ctx.signal.addEventListener('abort', onAbort, { once: true });
        });
      } finally {
        stats.running -= 1;
      }
      return { outputs: [value] };
    },
  });
  return { registry: new NodeRegistry().register(...testNodes, Tracked), stats };
}

/** Three independent branches joined by two adds. */
const branches: ApiPrompt = {
  '1': { class_type: 'Tracked', inputs: { value: 1 } },
  '2': { class_type: 'Tracked', inputs: { value: 2 } },
  '3': { class_type: 'Tracked', inputs: { value: 3 } },
  '4': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: ['2', 0] } },
  '5': { class_type: 'TestAdd', inputs: { a: ['4', 0], b: ['3', 0] } },
  '6': { class_type: 'TestOutput', inputs: { value: ['5', 0] } },
};

describe('concurrency', () => {
  it('runs one node at a time by default', async () => {
    const { registry, stats } = trackingRegistry();
    const result = await new Executor(registry).run(branches, { promptId: 'c' });
    expect(result.outputs).toEqual({ '6': { text: ['6'] } });
    expect(stats.peak).toBe(1);
  });

  it('runs independent branches at the same time up to the concurrency limit', async () => {
    const { registry, stats } = trackingRegistry();
    const result = await new Executor(registry).run(branches, { promptId: 'c', concurrency: 2 });
    expect(result.outputs).toEqual({ '6': { text: ['6'] } });
    expect(stats.peak).toBe(2);
  });

  it('runs all three branches at once when allowed', async () => {
    const { registry, stats } = trackingRegistry();
    await new Executor(registry).run(branches, { promptId: 'c', concurrency: 8 });
    expect(stats.peak).toBe(3);
  });

  it('aborts the other running branches when one fails, and stays usable', async () => {
    const { registry, stats } = trackingRegistry();
    const executor = new Executor(registry);
    const failing: ApiPrompt = { ...branches, '2': { class_type: 'Tracked', inputs: { value: 2, fail: true } } };
    const result = await executor.run(failing, { promptId: 'f', concurrency: 3 });
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ node_id: '2', exception_message: 'branch failed' });
    expect(stats.aborted).toBe(2);
    expect(stats.running).toBe(0);
    expect((await executor.run(branches, { promptId: 'g', concurrency: 3 })).status).toBe('success');
  });
});
