import { GraphFormatError } from '../../errors.js';
import { at, expectArray, expectObject, isPlainObject } from '../shape.js';
import type { DocumentMigration } from './index.js';

/**
 * Version 0, the pre-release draft of the document: node and link arrays in litegraph style.
 *
 * ```jsonc
 * { "format": "piagraph", "version": 0, "title": "…",
 *   "nodes": [{ "id": 3, "type": "KSampler", "x": 10, "y": 20, "widgets": { "seed": 5 }, "muted": false, "bypassed": false }],
 *   "links": [[linkId, fromNodeId, fromOutput, toNodeId, "toInputName", "TYPE"]] }
 * ```
 *
 * Version 1 keys nodes and links by id (stable immer patch paths), moves the title into `metadata`, and turns the
 * two flags into `mode`.
 */
export const v0ToV1: DocumentMigration = {
  from: 0,
  to: 1,
  description: 'node and link arrays become records keyed by id; title moves to metadata; muted/bypassed become mode',
  migrate(doc) {
    const nodes: Record<string, unknown> = {};
    expectArray(doc['nodes'], 'nodes').forEach((raw, index) => {
      const node = expectObject(raw, at('nodes', index));
      const id = String(node['id']);
      const mode = node['muted'] === true ? 'muted' : node['bypassed'] === true ? 'bypassed' : undefined;
      nodes[id] = {
        id,
        classType: node['type'],
        position: { x: node['x'], y: node['y'] },
        values: isPlainObject(node['widgets']) ? node['widgets'] : {},
        ...(mode ? { mode } : {}),
      };
    });
    const links: Record<string, unknown> = {};
    expectArray(doc['links'] ?? [], 'links').forEach((raw, index) => {
      const link = expectArray(raw, at('links', index));
      if (link.length < 6) throw new GraphFormatError(at('links', index), 'expected [id, from, fromOutput, to, toInput, type]');
      const id = String(link[0]);
      links[id] = {
        id,
        source: { node: String(link[1]), output: link[2] },
        target: { node: String(link[3]), input: link[4] },
        type: link[5],
      };
    });
    const { title, nodes: _nodes, links: _links, ...rest } = doc;
    return {
      ...rest,
      version: 1,
      metadata: typeof title === 'string' ? { title } : {},
      nodes,
      links,
    };
  },
};
