import type { InputSpec, OutputSpec, WidgetType } from '@piagraph/graph-core';

/** One input of a node as the editor draws it: a widget, a socket, or a widget that a link may replace. */
export interface InputSchema {
  name: string;
  spec: InputSpec;
  required: boolean;
  /** The input has a literal value edited in a widget (it may still be linked). */
  widget: boolean;
}

/** What the editor knows about a node class: everything in `object_info` except what only the server uses. */
export interface NodeSchema {
  classType: string;
  displayName: string;
  category: string;
  description: string;
  outputNode: boolean;
  inputs: InputSchema[];
  outputs: Required<Pick<OutputSpec, 'type' | 'name'>>[];
}

/** Node schemas by class type, in the order the server listed them. */
export type SchemaMap = ReadonlyMap<string, NodeSchema>;

type RawSpec = [unknown, Record<string, unknown>?] | [unknown];

interface RawNodeInfo {
  input?: { required?: Record<string, RawSpec>; optional?: Record<string, RawSpec> };
  input_order?: { required?: string[]; optional?: string[] };
  output?: unknown[];
  output_name?: unknown[];
  output_tooltips?: unknown[];
  name?: string;
  display_name?: string;
  description?: string;
  category?: string;
  output_node?: boolean;
}

const WIDGET_TYPES: ReadonlySet<string> = new Set<WidgetType>(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

/** Whether a type name holds a literal value edited in a widget. */
export function isWidgetType(type: string): type is WidgetType {
  return WIDGET_TYPES.has(type);
}

/**
 * Turns one raw `[TYPE, options]` pair into graph-core's `InputSpec`. V1 combos carry their options as the type
 * (`[["a", "b"], {...}]`), V2 combos as `["COMBO", { options }]`.
 */
export function parseInputSpec(raw: RawSpec): InputSpec {
  const [type, options = {}] = raw;
  if (Array.isArray(type)) {
    return { ...options, type: 'COMBO', options: type.map(String) } as InputSpec;
  }
  if (type === 'COMBO') {
    const list = Array.isArray(options.options) ? options.options.map(String) : [];
    return { ...options, type: 'COMBO', options: list } as InputSpec;
  }
  return { ...options, type: String(type) } as InputSpec;
}

function parseInputs(info: RawNodeInfo): InputSchema[] {
  const inputs: InputSchema[] = [];
  for (const group of ['required', 'optional'] as const) {
    const specs = info.input?.[group] ?? {};
    const order = info.input_order?.[group] ?? Object.keys(specs);
    for (const name of order) {
      const raw = specs[name];
      if (!raw) continue;
      const spec = parseInputSpec(raw);
      inputs.push({ name, spec, required: group === 'required', widget: isWidgetType(spec.type) && !spec.forceInput });
    }
  }
  return inputs;
}

function parseNode(classType: string, info: RawNodeInfo): NodeSchema {
  const types = (info.output ?? []).map((t) => (Array.isArray(t) ? 'COMBO' : String(t)));
  return {
    classType,
    displayName: info.display_name || info.name || classType,
    category: info.category ?? '',
    description: info.description ?? '',
    outputNode: Boolean(info.output_node),
    inputs: parseInputs(info),
    outputs: types.map((type, i) => ({ type, name: String(info.output_name?.[i] ?? type) })),
  };
}

/** Converts the server's `GET /object_info` JSON into the schemas the editor renders nodes from. */
export function parseObjectInfo(json: unknown): Map<string, NodeSchema> {
  const schemas = new Map<string, NodeSchema>();
  if (!json || typeof json !== 'object') return schemas;
  for (const [classType, info] of Object.entries(json as Record<string, RawNodeInfo>)) {
    if (info && typeof info === 'object') schemas.set(classType, parseNode(classType, info));
  }
  return schemas;
}

/** A combo's option list; a function-valued list (server side only) reads as empty. */
export function comboOptions(spec: InputSpec): readonly string[] {
  const options = (spec as { options?: unknown }).options;
  return Array.isArray(options) ? options.map(String) : [];
}

/** A tree of categories (`pia/sampling` → `pia` › `sampling`) for the palette and the context menu. */
export interface CategoryTree {
  name: string;
  path: string;
  children: CategoryTree[];
  nodes: NodeSchema[];
}

/** Groups schemas by their slash-separated category, children and nodes sorted by name. */
export function categoryTree(schemas: Iterable<NodeSchema>): CategoryTree {
  const root: CategoryTree = { name: '', path: '', children: [], nodes: [] };
  for (const schema of schemas) {
    let at = root;
    for (const part of schema.category.split('/').filter(Boolean)) {
      let child = at.children.find((c) => c.name === part);
      if (!child) {
        child = { name: part, path: at.path ? `${at.path}/${part}` : part, children: [], nodes: [] };
        at.children.push(child);
      }
      at = child;
    }
    at.nodes.push(schema);
  }
  const sort = (t: CategoryTree): void => {
    t.children.sort((a, b) => a.name.localeCompare(b.name));
    t.nodes.sort((a, b) => a.displayName.localeCompare(b.displayName));
    t.children.forEach(sort);
  };
  sort(root);
  return root;
}
