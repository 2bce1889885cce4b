import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  detectGraphFormat,
  GraphFormatError,
  importComfyWorkflow,
  isApiPrompt,
  toApiPrompt,
  UnknownNodeTypeError,
  validatePrompt,
} from '../src/index.js';
import { testRegistry, thrown } from './helpers.js';

const registry = testRegistry();
const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('importComfyWorkflow (litegraph 0.4, array links)', () => {
  const doc = importComfyWorkflow(fixture('comfy-workflow-v04.json'), registry);

  it('converts to the API prompt the ComfyUI frontend would send', () => {
    expect(toApiPrompt(fixture('comfy-workflow-v04.json'), registry)).toEqual({
      '1': { class_type: 'TestLatent', inputs: { frames: 8 } },
      '2': {
        class_type: 'TestSampler',
        inputs: { latent: ['1', 0], seed: 123, steps: 20, sampler: 'euler', strength: 0.75 },
        _meta: { title: 'My sampler' },
      },
      '4': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
      '5': { class_type: 'TestLoadImage', inputs: { image: 'dog.png' } },
      '6': { class_type: 'TestOutput', inputs: { value: ['5', 0] } },
      '8': { class_type: 'TestNumber', inputs: { value: 42 } },
      '9': { class_type: 'TestOutput', inputs: { value: ['8', 0] } },
      '10': { class_type: 'TestNumber', inputs: { value: 5 } },
      '13': { class_type: 'TestOutput', inputs: { value: ['8', 0] } },
    });
  });

  it('skips the control_after_generate companion and keeps it for the editor', () => {
    expect(doc.nodes['2']!.values).toEqual({ seed: 123, steps: 20, sampler: 'euler', strength: 0.75 });
    expect(doc.nodes['2']!.ui).toEqual({ color: '#322', controlAfterGenerate: { seed: 'randomize' } });
  });

  it('skips the upload companion after an image_upload combo', () => {
    expect(doc.nodes['5']!.values).toEqual({ image: 'dog.png' });
  });

  it('follows reroutes to the real source', () => {
    expect(doc.nodes['3']).toBeUndefined();
    expect(doc.links['3']).toEqual({ id: '3', source: { node: '2', output: 0 }, target: { node: '4', input: 'value' }, type: 'LATENT' });
  });

  it('writes a PrimitiveNode value into the input it feeds', () => {
    expect(doc.nodes['7']).toBeUndefined();
    expect(doc.nodes['8']!.values).toEqual({ value: 42 });
    expect(doc.links['6']).toBeUndefined();
  });

  it('maps mode 2 to muted and mode 4 to bypassed, and drops notes', () => {
    expect(doc.nodes['11']!.mode).toBe('muted');
    expect(doc.nodes['12']!.mode).toBe('bypassed');
    expect(doc.nodes['14']).toBeUndefined();
  });

  it('keeps positions, sizes, groups and the camera', () => {
    expect(doc.nodes['2']!.position).toEqual({ x: 400, y: 0 });
    expect(doc.nodes['2']!.size).toEqual({ width: 300, height: 260 });
    expect(doc.groups).toEqual({ '1': { id: '1', title: 'Sampling', bounds: { x: 0, y: 0, width: 720, height: 280 }, color: '#3f789e' } });
    expect(doc.view).toEqual({ x: 10, y: 20, zoom: 1.5 });
  });

  it('produces a prompt that validates', async () => {
    const result = await validatePrompt(registry, toApiPrompt(fixture('comfy-workflow-v04.json'), registry));
    expect(result).toEqual({ ok: true, outputs: ['4', '6', '9', '13'], nodeErrors: {} });
  });
});

describe('importComfyWorkflow (version 1, object links)', () => {
  const doc = importComfyWorkflow(JSON.parse(fixture('comfy-workflow-v1.json')), registry);

  it('reads object links, {0,1} positions and dict widgets_values', () => {
    expect(toApiPrompt(fixture('comfy-workflow-v1.json'), registry)).toEqual({
      '1': { class_type: 'TestLatent', inputs: { frames: 12 } },
      '2': { class_type: 'TestSampler', inputs: { latent: ['1', 0], seed: 7, steps: 30, sampler: 'ddim', strength: 1 } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] } },
    });
    expect(doc.nodes['1']!.position).toEqual({ x: 0, y: 0 });
  });

  it('skips the boolean companion the default graph stores after a seed', () => {
    expect(doc.nodes['2']!.ui).toEqual({ collapsed: true, controlAfterGenerate: { seed: true } });
  });

  it('keeps the model list as metadata', () => {
    expect(doc.metadata.models).toEqual([{ name: 'pia.ckpt', folder: 'pia', url: 'https://example.invalid/pia.ckpt' }]);
  });
});

describe('workflow import errors', () => {
  it('names every unknown node type at once', () => {
    const workflow = {
      nodes: [
        { id: 1, type: 'KSampler', mode: 0, inputs: [], outputs: [] },
        { id: 2, type: 'VHS_VideoCombine', mode: 0, inputs: [], outputs: [] },
        { id: 3, type: 'KSampler', mode: 0, inputs: [], outputs: [] },
      ],
      links: [],
      version: 0.4,
    };
    const error = thrown(() => importComfyWorkflow(workflow, registry));
    expect(error).toBeInstanceOf(UnknownNodeTypeError);
    expect(error.message).toBe('unknown node types: KSampler, VHS_VideoCombine (is the node pack installed?)');
    expect((error as UnknownNodeTypeError).classTypes).toEqual(['KSampler', 'VHS_VideoCombine']);
    expect((error as UnknownNodeTypeError).nodes.map((n) => `${n.nodeId}:${n.classType}`)).toEqual(['1:KSampler', '2:VHS_VideoCombine', '3:KSampler']);
  });

  it('says that subgraphs are not supported yet', () => {
    const workflow = {
      nodes: [{ id: 5, type: 'a1b2', mode: 0, inputs: [], outputs: [] }],
      links: [],
      definitions: { subgraphs: [{ id: 'a1b2' }] },
      version: 1,
    };
    expect(thrown(() => importComfyWorkflow(workflow, registry)).message).toBe(
      'nodes[id=5]: node 5 is a subgraph instance (a1b2); subgraphs are not supported yet',
    );
  });

  it('reports a node without a type', () => {
    const error = thrown(() => importComfyWorkflow({ nodes: [{ id: 1 }], links: [] }, registry));
    expect(error).toBeInstanceOf(GraphFormatError);
    expect(error.message).toBe('nodes[0].type: expected a node type name');
  });

  it('reports links that are neither arrays nor objects', () => {
    expect(thrown(() => importComfyWorkflow({ nodes: [], links: ['x'] }, registry)).message).toBe(
      'links[0]: expected an object, got a string ("x")',
    );
  });
});

describe('toApiPrompt and format detection', () => {
  const api = { '1': { class_type: 'TestNumber', inputs: { value: 1 } } };

  it('detects each of the three formats', () => {
    expect(detectGraphFormat({ format: 'piagraph' })).toBe('piagraph-document');
    expect(detectGraphFormat({ nodes: [] })).toBe('comfyui-workflow');
    expect(detectGraphFormat(api)).toBe('api-prompt');
    expect(detectGraphFormat([1])).toBeUndefined();
  });

  it('recognises API prompts by shape', () => {
    expect(isApiPrompt(api)).toBe(true);
    expect(isApiPrompt({ '1': { class_type: 'X' } })).toBe(false);
    expect(isApiPrompt('text')).toBe(false);
  });

  it('accepts an API prompt as is, or wrapped in a POST /prompt body', () => {
    expect(toApiPrompt(api, registry)).toEqual(api);
    expect(toApiPrompt(JSON.stringify({ prompt: api, client_id: 'c' }), registry)).toEqual(api);
  });

  it('reports malformed JSON', () => {
    const error = thrown(() => toApiPrompt('{"1": ', registry));
    expect(error).toBeInstanceOf(GraphFormatError);
    expect(error.message).toMatch(/^invalid JSON: /);
  });

  it('reports a value that is no graph format', () => {
    expect(thrown(() => toApiPrompt({ hello: 'world' }, registry)).message).toMatch(/^not a graph: expected a piagraph document/);
  });
});
