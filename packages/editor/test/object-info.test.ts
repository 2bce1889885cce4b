import { describe, expect, it } from 'vitest';
import { categoryTree, parseObjectInfo } from '../src/defs/object-info.js';
import { registryFromSchemas } from '../src/defs/client-registry.js';
import { objectInfo } from './fixtures/object-info.js';

const schemas = parseObjectInfo(objectInfo);

describe('parseObjectInfo', () => {
  it('keeps inputs in input_order, required before optional', () => {
    expect(schemas.get('Sampler')!.inputs.map((i) => i.name)).toEqual(['model', 'image', 'seed', 'steps', 'cfg', 'scheduler', 'prompt', 'count']);
  });

  it('reads a V1 combo whose options are the type', () => {
    expect(schemas.get('LoadImage')!.inputs[0]!.spec).toEqual({ type: 'COMBO', options: ['cat.png', 'dog.png'], image_upload: true });
  });

  it('reads a V2 combo whose options are in the options object', () => {
    const spec = schemas.get('Sampler')!.inputs.find((i) => i.name === 'scheduler')!.spec;
    expect(spec).toMatchObject({ type: 'COMBO', options: ['ddim', 'euler'], default: 'euler' });
  });

  it('marks widget types as widgets and link types and forceInput as sockets only', () => {
    const widgets = Object.fromEntries(schemas.get('Sampler')!.inputs.map((i) => [i.name, i.widget]));
    expect(widgets).toEqual({ model: false, image: false, seed: true, steps: true, cfg: true, scheduler: true, prompt: true, count: false });
  });

  it('names outputs from output_name and falls back to the key order when input_order is absent', () => {
    const loader = schemas.get('CheckpointLoader')!;
    expect(loader.outputs).toEqual([{ type: 'MODEL', name: 'MODEL' }, { type: 'VAE', name: 'VAE' }]);
    expect(loader.inputs.map((i) => i.name)).toEqual(['ckpt_name']);
  });

  it('returns no schemas for a body that is not an object', () => {
    expect(parseObjectInfo('nope').size).toBe(0);
  });
});

describe('categoryTree', () => {
  it('nests slash-separated categories and sorts them', () => {
    const tree = categoryTree(schemas.values());
    expect(tree.children.map((c) => c.name)).toEqual(['image', 'pia']);
    const pia = tree.children[1]!;
    expect(pia.children.map((c) => c.path)).toEqual(['pia/loaders', 'pia/sampling']);
    expect(pia.nodes.map((n) => n.classType)).toEqual(['SaveVideo']);
  });
});

describe('registryFromSchemas', () => {
  it('gives graph-core a registry whose definitions refuse to run in the browser', () => {
    const registry = registryFromSchemas(schemas.values());
    const def = registry.get('Sampler')!;
    expect(def.outputs).toEqual([{ type: 'LATENT', name: 'samples' }]);
    expect(Object.keys(def.inputs.optional!)).toEqual(['prompt', 'count']);
    expect(() => def.run({}, {} as never)).toThrow(/runs on the server/);
  });
});
