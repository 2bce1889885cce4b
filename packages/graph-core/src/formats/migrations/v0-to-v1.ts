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
    // Maps turned into objects with fromEntries: an id "__proto__" must stay a key, not set a prototype.
    const nodes = new Map<string, unknown>();
    expectArray(doc['nodes'], 'nodes').forEach((raw, index) => {
      const node = expectObject(raw, at('nodes', index));
      const id = idOf(node['id'], at(at('nodes', index), 'id'));
      const mode = node['muted'] === true ? 'muted' : node['bypassed'] === true ? 'bypassed' : undefined;
      nodes.set(id, {
        id,
        classType: node['type'],
        position: { x: node['x'], y: node['y'] },
        values: isPlainObject(node['widgets']) ? node['widgets'] : {},
        ...(mode ? { mode } : {}),
      });
    });
    const links = new Map<string, unknown>();
    expectArray(doc['links'] ?? [], 'links').forEach((raw, index) => {
      const link = expectArray(raw, at('links', index));
      if (link.length < 6) throw new GraphFormatError(at('links', index), 'expected [id, from, fromOutput, to, toInput, type]');
      const where = at('links', index);
      const id = idOf(link[0], where);
      links.set(id, {
        id,
        source: { node: idOf(link[1], where), output: link[2] },
        target: { node: idOf(link[3], where), input: link[4] },
        type: link[5],
      });
    });
    const { title, nodes: _nodes, links: _links, ...rest } = doc;
    return {
      ...rest,
      version: 1,
      metadata: typeof title === 'string' ? { title } : {},
      nodes: Object.fromEntries(nodes),
      links: Object.fromEntries(links),
    };
  },
};

/** A node or link id of a v0 document: a number or a string, as the draft wrote them. */
function idOf(value: unknown, path: string): string {
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  throw new GraphFormatError(path, `expected an id (number or string), got ${value === null ? 'null' : typeof value}`);
}
