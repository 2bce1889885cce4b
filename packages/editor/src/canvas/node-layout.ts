/**
 * Where everything sits inside a node, computed from its schema rather than measured from the DOM: the node card
 * renders its rows at these offsets, and wires, culling and hit tests use the same numbers without a layout read.
 * Pure. Rows follow ComfyUI's order: slot rows first (socket-only inputs on the left, outputs on the right, side by
 * side), then one row per widget input, each with its own socket so a link can replace the widget.
 */
import type { DocLink } from '@piagraph/graph-core';
import type { InputSchema, NodeSchema } from '../defs/object-info.js';

export const TITLE_HEIGHT = 30;
export const ROW_HEIGHT = 24;
/** Space between the title and the first row, and below the last row. */
export const BODY_PADDING = 4;
export const DEFAULT_WIDTH = 260;
export const OUTPUT_NODE_WIDTH = 300;
export const MIN_WIDTH = 140;
export const COLLAPSED_WIDTH = 180;
/** Fixed heights of the taller widgets (their boxes never grow, so sockets below them never move). */
export const MULTILINE_HEIGHT = 88;
export const SEED_HEIGHT = 2 * ROW_HEIGHT;
export const THUMBNAIL_HEIGHT = 140;
export const UPLOAD_HEIGHT = ROW_HEIGHT + 26 + THUMBNAIL_HEIGHT;

/** Frontend-only classes: never executed, drawn by the editor itself. */
export const REROUTE = 'Reroute';
export const NOTE = 'Note';
export const REROUTE_SIZE = { width: 76, height: 26 };
export const NOTE_DEFAULT_SIZE = { width: 300, height: 140 };

/** One row of a node's body. */
export type LayoutRow =
  | { kind: 'slots'; top: number; input?: string; inputType?: string; output?: number }
  | { kind: 'widget'; top: number; height: number; input: InputSchema; linked: boolean };

/** A node's geometry, relative to its top-left corner. */
export interface NodeLayout {
  width: number;
  /** Height of the title and rows (at least the user's size); run results below add to the drawn height. */
  height: number;
  /** Height of the rows' box below the title (padding included). */
  rowsHeight: number;
  collapsed: boolean;
  rows: LayoutRow[];
  /** Socket centre y by input name. */
  inputs: Record<string, number>;
  /** Socket centre y by output index. */
  outputs: number[];
  /** Socket types by input name and output index (a class without a schema takes its links' types). */
  inputTypes: Record<string, string>;
  outputTypes: string[];
}

/** What the layout reads of a document node. */
export interface LayoutNode {
  id: string;
  classType: string;
  size?: { width: number; height: number };
  ui?: Record<string, unknown>;
}

/** The height of a widget input's row. */
export function widgetHeight(input: InputSchema, linked: boolean): number {
  if (linked) return ROW_HEIGHT;
  const spec = input.spec as { type: string; multiline?: boolean; control_after_generate?: boolean; image_upload?: boolean };
  if (spec.type === 'STRING' && spec.multiline) return MULTILINE_HEIGHT;
  if (spec.type === 'INT' && spec.control_after_generate) return SEED_HEIGHT;
  if (spec.image_upload) return UPLOAD_HEIGHT;
  return ROW_HEIGHT;
}

/** The inputs and outputs of a class the server does not know, from the links that use them. */
function portsFromLinks(nodeId: string, links: Iterable<DocLink>): { inputs: InputSchema[]; outputs: { type: string; name: string }[] } {
  const inputs: InputSchema[] = [];
  const outputs: { type: string; name: string }[] = [];
  for (const link of links) {
    if (link.target.node === nodeId && !inputs.some((i) => i.name === link.target.input)) {
      inputs.push({ name: link.target.input, spec: { type: link.type } as InputSchema['spec'], required: true, widget: false });
    }
    if (link.source.node === nodeId) outputs[link.source.output] ??= { type: link.type, name: link.type };
  }
  for (let i = 0; i < outputs.length; i++) outputs[i] ??= { type: '*', name: '*' };
  return { inputs, outputs };
}

/** Whether the node is drawn collapsed (title only). */
export function isCollapsed(node: LayoutNode): boolean {
  return node.ui?.['collapsed'] === true;
}

/**
 * Lays out one node: its rows, socket positions and size. `linked` names the inputs a link feeds (their widgets
 * give way to the input's name); `links` is only read for a class without a schema.
 */
export function layoutNode(node: LayoutNode, schema: NodeSchema | undefined, linked: ReadonlySet<string>, links: Iterable<DocLink> = []): NodeLayout {
  if (node.classType === REROUTE) return rerouteLayout(node);
  if (node.classType === NOTE) return noteLayout(node);
  const ports = schema ? { inputs: schema.inputs, outputs: schema.outputs } : portsFromLinks(node.id, links);
  const slotInputs = ports.inputs.filter((i) => !i.widget);
  const widgetInputs = ports.inputs.filter((i) => i.widget);
  const collapsed = isCollapsed(node);
  const baseWidth = node.size?.width ?? (schema?.outputNode ? OUTPUT_NODE_WIDTH : DEFAULT_WIDTH);
  const width = collapsed ? Math.min(COLLAPSED_WIDTH, baseWidth) : Math.max(MIN_WIDTH, baseWidth);
  const inputTypes: Record<string, string> = {};
  for (const input of ports.inputs) inputTypes[input.name] = input.spec.type;
  const outputTypes = ports.outputs.map((o) => o.type);

  const rows: LayoutRow[] = [];
  const inputs: Record<string, number> = {};
  const outputs: number[] = [];
  if (collapsed) {
    const mid = TITLE_HEIGHT / 2;
    for (const input of ports.inputs) inputs[input.name] = mid;
    ports.outputs.forEach((_o, i) => (outputs[i] = mid));
    return { width, height: TITLE_HEIGHT, rowsHeight: 0, collapsed, rows, inputs, outputs, inputTypes, outputTypes };
  }
  let y = TITLE_HEIGHT + BODY_PADDING;
  const slotRows = Math.max(slotInputs.length, ports.outputs.length);
  for (let r = 0; r < slotRows; r++) {
    const input = slotInputs[r];
    const row: LayoutRow = { kind: 'slots', top: y };
    if (input) {
      row.input = input.name;
      row.inputType = input.spec.type;
      inputs[input.name] = y + ROW_HEIGHT / 2;
    }
    if (r < ports.outputs.length) {
      row.output = r;
      outputs[r] = y + ROW_HEIGHT / 2;
    }
    rows.push(row);
    y += ROW_HEIGHT;
  }
  for (const input of widgetInputs) {
    const isLinked = linked.has(input.name);
    const height = widgetHeight(input, isLinked);
    rows.push({ kind: 'widget', top: y, height, input, linked: isLinked });
    inputs[input.name] = y + ROW_HEIGHT / 2;
    y += height;
  }
  const height = Math.max(y + BODY_PADDING, node.size?.height ?? 0);
  return { width, height, rowsHeight: y + BODY_PADDING - TITLE_HEIGHT, collapsed, rows, inputs, outputs, inputTypes, outputTypes };
}

/** A reroute: a small pill with one input and one output of any type, both at its middle. */
function rerouteLayout(node: LayoutNode): NodeLayout {
  const mid = REROUTE_SIZE.height / 2;
  return {
    width: REROUTE_SIZE.width,
    height: REROUTE_SIZE.height,
    rowsHeight: 0,
    collapsed: false,
    rows: [],
    inputs: { input: mid },
    outputs: [mid],
    inputTypes: { input: '*' },
    outputTypes: ['*'],
  };
}

/** A note: a title and a text box, no sockets. */
function noteLayout(node: LayoutNode): NodeLayout {
  const collapsed = isCollapsed(node);
  const width = node.size?.width ?? NOTE_DEFAULT_SIZE.width;
  const height = collapsed ? TITLE_HEIGHT : Math.max(TITLE_HEIGHT + 40, node.size?.height ?? NOTE_DEFAULT_SIZE.height);
  return { width: collapsed ? Math.min(COLLAPSED_WIDTH, width) : width, height, rowsHeight: height - TITLE_HEIGHT, collapsed, rows: [], inputs: {}, outputs: [], inputTypes: {}, outputTypes: [] };
}
