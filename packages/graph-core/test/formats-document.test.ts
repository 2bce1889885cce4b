import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  documentToPrompt,
  GraphFormatError,
  migrateDocument,
  parseGraphDocument,
  promptToDocument,
  type ApiPrompt,
  type GraphDocument,
} from '../src/index.js';
import { testRegistry, thrown } from './helpers.js';

const registry = testRegistry();

/** A small valid document: number → counter → output. */
function sampleDoc(): GraphDocument {
  return {
    format: 'piagraph',
    version: 1,
    metadata: { title: 'sample' },
    nodes: {
      '1': { id: '1', classType: 'TestNumber', position: { x: 0, y: 0 }, values: { value: 3 } },
      '2': { id: '2', classType: 'TestCounter', position: { x: 300, y: 0 }, values: { value: 0 } },
      '3': { id: '3', classType: 'TestOutput', position: { x: 600, y: 0 }, values: {}, title: 'Result' },
    },
    links: {
      '1': { id: '1', source: { node: '1', output: 0 }, target: { node: '2', input: 'value' }, type: 'INT' },
      '2': { id: '2', source: { node: '2', output: 0 }, target: { node: '3', input: 'value' }, type: 'INT' },
    },
  };
}

function formatError(json: unknown): string {
  const error = thrown(() => parseGraphDocument(json));
  expect(error).toBeInstanceOf(GraphFormatError);
  return error.message;
}

describe('parseGraphDocument', () => {
  it('returns an equal copy of a valid document', () => {
    const doc = sampleDoc();
    const parsed = parseGraphDocument(JSON.stringify(doc));
    expect(parsed).toEqual(doc);
  });

  it('reports malformed JSON', () => {
    expect(formatError('{"format": "piagraph",')).toMatch(/^invalid JSON: /);
  });

  it('reports a value that is not an object', () => {
    expect(formatError('[1, 2]')).toBe('expected an object, got an array');
  });

  it('reports a wrong format marker', () => {
    expect(formatError({ format: 'comfy', version: 1 })).toBe('format: expected "piagraph", got "comfy"');
  });

  it('names the path of a wrong field type', () => {
    const doc = sampleDoc() as unknown as { nodes: Record<string, { position: { x: unknown } }> };
    doc.nodes['3']!.position.x = 'a';
    expect(formatError(doc)).toBe('nodes["3"].position.x: expected a number, got a string ("a")');
  });

  it('reports a node whose id differs from its key', () => {
    const doc = sampleDoc();
    doc.nodes['2']!.id = '7';
    expect(formatError(doc)).toBe('nodes["2"].id: expected "2" (the node\'s key), got "7"');
  });

  it('reports a link to a node that does not exist', () => {
    const doc = sampleDoc();
    doc.links['2']!.target.node = '9';
    expect(formatError(doc)).toBe('links["2"].target.node: node "9" does not exist');
  });

  it('reports two links into one input', () => {
    const doc = sampleDoc();
    doc.links['3'] = { id: '3', source: { node: '1', output: 0 }, target: { node: '3', input: 'value' }, type: 'INT' };
    expect(formatError(doc)).toBe('links["3"]: input "value" of node "3" is already fed by link "2"');
  });

  it('reports an unknown mode', () => {
    const doc = sampleDoc() as unknown as { nodes: Record<string, { mode: unknown }> };
    doc.nodes['1']!.mode = 'sleeping';
    expect(formatError(doc)).toBe('nodes["1"].mode: expected one of active, muted, bypassed, got "sleeping"');
  });

  it('reports a bare list among the values', () => {
    const doc = sampleDoc() as unknown as { nodes: Record<string, { values: Record<string, unknown> }> };
    doc.nodes['1']!.values['value'] = [1, 2];
    expect(formatError(doc)).toBe('nodes["1"].values.value: expected a literal value; wrap lists as { "__value__": [...] }');
  });

  it('refuses a version newer than it understands', () => {
    expect(formatError({ ...sampleDoc(), version: 7 })).toBe(
      'version: document version 7 is newer than this piagraph understands (1); update piagraph',
    );
  });
});

describe('migrations', () => {
  const v0 = JSON.parse(readFileSync(new URL('./fixtures/document-v0.json', import.meta.url), 'utf8')) as Record<string, unknown>;

  it('migrates the frozen version 0 fixture to version 1', () => {
    expect(parseGraphDocument(v0)).toEqual({
      format: 'piagraph',
      version: 1,
      metadata: { title: 'Frozen version 0 document' },
      nodes: {
        '1': { id: '1', classType: 'TestNumber', position: { x: 10, y: 20 }, values: { value: 4 } },
        '2': { id: '2', classType: 'TestCounter', position: { x: 300, y: 20 }, values: { value: 0 }, mode: 'bypassed' },
        '3': { id: '3', classType: 'TestOutput', position: { x: 600, y: 20 }, values: {} },
        '4': { id: '4', classType: 'TestString', position: { x: 10, y: 200 }, values: { text: 'off' }, mode: 'muted' },
      },
      links: {
        '1': { id: '1', source: { node: '1', output: 0 }, target: { node: '2', input: 'value' }, type: 'INT' },
        '2': { id: '2', source: { node: '2', output: 0 }, target: { node: '3', input: 'value' }, type: 'INT' },
      },
    });
  });

  it('leaves a current document unchanged', () => {
    const doc = sampleDoc() as unknown as Record<string, unknown>;
    expect(migrateDocument(doc)).toBe(doc);
  });

  it('reports a version no migration starts from', () => {
    expect(thrown(() => migrateDocument({ version: -1 })).message).toBe('version: no migration from document version -1');
  });
});

describe('documentToPrompt', () => {
  it('turns links into [source, output] and values into literals', () => {
    expect(documentToPrompt(sampleDoc(), registry)).toEqual({
      '1': { class_type: 'TestNumber', inputs: { value: 3 } },
      '2': { class_type: 'TestCounter', inputs: { value: ['1', 0] } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] }, _meta: { title: 'Result' } },
    });
  });

  it('drops muted nodes and the inputs they fed', () => {
    const doc = sampleDoc();
    doc.nodes['1']!.mode = 'muted';
    const prompt = documentToPrompt(doc, registry);
    expect(prompt['1']).toBeUndefined();
    expect(prompt['2']).toEqual({ class_type: 'TestCounter', inputs: {} });
  });

  it('passes a bypassed node’s matching input through to its consumers', () => {
    const doc = sampleDoc();
    doc.nodes['2']!.mode = 'bypassed';
    const prompt = documentToPrompt(doc, registry);
    expect(prompt['2']).toBeUndefined();
    expect(prompt['3']!.inputs).toEqual({ value: ['1', 0] });
  });

  it('passes through chains of bypassed nodes', () => {
    const migrated = parseGraphDocument(JSON.parse(readFileSync(new URL('./fixtures/document-v0.json', import.meta.url), 'utf8')));
    expect(documentToPrompt(migrated, registry)).toEqual({
      '1': { class_type: 'TestNumber', inputs: { value: 4 } },
      '3': { class_type: 'TestOutput', inputs: { value: ['1', 0] } },
    });
  });

  it('leaves the input unconnected when a bypassed node has no input of the matching type', () => {
    const doc = sampleDoc();
    doc.nodes['4'] = { id: '4', classType: 'TestString', position: { x: 0, y: 0 }, values: { text: 't' } };
    doc.nodes['5'] = { id: '5', classType: 'TestLatent', position: { x: 0, y: 0 }, values: { frames: 2 }, mode: 'bypassed' };
    doc.links['2'] = { id: '2', source: { node: '5', output: 0 }, target: { node: '3', input: 'value' }, type: 'LATENT' };
    doc.links['3'] = { id: '3', source: { node: '4', output: 0 }, target: { node: '5', input: 'frames' }, type: 'STRING' };
    expect(documentToPrompt(doc, registry)['3']!.inputs).toEqual({});
  });
});

describe('promptToDocument', () => {
  const prompt: ApiPrompt = {
    '4': { class_type: 'TestOutput', inputs: { value: ['3', 0] }, _meta: { title: 'Show' } },
    '1': { class_type: 'TestNumber', inputs: { value: 2 } },
    '2': { class_type: 'TestNumber', inputs: { value: '5' } },
    '3': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: ['2', 0] } },
    '5': { class_type: 'TestOutput', inputs: { value: { __value__: [1, [2, 3]] } } },
  };

  it('round-trips an API prompt losslessly for execution', () => {
    expect(documentToPrompt(promptToDocument(prompt, registry), registry)).toEqual(prompt);
  });

  it('types links by their source output', () => {
    const doc = promptToDocument(prompt, registry);
    expect(Object.values(doc.links).map((l) => `${l.source.node}->${l.target.node}.${l.target.input}:${l.type}`).sort()).toEqual([
      '1->3.a:INT',
      '2->3.b:INT',
      '3->4.value:INT',
    ]);
  });

  it('lays nodes out in columns by topological depth', () => {
    const doc = promptToDocument(prompt, registry);
    const column = (id: string): number => doc.nodes[id]!.position.x / 360;
    expect(['1', '2', '3', '4', '5'].map(column)).toEqual([0, 0, 1, 2, 0]);
    expect(doc.nodes['1']!.position.y).toBeLessThan(doc.nodes['2']!.position.y);
  });

  it('types links as * without a registry and still produces a valid document', () => {
    const doc = promptToDocument(prompt);
    expect(new Set(Object.values(doc.links).map((l) => l.type))).toEqual(new Set(['*']));
    expect(parseGraphDocument(doc)).toEqual(doc);
  });

  it('lays out a cyclic prompt without hanging', () => {
    const cyclic: ApiPrompt = {
      '1': { class_type: 'TestAdd', inputs: { a: ['2', 0], b: 1 } },
      '2': { class_type: 'TestAdd', inputs: { a: ['1', 0], b: 1 } },
    };
    expect(Object.keys(promptToDocument(cyclic, registry).nodes)).toEqual(['1', '2']);
  });

  it('reports a malformed API prompt with the path', () => {
    const error = thrown(() => promptToDocument({ '1': { class_type: 'TestAdd', inputs: { a: [1, 2, 3] } } }));
    expect(error).toBeInstanceOf(GraphFormatError);
    expect(error.message).toBe('["1"].inputs.a: expected a link ["nodeId", outputIndex]; wrap literal lists as { "__value__": [...] }');
  });

  it('splices out reroutes, chained or not, and drops notes (the editor’s frontend-only nodes)', () => {
    const doc = sampleDoc();
    // 1 → reroute 8 → reroute 9 → 2, and a note that nothing links to.
    doc.nodes['8'] = { id: '8', classType: 'Reroute', position: { x: 0, y: 0 }, values: {} };
    doc.nodes['9'] = { id: '9', classType: 'Reroute', position: { x: 0, y: 0 }, values: {} };
    doc.nodes['7'] = { id: '7', classType: 'Note', position: { x: 0, y: 0 }, values: { text: 'remember' } };
    doc.links['1'] = { id: '1', source: { node: '1', output: 0 }, target: { node: '8', input: 'input' }, type: 'INT' };
    doc.links['5'] = { id: '5', source: { node: '8', output: 0 }, target: { node: '9', input: 'input' }, type: '*' };
    doc.links['6'] = { id: '6', source: { node: '9', output: 0 }, target: { node: '2', input: 'value' }, type: '*' };
    expect(documentToPrompt(doc, registry)).toEqual({
      '1': { class_type: 'TestNumber', inputs: { value: 3 } },
      '2': { class_type: 'TestCounter', inputs: { value: ['1', 0] } },
      '3': { class_type: 'TestOutput', inputs: { value: ['2', 0] }, _meta: { title: 'Result' } },
    });
  });

  it('leaves an input fed by an unfed reroute out, as one a muted node fed', () => {
    const doc = sampleDoc();
    doc.nodes['8'] = { id: '8', classType: 'Reroute', position: { x: 0, y: 0 }, values: {} };
    doc.links['1'] = { id: '1', source: { node: '8', output: 0 }, target: { node: '2', input: 'value' }, type: '*' };
    expect(documentToPrompt(doc, registry)['2']).toEqual({ class_type: 'TestCounter', inputs: {} });
  });
});
