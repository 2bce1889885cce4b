import { comboOptions, inputEntries } from './node-inputs.js';
import type { AnyNodeDefinition, InputSpec, OutputSpec } from './types/node-def.js';

/** One input in `object_info`: `[TYPE]`, `[TYPE, options]`, or a V1 combo `[[...choices], options]`. */
export type ObjectInfoInput = [string | string[]] | [string | string[], Record<string, unknown>];

/** A node class as ComfyUI's `GET /object_info` describes it (§2.4 of the API notes). */
export interface ObjectInfoNode {
  input: { required: Record<string, ObjectInfoInput>; optional?: Record<string, ObjectInfoInput> };
  input_order: { required: string[]; optional?: string[] };
  output: string[];
  output_is_list: boolean[];
  output_name: string[];
  output_tooltips: string[];
  name: string;
  display_name: string;
  description: string;
  python_module: string;
  category: string;
  output_node: boolean;
}

/** `GET /object_info`: every node class by name. */
export type ObjectInfo = Record<string, ObjectInfoNode>;

/** The options object of an input: every field of the spec except `type` (and a combo's `options`). */
function inputOptions(spec: InputSpec): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'type' || (spec.type === 'COMBO' && key === 'options') || value === undefined) continue;
    options[key] = value;
  }
  return options;
}

/** The `object_info` form of one input spec (also ComfyUI's `input_config` in validation errors). */
export function inputInfo(spec: InputSpec): ObjectInfoInput {
  const type: string | string[] =
    spec.type === 'COMBO' && 'options' in spec ? [...comboOptions(spec)] : spec.type;
  const options = inputOptions(spec);
  return Object.keys(options).length > 0 ? [type, options] : [type];
}

/** The `object_info` entry of one definition; combo option functions are called now. */
export function toObjectInfo(def: AnyNodeDefinition, pythonModule: string): ObjectInfoNode {
  const required: Record<string, ObjectInfoInput> = {};
  const optional: Record<string, ObjectInfoInput> = {};
  const order: { required: string[]; optional?: string[] } = { required: [] };
  for (const entry of inputEntries(def)) {
    if (entry.required) {
      required[entry.name] = inputInfo(entry.spec);
      order.required.push(entry.name);
    } else {
      optional[entry.name] = inputInfo(entry.spec);
      (order.optional ??= []).push(entry.name);
    }
  }
  const outputs: readonly OutputSpec[] = def.outputs;
  return {
    input: order.optional ? { required, optional } : { required },
    input_order: order,
    output: outputs.map((output) => output.type),
    output_is_list: outputs.map(() => false),
    output_name: outputs.map((output) => output.name ?? output.type),
    output_tooltips: outputs.map((output) => output.tooltip ?? ''),
    name: def.classType,
    display_name: def.displayName ?? def.classType,
    description: def.description ?? '',
    python_module: pythonModule,
    category: def.category,
    output_node: def.outputNode === true,
  };
}
