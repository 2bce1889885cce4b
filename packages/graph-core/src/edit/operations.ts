import { applyPatches, enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import { ConnectionError, GraphEditError } from '../errors.js';
import { walkUpstream } from '../graph-walk.js';
import { comboOptions, findInput, hasWidget, inputEntries } from '../node-inputs.js';
import type { NodeRegistry } from '../node-registry.js';
import { areTypesCompatible } from '../socket-registry.js';
import type { LiteralValue } from '../types/api-prompt.js';
import type { DocNode, GraphDocument, NodeMode } from '../types/document.js';
import type { AnyNodeDefinition } from '../types/node-def.js';

enablePatches();

export { applyPatches, type Patch };

/** A new document and the patches that lead to it and back (for undo, persistence and sync). */
export interface EditResult {
  doc: GraphDocument;
  patches: Patch[];
  inversePatches: Patch[];
}

function edit(doc: GraphDocument, recipe: (draft: Draft<GraphDocument>) => void): EditResult {
  const [next, patches, inversePatches] = produceWithPatches(doc, recipe);
  return { doc: next, patches, inversePatches };
}

function requireNode(doc: GraphDocument, nodeId: string): DocNode {
  const node = doc.nodes[nodeId];
  if (!node) throw new GraphEditError('unknown_node', `node "${nodeId}" does not exist`, { nodeId });
  return node;
}

/** The smallest unused positive integer id above every numeric id in use (ComfyUI-friendly ids). */
function nextId(records: Record<string, unknown>): string {
  let max = 0;
  for (const id of Object.keys(records)) {
    const n = Number(id);
    if (Number.isInteger(n) && n > max) max = n;
  }
  return String(max + 1);
}

/** The value each widget input starts with: its default, else the lowest allowed number, `''`, false or the first option. */
export function defaultValues(def: AnyNodeDefinition): Record<string, LiteralValue> {
  const values: Record<string, LiteralValue> = {};
  for (const { name, spec } of inputEntries(def)) {
    if (!hasWidget(spec)) continue;
    if (spec.default !== undefined) {
      values[name] = spec.default;
      continue;
    }
    switch (spec.type) {
      case 'INT':
      case 'FLOAT':
        values[name] = Math.min(Math.max(0, spec.min ?? -Infinity), spec.max ?? Infinity);
        break;
      case 'STRING':
        values[name] = '';
        break;
      case 'BOOLEAN':
        values[name] = false;
        break;
      case 'COMBO': {
        const first = comboOptions(spec)[0];
        if (first !== undefined) values[name] = first;
        break;
      }
    }
  }
  return values;
}

/** A node to add; `id` defaults to the next free numeric id. */
export interface NewNode extends Omit<DocNode, 'id' | 'values'> {
  id?: string;
  values?: Record<string, LiteralValue>;
}

/**
 * Adds a node. With a registry, its class must be known and unset widget values start at their defaults.
 * Returns the new node's id too.
 */
export function addNode(doc: GraphDocument, node: NewNode, registry?: NodeRegistry): EditResult & { nodeId: string } {
  const nodeId = node.id ?? nextId(doc.nodes);
  if (doc.nodes[nodeId]) throw new GraphEditError('duplicate_node', `node "${nodeId}" already exists`, { nodeId });
  let defaults: Record<string, LiteralValue> = {};
  if (registry) {
    const def = registry.get(node.classType);
    if (!def) throw new GraphEditError('unknown_class', `node class "${node.classType}" is not registered`, { classType: node.classType });
    defaults = defaultValues(def);
  }
  const result = edit(doc, (draft) => {
    draft.nodes[nodeId] = { ...structuredClone(node), id: nodeId, values: { ...defaults, ...structuredClone(node.values ?? {}) } };
  });
  return { ...result, nodeId };
}

/** Removes nodes and every link to or from them. */
export function removeNode(doc: GraphDocument, nodeIds: string | readonly string[]): EditResult {
  const ids = new Set(typeof nodeIds === 'string' ? [nodeIds] : nodeIds);
  for (const id of ids) requireNode(doc, id);
  return edit(doc, (draft) => {
    for (const id of ids) delete draft.nodes[id];
    for (const [linkId, link] of Object.entries(draft.links)) {
      if (ids.has(link.source.node) || ids.has(link.target.node)) delete draft.links[linkId];
    }
  });
}

/** The two ends of a link to make. */
export interface ConnectionRequest {
  source: { node: string; output: number };
  target: { node: string; input: string };
}

/**
 * Links an output to an input, replacing any link already feeding that input. Refuses, with a `ConnectionError`,
 * unknown nodes, outputs or inputs, a node linked to itself, types `areTypesCompatible` rejects, and links that
 * would close a cycle.
 */
export function connect(doc: GraphDocument, registry: NodeRegistry, request: ConnectionRequest): EditResult & { linkId: string } {
  const { source, target } = request;
  const sourceNode = doc.nodes[source.node];
  const targetNode = doc.nodes[target.node];
  for (const [end, node, id] of [['source', sourceNode, source.node], ['target', targetNode, target.node]] as const) {
    if (!node) throw new ConnectionError('unknown_node', `${end} node "${id}" does not exist`, { nodeId: id });
  }
  const sourceDef = registry.get(sourceNode!.classType);
  const targetDef = registry.get(targetNode!.classType);
  for (const [node, def] of [[sourceNode!, sourceDef], [targetNode!, targetDef]] as const) {
    if (!def) throw new ConnectionError('unknown_class', `node "${node.id}" has unknown class "${node.classType}"`, { nodeId: node.id });
  }
  const output = sourceDef!.outputs[source.output] as { type: string } | undefined;
  if (!output) {
    throw new ConnectionError('unknown_output', `node "${source.node}" (${sourceNode!.classType}) has no output ${source.output}`, {
      nodeId: source.node,
      output: source.output,
    });
  }
  const input = findInput(targetDef!, target.input);
  if (!input) {
    throw new ConnectionError('unknown_input', `node "${target.node}" (${targetNode!.classType}) has no input "${target.input}"`, {
      nodeId: target.node,
      input: target.input,
    });
  }
  if (source.node === target.node) {
    throw new ConnectionError('self_link', `node "${source.node}" cannot feed itself`, { nodeId: source.node });
  }
  if (!areTypesCompatible(output.type, input.spec.type)) {
    throw new ConnectionError(
      'incompatible_types',
      `cannot connect ${output.type} output ${source.output} of node "${source.node}" to ${input.spec.type} input "${target.input}" of node "${target.node}"`,
      { outputType: output.type, inputType: input.spec.type },
    );
  }
  const upstream = (id: string): string[] =>
    Object.values(doc.links)
      .filter((link) => link.target.node === id)
      .map((link) => link.source.node);
  if (walkUpstream([source.node], upstream).order.includes(target.node)) {
    throw new ConnectionError('cycle', `linking node "${source.node}" into node "${target.node}" would make a cycle`, {
      source: source.node,
      target: target.node,
    });
  }
  const linkId = nextId(doc.links);
  const result = edit(doc, (draft) => {
    for (const [id, link] of Object.entries(draft.links)) {
      if (link.target.node === target.node && link.target.input === target.input) delete draft.links[id];
    }
    draft.links[linkId] = { id: linkId, source: { ...source }, target: { ...target }, type: output.type };
  });
  return { ...result, linkId };
}

/** Removes a link. */
export function disconnect(doc: GraphDocument, linkId: string): EditResult {
  if (!doc.links[linkId]) throw new GraphEditError('unknown_link', `link "${linkId}" does not exist`, { linkId });
  return edit(doc, (draft) => {
    delete draft.links[linkId];
  });
}

/** Sets a widget value (kept even while the input is linked, as ComfyUI does). */
export function setValue(doc: GraphDocument, nodeId: string, input: string, value: LiteralValue): EditResult {
  requireNode(doc, nodeId);
  return edit(doc, (draft) => {
    draft.nodes[nodeId]!.values[input] = structuredClone(value);
  });
}

/** Moves nodes to new positions. */
export function moveNodes(doc: GraphDocument, positions: Readonly<Record<string, { x: number; y: number }>>): EditResult {
  for (const [id, position] of Object.entries(positions)) {
    requireNode(doc, id);
    if (!Number.isFinite(position.x) || !Number.isFinite(position.y)) {
      throw new GraphEditError('invalid_position', `position of node "${id}" must be finite numbers`, { nodeId: id });
    }
  }
  return edit(doc, (draft) => {
    for (const [id, position] of Object.entries(positions)) draft.nodes[id]!.position = { x: position.x, y: position.y };
  });
}

/** Sets a node's title; `undefined` or `''` goes back to the class's display name. */
export function setTitle(doc: GraphDocument, nodeId: string, title: string | undefined): EditResult {
  requireNode(doc, nodeId);
  return edit(doc, (draft) => {
    if (title === undefined || title === '') delete draft.nodes[nodeId]!.title;
    else draft.nodes[nodeId]!.title = title;
  });
}

/** Sets how nodes take part in execution; `'active'` is stored as the absence of a mode. */
export function setMode(doc: GraphDocument, nodeIds: string | readonly string[], mode: NodeMode): EditResult {
  const ids = typeof nodeIds === 'string' ? [nodeIds] : nodeIds;
  for (const id of ids) requireNode(doc, id);
  return edit(doc, (draft) => {
    for (const id of ids) {
      if (mode === 'active') delete draft.nodes[id]!.mode;
      else draft.nodes[id]!.mode = mode;
    }
  });
}
