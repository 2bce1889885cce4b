import { describe, expect, it } from 'vitest';
import { defineNode, Executor, NodeRegistry, type ApiPrompt } from '../src/index.js';
import { runLog, testNodes } from './fixtures/test-nodes.js';
import { eventTrace, runCollecting, testExecutor } from './helpers.js';

/** (2 + 3) → output, with a slow node in between to produce progress events. */
const sumPrompt: ApiPrompt = {
  '1': { class_type: 'TestNumber', inputs: { value: 2 } },
  '2': { class_type: 'TestNumber', inputs: { value: 3 } },
  '3': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: ['2', 0] } },
  '4': { class_type: 'TestSlow', inputs: { value: ['3', 0], ms: 2 } },
  '5': { class_type: 'TestOutput', inputs: { value: ['4', 0] } },
};

describe('Executor.run', () => {
  it('computes the outputs of a graph', async () => {
    const { result } = await runCollecting(testExecutor(), sumPrompt);
    expect(result.status).toBe('success');
    expect(result.outputs).toEqual({ '5': { text: ['5'] } });
    expect(result.executed).toEqual(['1', '2', '3', '4', '5']);
  });

  it('emits events in ComfyUI order with node_finished after each node', async () => {
    const { events } = await runCollecting(testExecutor(), sumPrompt);
    expect(eventTrace(events)).toEqual([
      'execution_start',
      'execution_cached',
      'executing:1', 'node_finished:1',
      'executing:2', 'node_finished:2',
      'executing:3', 'node_finished:3',
      'executing:4', 'progress:4', 'progress:4', 'progress_text:4', 'progress:4', 'node_finished:4',
      'executing:5', 'executed:5', 'node_finished:5',
      'execution_success',
    ]);
  });

  it('gives events the ComfyUI data fields', async () => {
    const { events } = await runCollecting(testExecutor(), sumPrompt, { promptId: 'abc' });
    const executing = events.find((e) => e.type === 'executing')!;
    expect(executing.data).toEqual({ node: '1', display_node: '1', prompt_id: 'abc' });
    const executed = events.find((e) => e.type === 'executed')!;
    expect(executed.data).toEqual({ node: '5', display_node: '5', output: { text: ['5'] }, prompt_id: 'abc' });
    const progress = events.filter((e) => e.type === 'progress').map((e) => e.data);
    expect(progress[1]).toEqual({ value: 1, max: 2, prompt_id: 'abc', node: '4' });
    const finished = events.find((e) => e.type === 'node_finished')!;
    expect(finished.data).toMatchObject({ prompt_id: 'abc', node: '1', cached: false });
  });

  it('never emits the final executing with a null node (the server sends it)', async () => {
    const { events } = await runCollecting(testExecutor(), sumPrompt);
    expect(events.some((e) => e.type === 'executing' && e.data.node === null)).toBe(false);
  });

  it('runs only ancestors of the requested outputs', async () => {
    const prompt: ApiPrompt = {
      ...sumPrompt,
      '6': { class_type: 'TestString', inputs: { text: 'other' } },
      '7': { class_type: 'TestOutput', inputs: { value: ['6', 0] } },
    };
    const { result } = await runCollecting(testExecutor(), prompt, { outputs: ['7'] });
    expect(result.executed).toEqual(['6', '7']);
    expect(result.outputs).toEqual({ '7': { text: ['other'] } });
  });

  it('does not run nodes that no output depends on', async () => {
    const prompt: ApiPrompt = { ...sumPrompt, '9': { class_type: 'TestCounter', inputs: { value: 1 } } };
    const { result } = await runCollecting(testExecutor(), prompt);
    expect(result.executed).not.toContain('9');
  });

  it('turns a node exception into execution_error with a summary of its inputs', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestLatent', inputs: { frames: 4 } },
      '2': { class_type: 'TestFail', inputs: { message: 'the sampler fell over', value: ['1', 0] } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
    };
    const { result, events } = await runCollecting(testExecutor(), prompt, { promptId: 'e1' });
    expect(result.status).toBe('error');
    expect(eventTrace(events).slice(-2)).toEqual(['executing:2', 'execution_error']);
    expect(result.error).toMatchObject({
      prompt_id: 'e1',
      node_id: '2',
      node_type: 'TestFail',
      executed: ['1'],
      exception_message: 'the sampler fell over',
      exception_type: 'RangeError',
      current_inputs: { message: 'the sampler fell over', value: { frames: 4, samples: { type: 'Float32Array', shape: [4] } } },
      current_outputs: ['1'],
    });
    expect(result.error!.traceback.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(result.error))).toEqual(result.error);
  });

  it('stays usable after a node failed', async () => {
    const executor = testExecutor();
    const failing: ApiPrompt = {
      '1': { class_type: 'TestFail', inputs: { message: 'x' } },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    };
    expect((await executor.run(failing, { promptId: 'a' })).status).toBe('error');
    expect((await executor.run(sumPrompt, { promptId: 'b' })).outputs).toEqual({ '5': { text: ['5'] } });
  });

  it('reports a node that returns the wrong number of outputs', async () => {
    const Short = defineNode({
      classType: 'Short',
      category: 'test',
      inputs: {},
      outputs: [{ type: 'INT' }, { type: 'INT' }],
      run: () => ({ outputs: [1] }) as never,
    });
    const executor = new Executor(new NodeRegistry().register(...testNodes, Short));
    const { result } = await runCollecting(executor, {
      '1': { class_type: 'Short', inputs: {} },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 1] } },
    });
    expect(result.error?.exception_type).toBe('NodeExecutionError');
    expect(result.error?.exception_message).toBe('node 1 (Short) returned 1 outputs; it declares 2');
  });

  it('returns a validation failure as an error result, with execution_start then execution_error', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestNumber', inputs: { value: 'x' } },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    };
    const { result, events } = await runCollecting(testExecutor(), prompt);
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ node_id: '1', node_type: 'TestNumber', exception_type: 'ValidationError' });
    expect(result.validation?.error?.type).toBe('prompt_outputs_failed_validation');
    expect(result.validation?.nodeErrors['1']?.errors[0]?.type).toBe('invalid_input_type');
    expect(eventTrace(events)).toEqual(['execution_start', 'execution_error']);
    expect(runLog).toEqual([]);
  });

  it('runs the valid outputs and reports the dropped ones', async () => {
    const prompt: ApiPrompt = {
      ...sumPrompt,
      '6': { class_type: 'TestNumber', inputs: {} },
      '7': { class_type: 'TestOutput', inputs: { value: ['6', 0] } },
    };
    const { result } = await runCollecting(testExecutor(), prompt);
    expect(result.status).toBe('success');
    expect(Object.keys(result.outputs)).toEqual(['5']);
    expect(result.validation?.nodeErrors['6']?.dependent_outputs).toEqual(['7']);
  });

  it('runs and then serves from the cache a graph whose node ids are names of object prototype members', async () => {
    // Parsed from JSON, as prompts arrive: `__proto__` is then an own key, not the prototype.
    const prompt = JSON.parse(`{
      "__proto__": { "class_type": "TestNumber", "inputs": { "value": 2 } },
      "constructor": { "class_type": "TestNumber", "inputs": { "value": 3 } },
      "toString": { "class_type": "TestAdd", "inputs": { "a": ["__proto__", 0], "b": ["constructor", 0] } },
      "hasOwnProperty": { "class_type": "TestOutput", "inputs": { "value": ["toString", 0] } }
    }`) as ApiPrompt;
    const executor = testExecutor();
    const first = await executor.run(prompt, { promptId: 'a' });
    expect(first.outputs).toEqual({ hasOwnProperty: { text: ['5'] } });
    expect(first.executed).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    const second = await executor.run(prompt, { promptId: 'b' });
    expect(second.executed).toEqual([]);
    expect([...second.cached].sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    expect(second.outputs).toEqual({ hasOwnProperty: { text: ['5'] } });
  });

  it('computes the same result without an event listener as with one', async () => {
    const withListener = await runCollecting(testExecutor(), sumPrompt);
    const without = await testExecutor().run(sumPrompt, { promptId: 'p1' });
    expect(without.status).toBe('success');
    expect(without.outputs).toEqual(withListener.result.outputs);
    expect(without.executed).toEqual(withListener.result.executed);
    expect(Object.keys(without.timings)).toEqual(Object.keys(withListener.result.timings));
  });

  it('ignores an event listener that throws', async () => {
    const { result } = await runCollecting(testExecutor(), sumPrompt, {
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    expect(result.status).toBe('success');
  });
});
