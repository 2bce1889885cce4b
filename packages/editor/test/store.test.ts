import { describe, expect, it } from 'vitest';
import { addNode, setValue } from '@piagraph/graph-core';
import { composeEdits, emptyDocument, setNodeUi } from '../src/document/edits.js';
import { DocumentStore } from '../src/document/store.js';
import { samplerDocument } from './fixtures/docs.js';

describe('DocumentStore', () => {
  it('undoes and redoes an edit through its patches', () => {
    const store = new DocumentStore(samplerDocument());
    store.commit('steps', (d) => setValue(d, '3', 'steps', 40));
    expect(store.doc.nodes['3']!.values.steps).toBe(40);
    expect(store.undo()).toBe(true);
    expect(store.doc.nodes['3']!.values.steps).toBe(25);
    expect(store.redo()).toBe(true);
    expect(store.doc.nodes['3']!.values.steps).toBe(40);
  });

  it('keeps unchanged nodes as the same objects so node views do not re-render', () => {
    const store = new DocumentStore(samplerDocument());
    const before = store.doc.nodes['1'];
    store.commit('steps', (d) => setValue(d, '3', 'steps', 40));
    expect(store.doc.nodes['1']).toBe(before);
  });

  it('drops an edit that changes nothing instead of recording it', () => {
    const store = new DocumentStore(samplerDocument());
    store.commit('same', (d) => setValue(d, '3', 'steps', 25));
    expect(store.canUndo).toBe(false);
  });

  it('clears the history when a document is loaded', () => {
    const store = new DocumentStore(samplerDocument());
    store.commit('steps', (d) => setValue(d, '3', 'steps', 40));
    store.load(emptyDocument());
    expect(store.canUndo).toBe(false);
    expect(store.undo()).toBe(false);
  });

  it('undoes a composed edit in one step', () => {
    const store = new DocumentStore(emptyDocument());
    store.commit('two nodes', (d) =>
      composeEdits(d, [
        (x) => addNode(x, { classType: 'A', position: { x: 0, y: 0 } }),
        (x) => addNode(x, { classType: 'B', position: { x: 1, y: 1 } }),
        (x) => setNodeUi(x, '1', 'controlAfterGenerate', { seed: 'fixed' }),
      ]),
    );
    expect(Object.keys(store.doc.nodes)).toEqual(['1', '2']);
    expect(store.doc.nodes['1']!.ui).toEqual({ controlAfterGenerate: { seed: 'fixed' } });
    store.undo();
    expect(store.doc.nodes).toEqual({});
  });

  it('tells listeners why the document changed', () => {
    const store = new DocumentStore(samplerDocument());
    const causes: string[] = [];
    store.subscribe((_doc, cause) => causes.push(cause));
    store.commit('steps', (d) => setValue(d, '3', 'steps', 40));
    store.undo();
    store.redo();
    store.load(emptyDocument());
    expect(causes).toEqual(['edit', 'undo', 'redo', 'load']);
  });

  it('has unsaved changes after an edit and none once the edit is undone or the document saved', () => {
    const store = new DocumentStore();
    store.load(samplerDocument());
    expect(store.dirty).toBe(false);
    store.commit('steps', (d) => setValue(d, '3', 'steps', 40));
    expect(store.dirty).toBe(true);
    store.undo();
    expect(store.dirty).toBe(false);
    store.redo();
    expect(store.dirty).toBe(true);
    store.markSaved();
    expect(store.dirty).toBe(false);
    store.undo();
    expect(store.dirty).toBe(true);
  });

  it('restores a document marked as holding unsaved changes', () => {
    const store = new DocumentStore();
    store.load(samplerDocument(), true);
    expect(store.dirty).toBe(true);
  });

  it('replaces the whole document as one edit that undo takes back', () => {
    const store = new DocumentStore();
    const before = samplerDocument();
    store.load(before);
    store.replace('New graph', emptyDocument('Fresh'));
    expect(store.doc).toEqual(emptyDocument('Fresh'));
    expect(store.undo()).toBe(true);
    expect(store.doc).toEqual(before);
    expect(store.canUndo).toBe(false);
  });

  it('records the edits of one gesture as one undo step, shown as they happen', () => {
    const store = new DocumentStore();
    store.load(samplerDocument());
    const seen: number[] = [];
    store.subscribe((doc) => seen.push(doc.nodes['3']!.values.steps as number));
    store.beginGroup();
    store.commit('steps', (d) => setValue(d, '3', 'steps', 30));
    store.commit('steps', (d) => setValue(d, '3', 'steps', 35));
    store.endGroup();
    expect(seen.slice(0, 2)).toEqual([30, 35]);
    expect(store.dirty).toBe(true);
    expect(store.undo()).toBe(true);
    expect(store.doc.nodes['3']!.values.steps).toBe(25);
    expect(store.canUndo).toBe(false);
    expect(store.dirty).toBe(false);
  });
});

describe('DocumentStore sessions (tabs)', () => {
  it('keeps each session its own document, undo history and unsaved mark across swaps', async () => {
    const { DocumentSession } = await import('../src/document/store.js');
    const store = new DocumentStore(samplerDocument());
    const a = store.active;
    store.commit('steps', (d) => setValue(d, '3', 'steps', 40));
    const b = new DocumentSession(emptyDocument());
    const causes: string[] = [];
    store.subscribe((_doc, cause) => causes.push(cause));
    const generation = store.generation;

    expect(store.swap(b)).toBe(a);
    expect(causes).toEqual(['switch']);
    expect(store.generation).toBe(generation + 1);
    expect(Object.keys(store.doc.nodes)).toEqual([]);
    expect(store.canUndo).toBe(false);
    expect(store.dirty).toBe(false);

    // A background session still takes edits, with their own undo step.
    expect(a.commit('seed', (d) => setValue(d, '3', 'seed', 7))).toBe(true);
    store.swap(a);
    expect(store.doc.nodes['3']!.values).toMatchObject({ steps: 40, seed: 7 });
    expect(store.dirty).toBe(true);
    expect(store.undo()).toBe(true);
    expect(store.doc.nodes['3']!.values.seed).not.toBe(7);
    expect(store.undo()).toBe(true);
    expect(store.doc.nodes['3']!.values.steps).toBe(25);
    expect(store.dirty).toBe(false);
  });

  it('closes a gesture group of the session it leaves, as one undo step of that session', async () => {
    const { DocumentSession } = await import('../src/document/store.js');
    const store = new DocumentStore(samplerDocument());
    const a = store.active;
    store.beginGroup('drag');
    store.commit('a', (d) => setValue(d, '3', 'steps', 1));
    store.commit('b', (d) => setValue(d, '3', 'steps', 2));
    store.swap(new DocumentSession());
    expect(a.canUndo).toBe(true);
    expect(a.undo()).toBe(true);
    expect(a.doc.nodes['3']!.values.steps).toBe(25);
    expect(a.canUndo).toBe(false);
  });

  it('starts a restored session as unsaved when it was stored so', async () => {
    const { DocumentSession } = await import('../src/document/store.js');
    expect(new DocumentSession(samplerDocument(), 200, true).dirty).toBe(true);
    expect(new DocumentSession(samplerDocument()).dirty).toBe(false);
  });
});
