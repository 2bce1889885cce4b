import type { DocLink, DocNode, GraphDocument, LiteralValue, NodeMode } from '@piagraph/graph-core';
import { isWidgetType, type NodeSchema, type SchemaMap } from '../defs/object-info.js';
import { emptyDocument } from './edits.js';

/**
 * Reading graphs in the three shapes users bring: piagraph documents, ComfyUI UI workflows and API prompts.
 *
 * graph-core's `parseGraphDocument`, `importComfyWorkflow` and `promptToDocument` are not exported yet; these
 * adapters read the same formats with the editor's schemas (from `object_info`) and are to give way to them.
 */

/** Thrown when a file holds nothing the editor can open. */
export class UnsupportedGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedGraphError';
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

/** Whether JSON is a piagraph graph document. */
export function isGraphDocument(json: unknown): json is GraphDocument {
  return isObject(json) && json.format === 'piagraph' && isObject(json.nodes) && isObject(json.links);
}

/** Whether JSON is a ComfyUI UI workflow (litegraph 0.4 or 1). */
export function isComfyWorkflow(json: unknown): boolean {
  return isObject(json) && Array.isArray(json.nodes) && (Array.isArray(json.links) || json.links === undefined);
}

/** Whether JSON is a ComfyUI API prompt. */
export function isApiPrompt(json: unknown): boolean {
  if (!isObject(json)) return false;
  const values = Object.values(json);
  return values.length > 0 && values.every((v) => isObject(v) && typeof v.class_type === 'string');
}

const MODES: Record<number, NodeMode | undefined> = { 2: 'muted', 4: 'bypassed' };

/**
 * Maps a litegraph node's positional `widgets_values` onto input names: widgets are the widget-capable inputs in
 * schema order, a seed with `control_after_generate` is followed by its control value, an `image_upload` combo
 * by the upload button's value.
 */
export function widgetValuesByName(schema: NodeSchema, values: unknown): { values: Record<string, LiteralValue>; seedControl: Record<string, string> } {
  const out: Record<string, LiteralValue> = {};
  const seedControl: Record<string, string> = {};
  if (isObject(values)) {
    for (const input of schema.inputs) if (input.name in values) out[input.name] = values[input.name] as LiteralValue;
    return { values: out, seedControl };
  }
  if (!Array.isArray(values)) return { values: out, seedControl };
  let i = 0;
  for (const input of schema.inputs) {
    if (!isWidgetType(input.spec.type)) continue;
    if (i >= values.length) break;
    out[input.name] = values[i++] as LiteralValue;
    const spec = input.spec as { control_after_generate?: boolean; image_upload?: boolean };
    if (spec.control_after_generate && typeof values[i] === 'string') seedControl[input.name] = String(values[i++]);
    else if (spec.control_after_generate && typeof values[i] === 'boolean') i++;
    if (spec.image_upload && values[i] === 'image') i++;
  }
  return { values: out, seedControl };
}

interface LgNode {
  id: number | string;
  type: string;
  pos?: [number, number] | { 0: number; 1: number };
  title?: string;
  mode?: number;
  widgets_values?: unknown;
  inputs?: { name: string; link: number | null }[];
}

/** Imports a ComfyUI UI workflow; links are matched to inputs by name, outputs by slot index. */
export function importComfyWorkflow(json: unknown, schemas: SchemaMap): GraphDocument {
  if (!isComfyWorkflow(json)) throw new UnsupportedGraphError('not a ComfyUI workflow');
  const wf = json as { nodes: LgNode[]; links?: unknown[] };
  const doc = emptyDocument('Imported workflow');
  const inputByLink = new Map<number, { node: string; input: string }>();
  for (const n of wf.nodes) {
    const id = String(n.id);
    const schema = schemas.get(n.type);
    const pos = n.pos ? { x: Number(n.pos[0]), y: Number(n.pos[1]) } : { x: 0, y: 0 };
    const node: DocNode = { id, classType: n.type, position: pos, values: {} };
    if (schema) {
      const { values, seedControl } = widgetValuesByName(schema, n.widgets_values);
      node.values = values;
      if (Object.keys(seedControl).length) node.ui = { seedControl };
      if (n.title && n.title !== schema.displayName) node.title = n.title;
    } else if (n.title) node.title = n.title;
    const mode = MODES[n.mode ?? 0];
    if (mode) node.mode = mode;
    doc.nodes[id] = node;
    for (const input of n.inputs ?? []) if (input.link != null) inputByLink.set(input.link, { node: id, input: input.name });
  }
  for (const raw of wf.links ?? []) {
    const l = Array.isArray(raw)
      ? { id: raw[0], origin_id: raw[1], origin_slot: raw[2], target_id: raw[3], type: raw[5] }
      : (raw as { id: number; origin_id: number; origin_slot: number; target_id: number; type: string });
    const target = inputByLink.get(Number(l.id));
    if (!target || String(l.target_id) !== target.node || !doc.nodes[String(l.origin_id)]) continue;
    const link: DocLink = {
      id: String(l.id),
      source: { node: String(l.origin_id), output: Number(l.origin_slot) },
      target,
      type: String(l.type ?? '*'),
    };
    doc.links[link.id] = link;
  }
  return doc;
}

/** Imports an API prompt. It has no layout, so nodes are placed in a row for the caller to arrange. */
export function promptToDocument(json: unknown, schemas: SchemaMap): GraphDocument {
  if (!isApiPrompt(json)) throw new UnsupportedGraphError('not an API prompt');
  const doc = emptyDocument('Imported prompt');
  let x = 0;
  let linkId = 1;
  for (const [id, raw] of Object.entries(json as Record<string, { class_type: string; inputs?: Json; _meta?: { title?: string } }>)) {
    const node: DocNode = { id, classType: raw.class_type, position: { x, y: 0 }, values: {} };
    if (raw._meta?.title) node.title = raw._meta.title;
    x += 320;
    for (const [name, value] of Object.entries(raw.inputs ?? {})) {
      if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number') {
        const sourceClass = (json as Json)[value[0]] as { class_type?: string } | undefined;
        const type = schemas.get(sourceClass?.class_type ?? '')?.outputs[value[1]]?.type ?? '*';
        const link: DocLink = { id: String(linkId++), source: { node: value[0], output: value[1] }, target: { node: id, input: name }, type };
        doc.links[link.id] = link;
      } else {
        node.values[name] = value as LiteralValue;
      }
    }
    doc.nodes[id] = node;
  }
  return doc;
}

/** Reads any supported graph JSON into a document; `laidOut` is false when positions must be arranged. */
export function documentFromJson(json: unknown, schemas: SchemaMap): { doc: GraphDocument; laidOut: boolean } {
  if (isGraphDocument(json)) return { doc: json, laidOut: true };
  if (isComfyWorkflow(json)) return { doc: importComfyWorkflow(json, schemas), laidOut: true };
  if (isApiPrompt(json)) return { doc: promptToDocument(json, schemas), laidOut: false };
  throw new UnsupportedGraphError('the file holds no piagraph document, ComfyUI workflow or API prompt');
}
