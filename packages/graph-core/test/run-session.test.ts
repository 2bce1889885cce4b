import { describe, expect, it } from 'vitest';
import { analysePrompt, defineNode, NodeRegistry, OutputCache, planExecution, type ApiPrompt } from '../src/index.js';
import { RunSession } from '../src/run-session.js';
import { testNodes } from './fixtures/test-nodes.js';

describe('RunSession', () => {
  it('releases a value as soon as every consumer has read it', async () => {
    let session: RunSession | undefined;
    const held: Record<string, string[]> = {};
    const Probe = defineNode({
      classType: 'Probe',
      category: 'test',
      inputs: { optional: { value: { type: 'INT' } } },
      outputs: [{ type: 'INT' }],
      run: ({ value }, ctx) => {
        held[ctx.nodeId] = session!.heldValues().sort();
        return { outputs: [(value ?? 0) + 1] };
      },
    });
    const registry = new NodeRegistry().register(...testNodes, Probe);
    // 1 fans out to 2 and 3, which join in 4.
    const prompt: ApiPrompt = {
      '1': { class_type: 'Probe', inputs: {} },
      '2': { class_type: 'Probe', inputs: { value: ['1', 0] } },
      '3': { class_type: 'Probe', inputs: { value: ['1', 0] } },
      '4': { class_type: 'TestAdd', inputs: { a: ['2', 0], b: ['3', 0] } },
      '5': { class_type: 'Probe', inputs: { value: ['4', 0] } },
      '6': { class_type: 'TestOutput', inputs: { value: ['5', 0] } },
    };
    const analysis = await analysePrompt(registry, prompt);
    if (!analysis.result.ok) throw new Error('invalid test prompt');
    const cache = new OutputCache();
    const plan = await planExecution(analysis.nodes, analysis.result.outputs, cache);
    session = new RunSession({ promptId: 'p', prompt, extraData: {}, plan, nodes: analysis.nodes, cache, emit: () => undefined, concurrency: 1 });
    const result = await session.execute();
    expect(result.outputs).toEqual({ '6': { text: ['5'] } });
    // While 2 runs, 1 is still wanted by 3; once 3 has read it, only 2's and 3's outputs remain for 4.
    expect(held).toEqual({ '1': [], '2': ['1'], '3': ['2'], '5': [] });
    expect(session.heldValues()).toEqual([]);
  });
});
