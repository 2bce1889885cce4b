import { beforeEach, describe, expect, it } from 'vitest';
import { NodeRegistry, RegistryError, defineNode } from '../src/index.js';
import { TestAdd, TestNumber, dynamicOptions, testNodes } from './fixtures/test-nodes.js';
import { testRegistry, thrown } from './helpers.js';

const Sampler = defineNode({
  classType: 'KSamplerLike',
  displayName: 'K Sampler (like)',
  category: 'sampling',
  description: 'Denoises a latent.',
  inputs: {
    required: {
      model: { type: 'MODEL', tooltip: 'The model.' },
      seed: { type: 'INT', default: 0, min: 0, max: 100, control_after_generate: true },
      sampler_name: { type: 'COMBO', options: ['euler', 'ddim'] },
    },
    optional: { denoise: { type: 'FLOAT', default: 1, min: 0, max: 1, step: 0.01 } },
  },
  outputs: [{ type: 'LATENT', tooltip: 'The denoised latent.' }],
  run: () => ({ outputs: [undefined] }),
});

describe('NodeRegistry', () => {
  beforeEach(() => {
    dynamicOptions.splice(0, dynamicOptions.length, 'first.bin', 'second.bin');
  });

  it('finds registered classes and lists them in registration order', () => {
    const registry = testRegistry();
    expect(registry.get('TestAdd')).toBe(TestAdd);
    expect(registry.has('TestNumber')).toBe(true);
    expect(registry.has('Missing')).toBe(false);
    expect(registry.list().map((d) => d.classType)).toEqual(testNodes.map((d) => d.classType));
  });

  it('refuses a duplicate class name and names the pack that owns it', () => {
    const registry = new NodeRegistry().registerPack('pack.one', [TestNumber]);
    const error = thrown(() => registry.registerPack('pack.two', [TestNumber]));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe('node class "TestNumber" is already registered (by pack "pack.one")');
  });

  it('refuses a duplicate within one registration and registers none of it', () => {
    const registry = new NodeRegistry();
    expect(() => registry.register(TestAdd, TestAdd)).toThrow(/already registered/);
    expect(registry.has('TestAdd')).toBe(false);
  });

  it('refuses a definition without a run function', () => {
    const broken = { ...TestAdd, classType: 'Broken', run: undefined } as unknown as typeof TestAdd;
    expect(() => new NodeRegistry().register(broken)).toThrow('node class "Broken" has no run function');
  });

  it('describes a node in ComfyUI object_info form, field for field', () => {
    const info = new NodeRegistry().registerPack('piagraph.nodes-pia', [Sampler]).objectInfoFor('KSamplerLike');
    expect(info).toEqual({
      input: {
        required: {
          model: ['MODEL', { tooltip: 'The model.' }],
          seed: ['INT', { default: 0, min: 0, max: 100, control_after_generate: true }],
          sampler_name: [['euler', 'ddim']],
        },
        optional: { denoise: ['FLOAT', { default: 1, min: 0, max: 1, step: 0.01 }] },
      },
      input_order: { required: ['model', 'seed', 'sampler_name'], optional: ['denoise'] },
      output: ['LATENT'],
      output_is_list: [false],
      output_name: ['LATENT'],
      output_tooltips: ['The denoised latent.'],
      name: 'KSamplerLike',
      display_name: 'K Sampler (like)',
      description: 'Denoises a latent.',
      python_module: 'piagraph.nodes-pia',
      category: 'sampling',
      output_node: false,
    });
  });

  it('uses the default pack and the class name when a definition gives neither', () => {
    const info = new NodeRegistry().register(TestAdd).objectInfoFor('TestAdd')!;
    expect(info.python_module).toBe('piagraph');
    expect(info.display_name).toBe('TestAdd');
    expect(info.output_name).toEqual(['sum']);
    expect(info.input).not.toHaveProperty('optional');
  });

  it('calls combo option functions each time object_info is built', () => {
    const registry = testRegistry();
    expect(registry.objectInfo()['TestDynamicCombo']!.input.required['file']).toEqual([['first.bin', 'second.bin']]);
    dynamicOptions.push('third.bin');
    expect(registry.objectInfo()['TestDynamicCombo']!.input.required['file']).toEqual([['first.bin', 'second.bin', 'third.bin']]);
  });

  it('marks output nodes and returns undefined for unknown classes', () => {
    const registry = testRegistry();
    expect(registry.objectInfo()['TestOutput']!.output_node).toBe(true);
    expect(registry.objectInfoFor('Nope')).toBeUndefined();
  });
});
