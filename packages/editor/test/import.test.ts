import { describe, expect, it } from 'vitest';
import { parseObjectInfo } from '../src/defs/object-info.js';
import { registryFromSchemas } from '../src/defs/client-registry.js';
import { documentFromJson, UnsupportedGraphError } from '../src/document/import.js';
import { samplerDocument } from './fixtures/docs.js';
import { objectInfo } from './fixtures/object-info.js';

const registry = registryFromSchemas(parseObjectInfo(objectInfo).values());

describe('documentFromJson', () => {
  it('opens a piagraph document as it was saved', () => {
    const saved = JSON.parse(JSON.stringify(samplerDocument()));
    expect(documentFromJson(saved, registry)).toEqual({ doc: samplerDocument(), laidOut: true });
  });

  it('imports a ComfyUI UI workflow with its positions, links and positional widget values', () => {
    const workflow = {
      last_node_id: 2,
      last_link_id: 1,
      nodes: [
        { id: 1, type: 'LoadImage', pos: [10, 20], size: [200, 100], mode: 0, inputs: [], outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1] }], widgets_values: ['dog.png', 'image'] },
        { id: 2, type: 'SaveVideo', pos: [400, 20], size: [200, 100], mode: 4, inputs: [{ name: 'images', type: 'IMAGE', link: 1 }], outputs: [], widgets_values: [12, false] },
      ],
      links: [[1, 1, 0, 2, 0, 'IMAGE']],
      groups: [],
      version: 0.4,
    };
    const { doc } = documentFromJson(workflow, registry);
    expect(doc.nodes['1']).toMatchObject({ classType: 'LoadImage', position: { x: 10, y: 20 }, values: { image: 'dog.png' } });
    expect(doc.nodes['2']).toMatchObject({ mode: 'bypassed', values: { fps: 12, loop: false } });
    expect(Object.values(doc.links).map((l) => `${l.source.node}:${l.source.output}->${l.target.node}:${l.target.input}`)).toEqual(['1:0->2:images']);
  });

  it('imports an API prompt and asks for a layout', () => {
    const prompt = { '7': { class_type: 'LoadImage', inputs: { image: 'cat.png' } }, '8': { class_type: 'SaveVideo', inputs: { images: ['7', 0], fps: 8, loop: true } } };
    const { doc, laidOut } = documentFromJson(prompt, registry);
    expect(laidOut).toBe(false);
    expect(Object.values(doc.links)).toEqual([expect.objectContaining({ source: { node: '7', output: 0 }, target: { node: '8', input: 'images' }, type: 'IMAGE' })]);
  });

  it('refuses JSON that is no graph', () => {
    expect(() => documentFromJson({ hello: 'world' }, registry)).toThrow(UnsupportedGraphError);
  });

  it('refuses unknown classes naming all of them, the same for a document, a workflow and a prompt', () => {
    const prompt = { '1': { class_type: 'Zed', inputs: {} }, '2': { class_type: 'LoadImage', inputs: { image: 'a.png' } }, '3': { class_type: 'Ay', inputs: {} } };
    const workflow = { version: 0.4, links: [], nodes: [{ id: 1, type: 'Zed', mode: 0, inputs: [], outputs: [] }, { id: 3, type: 'Ay', mode: 0, inputs: [], outputs: [] }] };
    const document = { ...samplerDocument(), nodes: { ...samplerDocument().nodes, '9': { id: '9', classType: 'Zed', position: { x: 0, y: 0 }, values: {} }, '10': { id: '10', classType: 'Ay', position: { x: 0, y: 0 }, values: {} } } };
    for (const graph of [prompt, workflow, JSON.parse(JSON.stringify(document))]) {
      expect(() => documentFromJson(graph, registry)).toThrow('unknown node types: Ay, Zed (is the node pack installed?)');
    }
  });
});
