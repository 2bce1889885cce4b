import { describe, expect, it } from 'vitest';
import { parseObjectInfo } from '../src/defs/object-info.js';
import { registryFromSchemas } from '../src/defs/client-registry.js';
import { copyNodes, pasteNodes } from '../src/document/clipboard.js';
import { DocumentStore } from '../src/document/store.js';
import { samplerDocument } from './fixtures/docs.js';
import { objectInfo } from './fixtures/object-info.js';

const registry = registryFromSchemas(parseObjectInfo(objectInfo).values());

describe('copy and paste', () => {
  it('copies the selected nodes and only the links among them', () => {
    const data = copyNodes(samplerDocument(), ['2', '3']);
    expect(data.nodes.map((n) => n.id)).toEqual(['2', '3']);
    expect(data.links.map((l) => l.id)).toEqual(['2']);
  });

  it('pastes copies with fresh ids, shifted, with their internal link re-made', () => {
    const doc = samplerDocument();
    const { result, ids } = pasteNodes(doc, copyNodes(doc, ['2', '3']), { x: 10, y: 20 }, registry);
    expect(ids).toEqual(['5', '6']);
    expect(result.doc.nodes['5']).toMatchObject({ classType: 'LoadImage', position: { x: 10, y: 320 }, values: { image: 'cat.png' } });
    const newLinks = Object.values(result.doc.links).filter((l) => ids.includes(l.target.node));
    expect(newLinks.map((l) => `${l.source.node}->${l.target.node}:${l.target.input}`)).toEqual(['5->6:image']);
  });

  it('takes back a whole paste with one undo', () => {
    const store = new DocumentStore(samplerDocument());
    store.commit('paste', (d) => pasteNodes(d, copyNodes(d, ['2', '3']), { x: 0, y: 0 }, registry).result);
    store.undo();
    expect(store.doc).toEqual(samplerDocument());
  });
});
