import { NodeEditor } from 'rete';
import { describe, expect, it, vi } from 'vitest';
import { connect, disconnect, moveNodes, removeNode, type ConnectionRequest } from '@piagraph/graph-core';
import { parseObjectInfo } from '../src/defs/object-info.js';
import { registryFromSchemas } from '../src/defs/client-registry.js';
import { DocumentStore } from '../src/document/store.js';
import { EditorConnection, type Schemes } from '../src/rete/schemes.js';
import { DocumentSync, type UserIntents } from '../src/rete/sync.js';
import { samplerDocument } from './fixtures/docs.js';
import { objectInfo } from './fixtures/object-info.js';

const schemas = parseObjectInfo(objectInfo);
const registry = registryFromSchemas(schemas.values());

/** A Rete editor kept in sync with a document store, with positions in a map instead of an area. */
function setup(intents: Partial<UserIntents> = {}) {
  const editor = new NodeEditor<Schemes>();
  const positions = new Map<string, { x: number; y: number }>();
  const layout = {
    translate: async (id: string, x: number, y: number) => void positions.set(id, { x, y }),
    position: (id: string) => positions.get(id),
  };
  const sync = new DocumentSync(editor, layout, () => schemas, {
    connect: intents.connect ?? (() => undefined),
    disconnect: intents.disconnect ?? (() => undefined),
    removeNode: intents.removeNode ?? (() => undefined),
  });
  const docs = new DocumentStore(samplerDocument());
  docs.subscribe((doc) => void sync.render(doc));
  return { editor, positions, sync, docs };
}

const connectionKeys = (editor: NodeEditor<Schemes>) =>
  editor
    .getConnections()
    .map((c) => `${c.source}:${String(c.sourceOutput)}->${c.target}:${String(c.targetInput)}`)
    .sort();

describe('DocumentSync', () => {
  it('renders every node with its schema ports and every link as a connection', async () => {
    const { editor, sync, docs } = setup();
    await sync.render(docs.doc);
    expect(editor.getNodes().map((n) => n.id).sort()).toEqual(['1', '2', '3', '4']);
    expect(Object.keys(editor.getNode('3')!.inputs)).toEqual(['model', 'image', 'seed', 'steps', 'cfg', 'scheduler', 'prompt', 'count']);
    expect(Object.keys(editor.getNode('1')!.outputs)).toEqual(['0', '1']);
    expect(connectionKeys(editor)).toEqual(['1:0->3:model', '2:0->3:image']);
  });

  it('places nodes at their document positions', async () => {
    const { positions, sync, docs } = setup();
    await sync.render(docs.doc);
    expect(positions.get('3')).toEqual({ x: 400, y: 100 });
  });

  it('applies only the difference when the document changes', async () => {
    const { editor, sync, docs } = setup();
    await sync.render(docs.doc);
    const kept = editor.getNode('2');
    docs.commit('remove', (d) => removeNode(d, '1'));
    await sync.render(docs.doc);
    expect(editor.getNodes().map((n) => n.id).sort()).toEqual(['2', '3', '4']);
    expect(editor.getNode('2')).toBe(kept);
    expect(connectionKeys(editor)).toEqual(['2:0->3:image']);
  });

  it('follows undo and redo of a connection', async () => {
    const { editor, sync, docs } = setup();
    await sync.render(docs.doc);
    docs.commit('disconnect', (d) => disconnect(d, '2'));
    await sync.render(docs.doc);
    expect(connectionKeys(editor)).toEqual(['1:0->3:model']);
    docs.undo();
    await sync.render(docs.doc);
    expect(connectionKeys(editor)).toEqual(['1:0->3:model', '2:0->3:image']);
    docs.redo();
    await sync.render(docs.doc);
    expect(connectionKeys(editor)).toEqual(['1:0->3:model']);
  });

  it('moves a node back when a move is undone', async () => {
    const { positions, sync, docs } = setup();
    await sync.render(docs.doc);
    docs.commit('move', (d) => moveNodes(d, { '4': { x: 900, y: 50 } }));
    await sync.render(docs.doc);
    expect(positions.get('4')).toEqual({ x: 900, y: 50 });
    docs.undo();
    await sync.render(docs.doc);
    expect(positions.get('4')).toEqual({ x: 800, y: 100 });
  });

  it('turns a connection drawn in Rete into a connect intent and leaves Rete unchanged until the document changes', async () => {
    const requests: ConnectionRequest[] = [];
    const { editor, sync, docs } = setup({ connect: (r) => requests.push(r) });
    await sync.render(docs.doc);
    const drawn = new EditorConnection(editor.getNode('2')!, '0', editor.getNode('4')!, 'images');
    expect(await editor.addConnection(drawn)).toBe(false);
    expect(requests).toEqual([{ source: { node: '2', output: 0 }, target: { node: '4', input: 'images' } }]);
    docs.commit('connect', (d) => connect(d, registry, requests[0]!));
    await sync.render(docs.doc);
    expect(connectionKeys(editor)).toContain('2:0->4:images');
  });

  it('refuses a connection between incompatible types without reporting an intent', async () => {
    const connectIntent = vi.fn();
    const { editor, sync, docs } = setup({ connect: connectIntent });
    await sync.render(docs.doc);
    // MODEL output of the checkpoint into the IMAGE input of Save Video.
    const wrong = new EditorConnection(editor.getNode('1')!, '0', editor.getNode('4')!, 'images');
    expect(await editor.addConnection(wrong)).toBe(false);
    expect(connectIntent).not.toHaveBeenCalled();
  });

  it('accepts an output whose type is a member of an input union', async () => {
    const connectIntent = vi.fn();
    const { editor, sync, docs } = setup({ connect: connectIntent });
    await sync.render(docs.doc);
    // Sampler's LATENT output into its own IMAGE,LATENT input is a self-link: refused.
    const self = new EditorConnection(editor.getNode('3')!, '0', editor.getNode('3')!, 'image');
    expect(await editor.addConnection(self)).toBe(false);
    expect(connectIntent).not.toHaveBeenCalled();
    // LoadImage's IMAGE output into the union input is accepted.
    await editor.removeConnection('2');
    const ok = new EditorConnection(editor.getNode('2')!, '0', editor.getNode('3')!, 'image');
    await editor.addConnection(ok);
    expect(connectIntent).toHaveBeenCalledTimes(1);
  });

  it('reports deleting a node in Rete as an intent instead of deleting it', async () => {
    const removeIntent = vi.fn();
    const { editor, sync, docs } = setup({ removeNode: removeIntent });
    await sync.render(docs.doc);
    expect(await editor.removeNode('4')).toBe(false);
    expect(removeIntent).toHaveBeenCalledWith('4');
    expect(editor.getNode('4')).toBeDefined();
  });

  it('gives a node of an unknown class the ports its links use', async () => {
    const { editor, sync } = setup();
    const doc = samplerDocument();
    doc.nodes['1'] = { ...doc.nodes['1']!, classType: 'GoneFromServer' };
    await sync.render(doc);
    expect(Object.keys(editor.getNode('1')!.outputs)).toEqual(['0']);
    expect(connectionKeys(editor)).toContain('1:0->3:model');
  });

  it('lists the nodes whose canvas position differs from the document', async () => {
    const { positions, sync, docs } = setup();
    await sync.render(docs.doc);
    positions.set('2', { x: 10, y: 320 });
    expect(sync.movedNodes(docs.doc)).toEqual({ '2': { x: 10, y: 320 } });
  });
});

describe('DocumentSync on load', () => {
  it('replaces a node whose id comes back with another class', async () => {
    const { editor, sync, docs } = setup();
    await sync.render(docs.doc);
    const next = samplerDocument();
    next.nodes['2'] = { id: '2', classType: 'SaveVideo', position: { x: 0, y: 300 }, values: {} };
    delete next.links['2'];
    docs.load(next);
    await sync.render(docs.doc);
    expect(editor.getNode('2')!.classType).toBe('SaveVideo');
    expect(Object.keys(editor.getNode('2')!.inputs)).toEqual(['images', 'fps', 'loop']);
    expect(connectionKeys(editor)).toEqual(['1:0->3:model']);
  });
});
