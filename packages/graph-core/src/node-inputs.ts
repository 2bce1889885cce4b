import type { LinkRef } from './types/api-prompt.js';
import type { AnyNodeDefinition, ComboInputSpec, InputsDecl, InputSpec, WidgetInputSpec } from './types/node-def.js';
import type { WidgetType } from './types/socket-types.js';

/** The types whose inputs hold a literal value (and show a widget unless `forceInput`). */
export const WIDGET_TYPES: ReadonlySet<string> = new Set<WidgetType>(['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'COMBO']);

/** One declared input, in ComfyUI's `input_order` (required first, then optional, each in declaration order). */
export interface InputEntry {
  name: string;
  spec: InputSpec;
  required: boolean;
}

const entryCache = new WeakMap<AnyNodeDefinition, InputEntry[]>();

/** The declared inputs of a definition in `input_order`; memoized per definition. */
export function inputEntries(def: AnyNodeDefinition): readonly InputEntry[] {
  let entries = entryCache.get(def);
  if (!entries) {
    entries = [];
    const inputs: InputsDecl = def.inputs;
    for (const [name, spec] of Object.entries(inputs.required ?? {})) entries.push({ name, spec, required: true });
    for (const [name, spec] of Object.entries(inputs.optional ?? {})) entries.push({ name, spec, required: false });
    entryCache.set(def, entries);
  }
  return entries;
}

/** The declared input `name` of a definition, if any. */
export function findInput(def: AnyNodeDefinition, name: string): InputEntry | undefined {
  return inputEntries(def).find((entry) => entry.name === name);
}

/** Whether a spec holds a literal value (INT, FLOAT, STRING, BOOLEAN, COMBO). */
export function isWidgetSpec(spec: InputSpec): spec is WidgetInputSpec {
  return WIDGET_TYPES.has(spec.type);
}

/** Whether a spec shows a widget in the editor (and so a slot in ComfyUI's `widgets_values`). */
export function hasWidget(spec: InputSpec): spec is WidgetInputSpec {
  return isWidgetSpec(spec) && spec.forceInput !== true;
}

/** A combo's options, calling the function form. */
export function comboOptions(spec: ComboInputSpec): readonly string[] {
  return typeof spec.options === 'function' ? spec.options() : spec.options;
}

/**
 * Whether an API prompt input value is a link: a two-item array of a string node id and a whole-number output
 * index (ComfyUI `is_link`; literal arrays travel wrapped as `{ __value__ }`).
 */
export function isLinkValue(value: unknown): value is LinkRef {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && Number.isInteger(value[1])
  );
}
