import { describe, expect, it } from 'vitest';
import {
  addNode,
  applyPatches,
  connect,
  ConnectionError,
  disconnect,
  GraphEditError,
  History,
  moveNodes,
  removeNode,
  setMode,
  setTitle,
  setValue,
  type ConnectionError as ConnectionErrorType,
  type GraphDocument,
} from '../src/index.js';
import { testRegistry, thrown } from './helpers.js';

const registry = testRegistry();

function emptyDoc(): GraphDocument {
  return { format: 'piagraph', version: 1, metadata: {}, nodes: {}, links: {} };
}

/** number(1) → counter(2) → output(3), built with the edit operations themselves. */
function chain(): GraphDocument {
  let doc = emptyDoc();
  doc = addNode(doc, { classType: 'TestNumber', position: { x: 0, y: 0 } }, registry).doc;
  doc = addNode(doc, { classType: 'TestCounter', position: { x: 300, y: 0 } }, registry).doc;
  doc = addNode(doc, { classType: 'TestOutput', position: { x: 600, y: 0 } }, registry).doc;
  doc = connect(doc, registry, { source: { node: '1', output: 0 }, target: { node: '2', input: 'value' } }).doc;
  return connect(doc, registry, { source: { node: '2', output: 0 }, target: { node: '3', input: 'value' } }).doc;
}

function connectionError(fn: () => unknown): ConnectionErrorType {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ConnectionError);
  return error as ConnectionErrorType;
}

describe('edit operations', () => {
  it('adds a node with the next numeric id and default widget values', () => {
    const first = addNode(emptyDoc(), { classType: 'TestSampler', position: { x: 5, y: 6 } }, registry);
    expect(first.nodeId).toBe('1');
    expect(first.doc.nodes['1']).toEqual({
      id: '1',
      classType: 'TestSampler',
      position: { x: 5, y: 6 },
      values: { seed: 0, steps: 20, sampler: 'ddim', strength: 1 },
    });
    expect(addNode(first.doc, { classType: 'TestNumber', position: { x: 0, y: 0 } }).nodeId).toBe('2');
  });

  it('returns patches that replay the edit and inverse patches that undo it', () => {
    const before = emptyDoc();
    const { doc, patches, inversePatches } = addNode(before, { classType: 'TestNumber', position: { x: 0, y: 0 } }, registry);
    expect(applyPatches(before, patches)).toEqual(doc);
    expect(applyPatches(doc, inversePatches)).toEqual(before);
  });

  it('refuses to add a node of an unknown class', () => {
    const error = thrown(() => addNode(emptyDoc(), { classType: 'Nope', position: { x: 0, y: 0 } }, registry));
    expect(error).toBeInstanceOf(GraphEditError);
    expect(error.message).toBe('node class "Nope" is not registered');
  });

  it('removes a node together with its links', () => {
    const { doc } = removeNode(chain(), '2');
    expect(Object.keys(doc.nodes)).toEqual(['1', '3']);
    expect(doc.links).toEqual({});
  });

  it('connects compatible sockets, typing the link by the output', () => {
    expect(chain().links['1']).toEqual({ id: '1', source: { node: '1', output: 0 }, target: { node: '2', input: 'value' }, type: 'INT' });
  });

  it('replaces an existing link into the same input', () => {
    let doc = chain();
    doc = addNode(doc, { classType: 'TestNumber', position: { x: 0, y: 200 } }, registry).doc;
    const { doc: next, linkId } = connect(doc, registry, { source: { node: '4', output: 0 }, target: { node: '2', input: 'value' } });
    expect(linkId).toBe('3');
    expect(Object.values(next.links).filter((l) => l.target.node === '2').map((l) => l.source.node)).toEqual(['4']);
  });

  it('refuses incompatible types with a typed error', () => {
    let doc = chain();
    doc = addNode(doc, { classType: 'TestString', position: { x: 0, y: 200 } }, registry).doc;
    const error = connectionError(() => connect(doc, registry, { source: { node: '4', output: 0 }, target: { node: '2', input: 'value' } }));
    expect(error.type).toBe('incompatible_types');
    expect(error.message).toBe('cannot connect STRING output 0 of node "4" to INT input "value" of node "2"');
  });

  it('refuses a link that would close a cycle', () => {
    let doc = emptyDoc();
    doc = addNode(doc, { classType: 'TestAdd', position: { x: 0, y: 0 } }, registry).doc;
    doc = addNode(doc, { classType: 'TestAdd', position: { x: 0, y: 0 } }, registry).doc;
    doc = connect(doc, registry, { source: { node: '1', output: 0 }, target: { node: '2', input: 'a' } }).doc;
    expect(connectionError(() => connect(doc, registry, { source: { node: '2', output: 0 }, target: { node: '1', input: 'a' } })).type).toBe('cycle');
  });

  it('refuses a node feeding itself, unknown nodes, outputs and inputs', () => {
    const doc = chain();
    expect(connectionError(() => connect(doc, registry, { source: { node: '2', output: 0 }, target: { node: '2', input: 'value' } })).type).toBe('self_link');
    expect(connectionError(() => connect(doc, registry, { source: { node: '9', output: 0 }, target: { node: '2', input: 'value' } })).message).toBe(
      'source node "9" does not exist',
    );
    expect(connectionError(() => connect(doc, registry, { source: { node: '1', output: 2 }, target: { node: '2', input: 'value' } })).message).toBe(
      'node "1" (TestNumber) has no output 2',
    );
    expect(connectionError(() => connect(doc, registry, { source: { node: '1', output: 0 }, target: { node: '2', input: 'nope' } })).message).toBe(
      'node "2" (TestCounter) has no input "nope"',
    );
  });

  it('disconnects a link and refuses an unknown one', () => {
    expect(Object.keys(disconnect(chain(), '1').doc.links)).toEqual(['2']);
    expect(thrown(() => disconnect(chain(), '9')).message).toBe('link "9" does not exist');
  });

  it('sets a value, a title, a mode and positions', () => {
    let doc = setValue(chain(), '1', 'value', 12).doc;
    doc = setTitle(doc, '3', 'Result').doc;
    doc = setMode(doc, ['1', '2'], 'bypassed').doc;
    doc = moveNodes(doc, { '1': { x: 7, y: 8 } }).doc;
    expect(doc.nodes['1']).toMatchObject({ values: { value: 12 }, mode: 'bypassed', position: { x: 7, y: 8 } });
    expect(doc.nodes['3']!.title).toBe('Result');
    expect(setMode(doc, '1', 'active').doc.nodes['1']).not.toHaveProperty('mode');
    expect(setTitle(doc, '3', '').doc.nodes['3']).not.toHaveProperty('title');
  });

  it('refuses edits of a node that does not exist', () => {
    expect(thrown(() => setValue(chain(), '9', 'value', 1)).message).toBe('node "9" does not exist');
    expect(thrown(() => moveNodes(chain(), { '1': { x: Number.NaN, y: 0 } })).message).toBe('position of node "1" must be finite numbers');
  });
});

describe('History', () => {
  it('undoes and redoes edits in order', () => {
    const history = new History();
    const start = chain();
    const a = setValue(start, '1', 'value', 5);
    history.record(a);
    const b = removeNode(a.doc, '3');
    history.record(b);
    const undone = history.undo(b.doc)!;
    expect(undone).toEqual(a.doc);
    expect(history.undo(undone)).toEqual(start);
    expect(history.canUndo).toBe(false);
    expect(history.redo(start)).toEqual(a.doc);
    expect(history.canRedo).toBe(true);
  });

  it('clears the redo stack on a new edit', () => {
    const history = new History();
    const a = setValue(chain(), '1', 'value', 5);
    history.record(a);
    history.undo(a.doc);
    history.record(setValue(chain(), '1', 'value', 6));
    expect(history.canRedo).toBe(false);
  });

  it('keeps at most its limit of steps', () => {
    const history = new History(2);
    let doc = chain();
    for (const value of [1, 2, 3]) {
      const step = setValue(doc, '1', 'value', value);
      history.record(step);
      doc = step.doc;
    }
    doc = history.undo(doc)!;
    doc = history.undo(doc)!;
    expect(history.undo(doc)).toBeUndefined();
    expect(doc.nodes['1']!.values['value']).toBe(1);
  });
});
