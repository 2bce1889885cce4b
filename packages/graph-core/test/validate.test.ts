import { describe, expect, it } from 'vitest';
import { analysePrompt, defineNode, NodeRegistry, validatePrompt, type ApiPrompt, type ValidationResult } from '../src/index.js';
import { testNodes } from './fixtures/test-nodes.js';
import { testRegistry } from './helpers.js';

const registry = testRegistry();

/** A prompt `TestNumber(value) → TestOutput`, with the number node's inputs replaced. */
function numberPrompt(inputs: Record<string, unknown>, classType = 'TestNumber'): ApiPrompt {
  return {
    '1': { class_type: classType, inputs: inputs as ApiPrompt[string]['inputs'] },
    '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
  };
}

function failed(result: ValidationResult): Extract<ValidationResult, { ok: false }> {
  if (result.ok) throw new Error('expected validation to fail');
  return result;
}

/** The single error on node 1 of a failed result. */
async function nodeOneError(prompt: ApiPrompt) {
  const result = failed(await validatePrompt(registry, prompt));
  expect(result.error.type).toBe('prompt_outputs_failed_validation');
  expect(result.nodeErrors['1']!.errors).toHaveLength(1);
  return result.nodeErrors['1']!.errors[0]!;
}

describe('validatePrompt', () => {
  it('accepts a valid prompt and lists its outputs', async () => {
    expect(await validatePrompt(registry, numberPrompt({ value: 3 }))).toEqual({ ok: true, outputs: ['2'], nodeErrors: {} });
  });

  it('reports no_prompt for a value that is not an object', async () => {
    const result = failed(await validatePrompt(registry, null));
    expect(result.error).toEqual({ type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} });
  });

  it('reports invalid_prompt for an unknown class, naming it, and marks its node missing_node_type', async () => {
    const result = failed(await validatePrompt(registry, numberPrompt({ value: 1 }, 'Nope')));
    expect(result.error).toEqual({
      type: 'invalid_prompt',
      message: 'Cannot execute because node Nope does not exist.',
      details: "Node ID '#1'",
      extra_info: { class_types: ['Nope'], node_ids: ['1'] },
    });
    expect(result.nodeErrors).toEqual({
      '1': {
        class_type: 'Nope',
        dependent_outputs: [],
        errors: [
          {
            type: 'missing_node_type',
            message: "Node 'Nope' not found. The custom node may not be installed.",
            details: "Node ID '#1'",
            extra_info: { node_id: '1', class_type: 'Nope' },
          },
        ],
      },
    });
  });

  it('names every unknown class and every node using one, not only the first', async () => {
    const prompt = {
      '1': { class_type: 'Zeta', inputs: {} },
      '2': { class_type: 'TestNumber', inputs: { value: 1 } },
      '3': { class_type: 'Alpha', inputs: {}, _meta: { title: 'My alpha' } },
      '4': { class_type: 'Zeta', inputs: {} },
    };
    const result = failed(await validatePrompt(registry, prompt));
    expect(result.error.message).toBe('Cannot execute because node types Alpha, Zeta do not exist.');
    expect(result.error.details).toBe("Node ID '#1' (Zeta), Node ID '#3' (Alpha), Node ID '#4' (Zeta)");
    expect(result.error.extra_info).toEqual({ class_types: ['Alpha', 'Zeta'], node_ids: ['1', '3', '4'] });
    expect(Object.keys(result.nodeErrors)).toEqual(['1', '3', '4']);
    expect(result.nodeErrors['3']!.errors[0]!.extra_info).toEqual({ node_id: '3', class_type: 'Alpha', node_title: 'My alpha' });
  });

  it('reports invalid_prompt for a node without class_type', async () => {
    const result = failed(await validatePrompt(registry, { '1': { inputs: {} } }));
    expect(result.error.type).toBe('invalid_prompt');
    expect(result.error.message).toBe('Cannot execute because a node is missing the class_type property.');
  });

  it('reports prompt_no_outputs when no node is an output node', async () => {
    const result = failed(await validatePrompt(registry, { '1': { class_type: 'TestNumber', inputs: { value: 1 } } }));
    expect(result.error).toEqual({ type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} });
  });

  it('reports required_input_missing', async () => {
    expect(await nodeOneError(numberPrompt({}))).toEqual({
      type: 'required_input_missing',
      message: 'Required input is missing',
      details: 'value',
      extra_info: { input_name: 'value' },
    });
  });

  it('reports bad_linked_input for an array that is not a link', async () => {
    const error = await nodeOneError(numberPrompt({ value: ['1', 0, 2] }));
    expect(error.type).toBe('bad_linked_input');
    expect(error.message).toBe('Bad linked input, must be a length-2 list of [node_id, slot_index]');
  });

  it('reports bad_linked_input for a link to a missing node', async () => {
    const error = await nodeOneError(numberPrompt({ a: ['9', 0], b: 1 }, 'TestAdd'));
    expect(error.type).toBe('bad_linked_input');
    expect(error.details).toBe('a: node 9 does not exist');
  });

  it('reports bad_linked_input for a link to an output the node lacks', async () => {
    const prompt: ApiPrompt = {
      '0': { class_type: 'TestNumber', inputs: { value: 1 } },
      ...numberPrompt({ a: ['0', 3], b: 1 }, 'TestAdd'),
    };
    expect((await nodeOneError(prompt)).details).toBe('a: node 0 (TestNumber) has no output 3');
  });

  it('reports return_type_mismatch with the received type and linked node', async () => {
    const prompt: ApiPrompt = {
      '0': { class_type: 'TestString', inputs: { text: 'x' } },
      ...numberPrompt({ a: ['0', 0], b: 1 }, 'TestAdd'),
    };
    expect(await nodeOneError(prompt)).toEqual({
      type: 'return_type_mismatch',
      message: 'Return type mismatch between linked nodes',
      details: 'a, received_type(STRING) mismatch input_type(INT)',
      extra_info: { input_name: 'a', input_config: ['INT', { default: 0 }], received_type: 'STRING', linked_node: ['0', 0] },
    });
  });

  it('reports invalid_input_type for text that is not a number', async () => {
    const error = await nodeOneError(numberPrompt({ value: 'abc' }));
    expect(error.type).toBe('invalid_input_type');
    expect(error.message).toBe('Failed to convert an input value to a INT value');
    expect(error.extra_info.received_value).toBe('abc');
  });

  it('reports invalid_input_type for NaN', async () => {
    const error = await nodeOneError(numberPrompt({ value: Number.NaN }, 'TestFloat'));
    expect(error.type).toBe('invalid_input_type');
    expect(error.details).toBe('value, NaN, NaN is not a number');
  });

  it('reports invalid_input_type for a literal given to a link-only input', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestSampler', inputs: { latent: 5, seed: 1, steps: 1, sampler: 'ddim' } },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    };
    const error = await nodeOneError(prompt);
    expect(error.type).toBe('invalid_input_type');
    expect(error.details).toBe('latent, 5, a LATENT input takes a link, not a literal');
  });

  it('reports value_smaller_than_min', async () => {
    expect(await nodeOneError(numberPrompt({ value: -0.5 }, 'TestFloat'))).toEqual({
      type: 'value_smaller_than_min',
      message: 'Value -0.5 smaller than min of 0',
      details: 'value',
      extra_info: { input_name: 'value', input_config: ['FLOAT', { default: 0.5, min: 0, max: 1, step: 0.01 }], received_value: -0.5 },
    });
  });

  it('reports value_bigger_than_max', async () => {
    const error = await nodeOneError(numberPrompt({ value: 1000001 }));
    expect(error.type).toBe('value_bigger_than_max');
    expect(error.message).toBe('Value 1000001 bigger than max of 1000000');
  });

  it('reports value_not_in_list with the options', async () => {
    const error = await nodeOneError(numberPrompt({ choice: 'z' }, 'TestCombo'));
    expect(error).toEqual({
      type: 'value_not_in_list',
      message: 'Value not in list',
      details: "choice: 'z' not in ['a', 'b', 'c']",
      extra_info: { input_name: 'choice', input_config: [['a', 'b', 'c'], { default: 'a' }], received_value: 'z' },
    });
  });

  it('summarises lists longer than twenty options and nulls input_config', async () => {
    const Many = defineNode({
      classType: 'Many',
      category: 'test',
      inputs: { required: { pick: { type: 'COMBO', options: Array.from({ length: 30 }, (_, i) => `m${i}`) } } },
      outputs: [{ type: 'STRING' }],
      run: ({ pick }) => ({ outputs: [pick] }),
    });
    const many = new NodeRegistry().register(...testNodes, Many);
    const result = failed(await validatePrompt(many, numberPrompt({ pick: 'x' }, 'Many')));
    expect(result.nodeErrors['1']!.errors[0]!.details).toBe("pick: 'x' not in (list of length 30)");
    expect(result.nodeErrors['1']!.errors[0]!.extra_info.input_config).toBeNull();
  });

  it('reports custom_validation_failed from the definition', async () => {
    expect(await nodeOneError(numberPrompt({ value: 3 }, 'TestValidated'))).toEqual({
      type: 'custom_validation_failed',
      message: 'Custom validation failed for node',
      details: 'TestValidated - value: 3 is odd',
      extra_info: { input_name: 'value', received_value: 3 },
    });
  });

  it('reports exception_during_validation when validate throws', async () => {
    const Throws = defineNode({
      classType: 'Throws',
      category: 'test',
      inputs: {},
      outputs: [{ type: 'INT' }],
      validate: async () => {
        throw new TypeError('cannot read the file');
      },
      run: () => ({ outputs: [1] }),
    });
    const result = failed(await validatePrompt(new NodeRegistry().register(...testNodes, Throws), numberPrompt({}, 'Throws')));
    expect(result.nodeErrors['1']!.errors[0]!.type).toBe('exception_during_validation');
    expect(result.nodeErrors['1']!.errors[0]!.details).toBe('cannot read the file');
  });

  it('reports a dependency cycle naming every node on it, without hanging', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestAdd', inputs: { a: ['3', 0], b: 1 } },
      '2': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: 1 } },
      '3': { class_type: 'TestAdd', inputs: { a: ['2', 0], b: 1 } },
      '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] } },
    };
    const result = failed(await validatePrompt(registry, prompt));
    expect(Object.keys(result.nodeErrors).sort()).toEqual(['1', '2', '3']);
    const error = result.nodeErrors['2']!.errors[0]!;
    expect(error.type).toBe('dependency_cycle');
    expect([...(error.extra_info.cycle as string[])].sort()).toEqual(['1', '2', '3']);
    expect(result.nodeErrors['1']!.dependent_outputs).toEqual(['4']);
  });

  it('prepares every node of a prompt mixing numeric and subgraph ids, dependencies first', async () => {
    const prompt: ApiPrompt = {
      '10': { class_type: 'TestOutput', inputs: { value: ['5:2', 0] } },
      '5:2': { class_type: 'TestAdd', inputs: { a: ['3', 0], b: 1 } },
      '3': { class_type: 'TestNumber', inputs: { value: 2 } },
    };
    const analysis = await analysePrompt(registry, prompt);
    expect(analysis.result.ok).toBe(true);
    expect(analysis.order).toEqual(['3', '5:2', '10']);
    expect(analysis.nodes.get('5:2')!.deps).toEqual(['3']);
    expect(analysis.nodes.get('3')!.literals).toEqual({ value: 2 });
    expect(analysis.nodes.get('7')).toBeUndefined();
  });

  it('drops a failing output while the others still validate', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestNumber', inputs: { value: 'bad' } },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
      '3': { class_type: 'TestNumber', inputs: { value: 4 } },
      '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] } },
    };
    const result = await validatePrompt(registry, prompt);
    expect(result.ok).toBe(true);
    expect(result.ok && result.outputs).toEqual(['4']);
    expect(result.nodeErrors['1']!.dependent_outputs).toEqual(['2']);
    expect(result.nodeErrors['1']!.class_type).toBe('TestNumber');
  });

  it('attributes an error to the node that owns it, not to its dependants', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestNumber', inputs: {} },
      '2': { class_type: 'TestCounter', inputs: { value: ['1', 0] } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
      '4': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    };
    const result = failed(await validatePrompt(registry, prompt));
    expect(Object.keys(result.nodeErrors)).toEqual(['1']);
    expect(result.nodeErrors['1']!.dependent_outputs).toEqual(['3', '4']);
    expect(result.error.details).toBe('Required input is missing: value');
  });

  it('validates only the requested outputs and their ancestors', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestNumber', inputs: { value: 'bad' } },
      '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
      '3': { class_type: 'TestNumber', inputs: { value: 4 } },
      '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] } },
    };
    expect(await validatePrompt(registry, prompt, { outputs: ['4'] })).toEqual({ ok: true, outputs: ['4'], nodeErrors: {} });
  });

  it('casts literals like ComfyUI: number strings, truncated floats, unwrapped lists, boolean words', async () => {
    const prompt: ApiPrompt = {
      '1': { class_type: 'TestNumber', inputs: { value: ' 42 ' } },
      '2': { class_type: 'TestAdd', inputs: { a: 2.9, b: ['1', 0] } },
      '3': { class_type: 'TestBoolean', inputs: { value: 'False' } },
      '4': { class_type: 'TestFloat', inputs: { value: '.25' } },
      '5': { class_type: 'TestOutput', inputs: { value: { __value__: [1, 2] } } },
      '6': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
      '7': { class_type: 'TestOutput', inputs: { value: ['3', 0] } },
      '8': { class_type: 'TestOutput', inputs: { value: ['4', 0] } },
    };
    const { result, nodes } = await analysePrompt(registry, prompt);
    expect(result.ok).toBe(true);
    expect(nodes.get('1')!.literals).toEqual({ value: 42 });
    expect(nodes.get('2')!.literals).toEqual({ a: 2 });
    expect(nodes.get('3')!.literals).toEqual({ value: false });
    expect(nodes.get('4')!.literals).toEqual({ value: 0.25 });
    expect(nodes.get('5')!.literals).toEqual({ value: [1, 2] });
  });
});
