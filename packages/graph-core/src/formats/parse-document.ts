import { GraphFormatError } from '../errors.js';
import type { LiteralValue } from '../types/api-prompt.js';
import {
  GRAPH_DOCUMENT_VERSION,
  type DocGroup,
  type DocLink,
  type DocNode,
  type GraphDocument,
  type NodeMode,
} from '../types/document.js';
import { migrateDocument } from './migrations/index.js';
import { isReservedId, reservedIdMessage } from '../reserved-ids.js';
import {
  at,
  atKey,
  expectInteger,
  expectNonEmptyString,
  expectNumber,
  expectObject,
  expectString,
  isPlainObject,
  optionalString,
  parseJsonInput,
} from './shape.js';

const MODES: readonly NodeMode[] = ['active', 'muted', 'bypassed'];

function parseLiteral(value: unknown, path: string): LiteralValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return expectNumber(value, path);
  if (Array.isArray(value)) {
    throw new GraphFormatError(path, 'expected a literal value; wrap lists as { "__value__": [...] }');
  }
  return expectObject(value, path);
}

function parseNode(id: string, raw: unknown, path: string): DocNode {
  const node = expectObject(raw, path);
  const nodeId = expectString(node['id'], at(path, 'id'));
  if (nodeId !== id) throw new GraphFormatError(at(path, 'id'), `expected "${id}" (the node's key), got "${nodeId}"`);
  const position = expectObject(node['position'], at(path, 'position'));
  const values = expectObject(node['values'] ?? {}, at(path, 'values'));
  const parsed: DocNode = {
    id,
    classType: expectNonEmptyString(node['classType'], at(path, 'classType')),
    position: {
      x: expectNumber(position['x'], at(at(path, 'position'), 'x')),
      y: expectNumber(position['y'], at(at(path, 'position'), 'y')),
    },
    values: Object.fromEntries(
      Object.entries(values).map(([name, value]) => [name, parseLiteral(value, at(at(path, 'values'), name))]),
    ),
  };
  const title = optionalString(node['title'], at(path, 'title'));
  if (title !== undefined) parsed.title = title;
  if (node['size'] !== undefined) {
    const size = expectObject(node['size'], at(path, 'size'));
    parsed.size = {
      width: expectNumber(size['width'], at(at(path, 'size'), 'width')),
      height: expectNumber(size['height'], at(at(path, 'size'), 'height')),
    };
  }
  if (node['mode'] !== undefined) {
    if (!MODES.includes(node['mode'] as NodeMode)) {
      throw new GraphFormatError(at(path, 'mode'), `expected one of ${MODES.join(', ')}, got ${JSON.stringify(node['mode'])}`);
    }
    parsed.mode = node['mode'] as NodeMode;
  }
  if (node['ui'] !== undefined) parsed.ui = expectObject(node['ui'], at(path, 'ui'));
  return parsed;
}

function parseLink(id: string, raw: unknown, path: string, nodes: Record<string, DocNode>): DocLink {
  const link = expectObject(raw, path);
  const linkId = expectString(link['id'], at(path, 'id'));
  if (linkId !== id) throw new GraphFormatError(at(path, 'id'), `expected "${id}" (the link's key), got "${linkId}"`);
  const source = expectObject(link['source'], at(path, 'source'));
  const target = expectObject(link['target'], at(path, 'target'));
  const sourceNode = expectString(source['node'], at(at(path, 'source'), 'node'));
  const targetNode = expectString(target['node'], at(at(path, 'target'), 'node'));
  for (const [end, nodeId] of [['source', sourceNode], ['target', targetNode]] as const) {
    if (!(nodeId in nodes)) throw new GraphFormatError(at(at(path, end), 'node'), `node "${nodeId}" does not exist`, 'dangling_link');
  }
  return {
    id,
    source: { node: sourceNode, output: expectInteger(source['output'], at(at(path, 'source'), 'output')) },
    target: { node: targetNode, input: expectNonEmptyString(target['input'], at(at(path, 'target'), 'input')) },
    type: expectString(link['type'], at(path, 'type')),
  };
}

function parseGroup(id: string, raw: unknown, path: string): DocGroup {
  const group = expectObject(raw, path);
  const bounds = expectObject(group['bounds'], at(path, 'bounds'));
  const parsed: DocGroup = {
    id,
    title: expectString(group['title'], at(path, 'title')),
    bounds: {
      x: expectNumber(bounds['x'], at(at(path, 'bounds'), 'x')),
      y: expectNumber(bounds['y'], at(at(path, 'bounds'), 'y')),
      width: expectNumber(bounds['width'], at(at(path, 'bounds'), 'width')),
      height: expectNumber(bounds['height'], at(at(path, 'bounds'), 'height')),
    },
  };
  const color = optionalString(group['color'], at(path, 'color'));
  if (color !== undefined) parsed.color = color;
  return parsed;
}

/**
 * Reads a saved graph document (a JSON string or its parsed value): checks the format marker, migrates older
 * versions, and checks every field, returning a fresh, well-typed copy. Problems are `GraphFormatError`s whose
 * message names the path, e.g. `nodes["3"].position.x: expected a number, got a string ("a")`.
 */
export function parseGraphDocument(json: unknown): GraphDocument {
  const root = expectObject(parseJsonInput(json), '');
  if (root['format'] !== 'piagraph') {
    throw new GraphFormatError('format', `expected "piagraph", got ${JSON.stringify(root['format']) ?? 'nothing'}`);
  }
  const doc = migrateDocument(root);
  const nodes: Record<string, DocNode> = {};
  for (const [id, raw] of Object.entries(expectObject(doc['nodes'], 'nodes'))) {
    refuseReservedId('node', id, atKey('nodes', id));
    nodes[id] = parseNode(id, raw, atKey('nodes', id));
  }
  const links: Record<string, DocLink> = {};
  const targets = new Map<string, string>();
  for (const [id, raw] of Object.entries(expectObject(doc['links'] ?? {}, 'links'))) {
    refuseReservedId('link', id, atKey('links', id));
    const link = parseLink(id, raw, atKey('links', id), nodes);
    const slot = `${link.target.node}\u0000${link.target.input}`;
    const other = targets.get(slot);
    if (other !== undefined) {
      throw new GraphFormatError(
        atKey('links', id),
        `input "${link.target.input}" of node "${link.target.node}" is already fed by link "${other}"`,
        'duplicate_link',
      );
    }
    targets.set(slot, id);
    links[id] = link;
  }
  const parsed: GraphDocument = {
    format: 'piagraph',
    version: GRAPH_DOCUMENT_VERSION,
    metadata: expectObject(doc['metadata'] ?? {}, 'metadata'),
    nodes,
    links,
  };
  if (doc['groups'] !== undefined) {
    parsed.groups = {};
    for (const [id, raw] of Object.entries(expectObject(doc['groups'], 'groups'))) {
      refuseReservedId('group', id, atKey('groups', id));
      parsed.groups[id] = parseGroup(id, raw, atKey('groups', id));
    }
  }
  if (doc['view'] !== undefined) {
    const view = expectObject(doc['view'], 'view');
    parsed.view = {
      x: expectNumber(view['x'], 'view.x'),
      y: expectNumber(view['y'], 'view.y'),
      zoom: expectNumber(view['zoom'], 'view.zoom'),
    };
  }
  return structuredClone(parsed);
}

function refuseReservedId(kind: 'node' | 'link' | 'group', id: string, path: string): void {
  if (isReservedId(id)) throw new GraphFormatError(path, reservedIdMessage(kind, id), 'reserved_id');
}

/** Whether a value looks like a piagraph document (by its format marker; not a full check). */
export function isGraphDocument(json: unknown): boolean {
  return isPlainObject(json) && json['format'] === 'piagraph';
}
