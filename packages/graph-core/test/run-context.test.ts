import { describe, expect, it } from 'vitest';
import { defineNode, Executor, NodeRegistry, type ApiPrompt, type ExtraData, type ReadonlyApiPrompt } from '../src/index.js';
import { testNodes } from './fixtures/test-nodes.js';

/** What each run of the probe saw, in run order. */
let seen: Array<{ nodeId: string; prompt: ReadonlyApiPrompt; extraData: ExtraData }> = [];

/** An output node that records its context, as Save Video reads the prompt and workflow to embed. */
const ContextProbe = defineNode({
  classType: 'ContextProbe',
  category: 'test',
  outputNode: true,
  inputs: { required: { value: { type: 'INT' } } },
  outputs: [],
  run: (_inputs, ctx) => {
    seen.push({ nodeId: ctx.nodeId, prompt: ctx.prompt, extraData: ctx.extraData });
    return { outputs: [], ui: { text: ['ok'] } };
  },
});

const prompt: ApiPrompt = {
  '1': { class_type: 'TestNumber', inputs: { value: 4 } },
  '2': { class_type: 'ContextProbe', inputs: { value: ['1', 0] } },
};

function executor(): Executor {
  seen = [];
  return new Executor(new NodeRegistry().register(...testNodes, ContextProbe));
}

describe('RunContext prompt and extraData', () => {
  it('gives a node the prompt being run and the extra data of the run', async () => {
    const extraData = { extra_pnginfo: { workflow: { nodes: [] } }, client_id: 'c1' };
    await executor().run(prompt, { promptId: 'a', extraData });
    expect(seen).toEqual([{ nodeId: '2', prompt, extraData }]);
  });

  it('gives an empty extra data object when the run has none', async () => {
    await executor().run(prompt, { promptId: 'a' });
    expect(seen[0]!.extraData).toEqual({});
  });

  it('serves a node from the cache when only the extra data differs', async () => {
    const exec = executor();
    await exec.run(prompt, { promptId: 'a', extraData: { extra_pnginfo: { workflow: { revision: 1 } } } });
    const second = await exec.run(prompt, { promptId: 'b', extraData: { extra_pnginfo: { workflow: { revision: 2 } } } });
    expect(second.executed).toEqual([]);
    expect(second.outputs).toEqual({ '2': { text: ['ok'] } });
    expect(seen).toHaveLength(1);
  });

  it('serves a node from the cache when only node titles in the prompt differ', async () => {
    const exec = executor();
    await exec.run(prompt, { promptId: 'a' });
    const titled: ApiPrompt = { ...prompt, '2': { ...prompt['2']!, _meta: { title: 'Renamed' } } };
    const second = await exec.run(titled, { promptId: 'b' });
    expect(second.executed).toEqual([]);
    expect(seen).toHaveLength(1);
  });
});
