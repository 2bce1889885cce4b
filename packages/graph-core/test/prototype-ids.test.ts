/**
 * Ids arrive as JSON keys, so ids named like Object.prototype's members ("toString", "constructor", "__proto__")
 * must never find the prototype's members. Prompts: validated (and run) like any other id. Documents, whose ids key
 * the editor's objects and patches everywhere: refused up front naming the id. Found by the server's fuzz test.
 */
import { describe, expect, it } from 'vitest';
import { GraphFormatError, parseGraphDocument, validatePrompt, type ApiPrompt } from '../src/index.js';
import { testRegistry } from './helpers.js';

const registry = testRegistry();

describe('prompts with node ids named like Object.prototype members (the executor runs them: run.test.ts)', () => {
  it.each(['toString', 'constructor', 'hasOwnProperty', '__proto__'])('a node "%s" with a bad input is reported under its id', async (id) => {
    const prompt = JSON.parse(
      `{"${id}": {"class_type": "TestNumber", "inputs": {"value": "not a number"}}, "2": {"class_type": "TestOutput", "inputs": {"value": ["${id}", 0]}}}`,
    ) as ApiPrompt;
    const result = await validatePrompt(registry, prompt);
    if (result.ok) throw new Error('expected a failure');
    expect(Object.keys(result.nodeErrors)).toEqual([id]);
    expect(result.nodeErrors[id]!.class_type).toBe('TestNumber');
    expect(result.nodeErrors[id]!.dependent_outputs).toEqual(['2']);
  });

  it('a valid node "toString" validates', async () => {
    const prompt = JSON.parse('{"toString": {"class_type": "TestNumber", "inputs": {"value": 3}}, "2": {"class_type": "TestOutput", "inputs": {"value": ["toString", 0]}}}') as ApiPrompt;
    expect(await validatePrompt(registry, prompt)).toEqual({ ok: true, outputs: ['2'], nodeErrors: {} });
  });

  it.each(['constructor', 'toString', '__proto__'])('a link to a missing node "%s" is an error naming it, not a crash', async (id) => {
    const prompt = JSON.parse(`{"2": {"class_type": "TestOutput", "inputs": {"value": ["${id}", 0]}}}`) as ApiPrompt;
    const result = await validatePrompt(registry, prompt);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain(id);
  });

  it('output targets named like prototype members are not taken for nodes', async () => {
    const prompt: ApiPrompt = { '1': { class_type: 'TestNumber', inputs: { value: 3 } }, '2': { class_type: 'TestOutput', inputs: { value: ['1', 0] } } };
    const result = await validatePrompt(registry, prompt, { outputs: ['toString'] });
    expect(result.ok).toBe(false);
  });
});

describe('documents', () => {
  it('a v0 link whose node id is an object is a format error naming the link, not a TypeError', () => {
    const doc = {
      format: 'piagraph',
      version: 0,
      nodes: [{ id: 1, type: 'TestNumber', x: 0, y: 0, widgets: { value: 1 } }],
      links: [[1, JSON.parse('{"toString": 1}'), 0, 1, 'value', 'INT']],
    };
    expect(() => parseGraphDocument(doc)).toThrow(GraphFormatError);
    expect(() => parseGraphDocument(doc)).toThrow(/links\[0\]: expected an id/);
  });

  it.each(['__proto__', 'toString'])('a v1 node with id "%s" is refused naming its path', (id) => {
    const json = `{"format": "piagraph", "version": 1, "metadata": {}, "nodes": {
      "${id}": {"id": "${id}", "classType": "TestNumber", "position": {"x": 0, "y": 0}, "values": {"value": 2}}}, "links": {}}`;
    expect(() => parseGraphDocument(json)).toThrow(`nodes["${id}"]: node id "${id}" is not allowed`);
  });

  it('a v0 node with id "__proto__" is refused, not turned into a prototype', () => {
    const doc = JSON.parse('{"format": "piagraph", "version": 0, "nodes": [{"id": "__proto__", "type": "TestNumber", "x": 0, "y": 0}], "links": []}');
    expect(() => parseGraphDocument(doc)).toThrow(/node id "__proto__" is not allowed/);
  });
});
