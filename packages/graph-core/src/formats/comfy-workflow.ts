import { GraphFormatError, UnknownNodeTypeError } from '../errors.js';
import { hasWidget, inputEntries, type InputEntry } from '../node-inputs.js';
import type { NodeRegistry } from '../node-registry.js';
import type { LiteralValue } from '../types/api-prompt.js';
import {
  GRAPH_DOCUMENT_VERSION,
  type DocGroup,
  type DocLink,
  type DocNode,
  type GraphDocument,
  type ModelRef,
  type NodeMode,
} from '../types/document.js';
import { at, expectArray, expectObject, isPlainObject, parseJsonInput } from './shape.js';

/** Litegraph node modes: 2 NEVER (muted) and 4 BYPASS; ALWAYS, ON_EVENT and ON_TRIGGER all execute. */
const LITEGRAPH_MODES: Record<number, NodeMode> = { 2: 'muted', 4: 'bypassed' };
/** Frontend-only nodes: resolved (Reroute, PrimitiveNode) or ignored (notes), never executed. */
const VIRTUAL_TYPES = new Set(['Reroute', 'PrimitiveNode', 'Note', 'MarkdownNote']);
/** Values of the hidden `control_after_generate` widget (the default graph stores `true`). */
const CONTROL_VALUES = new Set<unknown>(['fixed', 'increment', 'decrement', 'randomize', true, false]);
/** Seed inputs that old frontends gave a control widget by name alone. */
const SEED_NAMES = new Set(['seed', 'noise_seed']);

interface WfLink {
  id: string;
  origin: string;
  originSlot: number;
  type: string;
}

interface WfInput {
  name: string;
  link: string | null;
}

interface WfNode {
  id: string;
  type: string;
  raw: Record<string, unknown>;
  inputs: WfInput[];
  mode: NodeMode;
}

function idOf(value: unknown, path: string): string {
  if (typeof value === 'number' || (typeof value === 'string' && value !== '')) return String(value);
  throw new GraphFormatError(path, `expected a node or link id, got ${JSON.stringify(value) ?? 'nothing'}`);
}

/** A litegraph pair: `[x, y]`, or the `{ "0": x, "1": y }` some exports write. */
function pairOf(value: unknown): [number, number] | undefined {
  const pair = Array.isArray(value) ? value : isPlainObject(value) ? [value['0'], value['1']] : undefined;
  return pair && typeof pair[0] === 'number' && typeof pair[1] === 'number' ? [pair[0], pair[1]] : undefined;
}

/** Reads links of either version: 0.4 arrays `[id, origin, slot, target, slot, type]` or v1 objects. */
function parseLinks(raw: unknown): Map<string, WfLink> {
  const links = new Map<string, WfLink>();
  expectArray(raw ?? [], 'links').forEach((entry, index) => {
    const path = at('links', index);
    if (entry === null) return;
    const fields = Array.isArray(entry)
      ? { id: entry[0], origin: entry[1], slot: entry[2], type: entry[5] }
      : (() => {
          const link = expectObject(entry, path);
          return { id: link['id'], origin: link['origin_id'], slot: link['origin_slot'], type: link['type'] };
        })();
    if (!Number.isInteger(fields.slot)) throw new GraphFormatError(path, 'expected an integer origin slot');
    const id = idOf(fields.id, path);
    links.set(id, { id, origin: idOf(fields.origin, path), originSlot: fields.slot as number, type: String(fields.type ?? '*') });
  });
  return links;
}

function parseNode(raw: unknown, index: number): WfNode {
  const path = at('nodes', index);
  const node = expectObject(raw, path);
  if (typeof node['type'] !== 'string' || node['type'] === '') throw new GraphFormatError(at(path, 'type'), 'expected a node type name');
  const inputs = (Array.isArray(node['inputs']) ? node['inputs'] : []).map((input, slot) => {
    const entry = expectObject(input, at(at(path, 'inputs'), slot));
    const widget = isPlainObject(entry['widget']) && typeof entry['widget']['name'] === 'string' ? entry['widget']['name'] : undefined;
    const link = entry['link'] === null || entry['link'] === undefined ? null : idOf(entry['link'], at(at(at(path, 'inputs'), slot), 'link'));
    return { name: widget ?? String(entry['name'] ?? ''), link };
  });
  const mode = typeof node['mode'] === 'number' ? (LITEGRAPH_MODES[node['mode']] ?? 'active') : 'active';
  return { id: idOf(node['id'], at(path, 'id')), type: node['type'], raw: node, inputs, mode };
}

/** Wraps lists so they are never read as links. */
function literal(value: unknown): LiteralValue {
  if (Array.isArray(value)) return { __value__: value };
  if (value === undefined) return null;
  return value as LiteralValue;
}

/** Whether a hidden companion value follows this widget's value in `widgets_values`, and which one. */
function companionOf(entry: InputEntry): 'control' | 'seed-name' | 'upload' | undefined {
  if (!hasWidget(entry.spec)) return undefined;
  const spec = entry.spec;
  if (spec.type === 'INT' && spec.control_after_generate) return 'control';
  if (spec.type === 'INT' && SEED_NAMES.has(entry.name)) return 'seed-name';
  if (spec.type === 'COMBO' && spec.image_upload) return 'upload';
  return undefined;
}

/**
 * Maps `widgets_values` onto input names: positional over the widget inputs in `input_order`, skipping the hidden
 * companion after seed-like INT widgets and after upload combos (recognised by its value, or by there being more
 * values than widgets left); or by name when a pack stores a dict.
 */
function widgetValues(
  entries: readonly InputEntry[],
  raw: unknown,
): { values: Record<string, LiteralValue>; controls: Record<string, unknown> } {
  const values: Record<string, LiteralValue> = {};
  const controls: Record<string, unknown> = {};
  const widgets = entries.filter((entry) => hasWidget(entry.spec));
  if (isPlainObject(raw)) {
    for (const widget of widgets) if (widget.name in raw) values[widget.name] = literal(raw[widget.name]);
    return { values, controls };
  }
  if (!Array.isArray(raw)) return { values, controls };
  let next = 0;
  widgets.forEach((widget, index) => {
    if (next >= raw.length) return;
    values[widget.name] = literal(raw[next++]);
    const companion = companionOf(widget);
    if (!companion || next >= raw.length) return;
    const surplus = raw.length - next > widgets.length - index - 1;
    const candidate = raw[next];
    const recognised = companion === 'upload' ? candidate === 'image' : CONTROL_VALUES.has(candidate);
    if (recognised || (surplus && companion !== 'seed-name')) {
      if (companion !== 'upload') controls[widget.name] = candidate;
      next += 1;
    }
  });
  return { values, controls };
}

/**
 * Imports a ComfyUI UI workflow (litegraph version 0.4 with array links, or version 1 with object links) as a
 * graph document. Reroutes are followed to the real source, PrimitiveNode values are written into the inputs
 * they feed, notes are dropped, NEVER (2) nodes become muted and BYPASS (4) nodes bypassed. Unknown node types
 * are one `UnknownNodeTypeError` naming all of them; subgraphs are not supported yet and say so.
 */
export function importComfyWorkflow(json: unknown, registry: NodeRegistry): GraphDocument {
  const root = expectObject(parseJsonInput(json), '');
  const rawNodes = expectArray(root['nodes'], 'nodes');
  const links = parseLinks(root['links']);
  const nodes = new Map<string, WfNode>();
  rawNodes.forEach((raw, index) => {
    const node = parseNode(raw, index);
    nodes.set(node.id, node);
  });

  const definitions = root['definitions'];
  const subgraphs = new Set(
    isPlainObject(definitions) && Array.isArray(definitions['subgraphs'])
      ? definitions['subgraphs'].map((sg) => (isPlainObject(sg) ? String(sg['id']) : ''))
      : [],
  );
  const unknown: { nodeId: string; classType: string; title?: string }[] = [];
  for (const node of nodes.values()) {
    if (subgraphs.has(node.type)) {
      throw new GraphFormatError(`nodes[id=${node.id}]`, `node ${node.id} is a subgraph instance (${node.type}); subgraphs are not supported yet`, 'unsupported_subgraph');
    }
    if (!VIRTUAL_TYPES.has(node.type) && !registry.has(node.type) && node.mode !== 'muted') {
      const title = node.raw['title'];
      unknown.push({ nodeId: node.id, classType: node.type, ...(typeof title === 'string' ? { title } : {}) });
    }
  }
  if (unknown.length > 0) throw new UnknownNodeTypeError([...new Set(unknown.map((n) => n.classType))].sort(), unknown);

  /** Where a link's value really comes from: a node output, a primitive's value, or nowhere. */
  const resolve = (linkId: string): { node: string; output: number; type: string } | { value: LiteralValue } | undefined => {
    const seen = new Set<string>();
    let link = links.get(linkId);
    while (link && !seen.has(link.id)) {
      seen.add(link.id);
      const origin = nodes.get(link.origin);
      if (!origin) return undefined;
      if (origin.type === 'PrimitiveNode') {
        const values = origin.raw['widgets_values'];
        return Array.isArray(values) && values.length > 0 ? { value: literal(values[0]) } : undefined;
      }
      if (origin.type !== 'Reroute') return { node: origin.id, output: link.originSlot, type: link.type };
      const upstream = origin.inputs[0]?.link;
      link = upstream ? links.get(upstream) : undefined;
    }
    return undefined;
  };

  const docNodes: Record<string, DocNode> = {};
  const docLinks: Record<string, DocLink> = {};
  for (const node of nodes.values()) {
    if (VIRTUAL_TYPES.has(node.type)) continue;
    const def = registry.get(node.type);
    const { values, controls } = def ? widgetValues(inputEntries(def), node.raw['widgets_values']) : { values: {}, controls: {} };
    for (const input of node.inputs) {
      if (input.link === null || input.name === '') continue;
      const source = resolve(input.link);
      if (!source) continue;
      if ('value' in source) {
        values[input.name] = source.value;
        continue;
      }
      docLinks[input.link] = {
        id: input.link,
        source: { node: source.node, output: source.output },
        target: { node: node.id, input: input.name },
        type: source.type,
      };
    }
    const pos = pairOf(node.raw['pos']) ?? [0, 0];
    const docNode: DocNode = { id: node.id, classType: node.type, position: { x: pos[0], y: pos[1] }, values };
    const size = pairOf(node.raw['size']);
    if (size) docNode.size = { width: size[0], height: size[1] };
    if (typeof node.raw['title'] === 'string') docNode.title = node.raw['title'];
    if (node.mode !== 'active') docNode.mode = node.mode;
    const ui = editorExtras(node.raw, controls);
    if (ui) docNode.ui = ui;
    docNodes[node.id] = docNode;
  }

  const doc: GraphDocument = {
    format: 'piagraph',
    version: GRAPH_DOCUMENT_VERSION,
    metadata: workflowMetadata(root),
    nodes: docNodes,
    links: docLinks,
  };
  const groups = workflowGroups(root['groups']);
  if (groups) doc.groups = groups;
  const ds = isPlainObject(root['extra']) ? root['extra']['ds'] : undefined;
  if (isPlainObject(ds)) {
    const offset = pairOf(ds['offset']);
    if (offset && typeof ds['scale'] === 'number') doc.view = { x: offset[0], y: offset[1], zoom: ds['scale'] };
  }
  return doc;
}

/** Colours, collapsed state and seed-control choices the editor may want back; never read by execution. */
function editorExtras(raw: Record<string, unknown>, controls: Record<string, unknown>): Record<string, unknown> | undefined {
  const ui: Record<string, unknown> = {};
  if (typeof raw['color'] === 'string') ui['color'] = raw['color'];
  if (typeof raw['bgcolor'] === 'string') ui['bgcolor'] = raw['bgcolor'];
  if (isPlainObject(raw['flags']) && raw['flags']['collapsed'] === true) ui['collapsed'] = true;
  if (Object.keys(controls).length > 0) ui['controlAfterGenerate'] = controls;
  return Object.keys(ui).length > 0 ? ui : undefined;
}

function workflowMetadata(root: Record<string, unknown>): GraphDocument['metadata'] {
  const metadata: GraphDocument['metadata'] = { importedFrom: `comfyui-workflow ${String(root['version'] ?? '')}`.trim() };
  if (Array.isArray(root['models'])) {
    const models: ModelRef[] = [];
    for (const model of root['models']) {
      if (!isPlainObject(model) || typeof model['name'] !== 'string') continue;
      const ref: ModelRef = { name: model['name'], folder: typeof model['directory'] === 'string' ? model['directory'] : '' };
      if (typeof model['url'] === 'string') ref.url = model['url'];
      models.push(ref);
    }
    if (models.length > 0) metadata.models = models;
  }
  return metadata;
}

function workflowGroups(raw: unknown): Record<string, DocGroup> | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const groups: Record<string, DocGroup> = {};
  raw.forEach((entry, index) => {
    if (!isPlainObject(entry)) return;
    const b = Array.isArray(entry['bounding']) ? entry['bounding'] : [];
    const id = entry['id'] === undefined ? String(index + 1) : String(entry['id']);
    const group: DocGroup = {
      id,
      title: typeof entry['title'] === 'string' ? entry['title'] : 'Group',
      bounds: { x: Number(b[0] ?? 0), y: Number(b[1] ?? 0), width: Number(b[2] ?? 0), height: Number(b[3] ?? 0) },
    };
    if (typeof entry['color'] === 'string') group.color = entry['color'];
    groups[id] = group;
  });
  return groups;
}
