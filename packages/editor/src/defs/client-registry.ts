import { NodeRegistry, type AnyNodeDefinition, type InputSpec } from '@piagraph/graph-core';
import type { NodeSchema } from './object-info.js';

/**
 * The client's view of node classes as a graph-core `NodeRegistry`, so that graph-core's edit operations and
 * format converters (which read definitions for defaults, socket types and widget order) work in the browser.
 * Nodes run on the server only: the `run` of these definitions reports that instead of pretending to run.
 */
export function registryFromSchemas(schemas: Iterable<NodeSchema>): NodeRegistry {
  const registry = new NodeRegistry({ defaultPack: 'server' });
  const defs: AnyNodeDefinition[] = [];
  for (const schema of schemas) {
    const required: Record<string, InputSpec> = {};
    const optional: Record<string, InputSpec> = {};
    for (const input of schema.inputs) (input.required ? required : optional)[input.name] = input.spec;
    defs.push({
      classType: schema.classType,
      displayName: schema.displayName,
      category: schema.category,
      description: schema.description,
      inputs: { required, optional },
      outputs: schema.outputs,
      outputNode: schema.outputNode,
      run() {
        throw new Error(`${schema.classType} runs on the server; the editor only knows its definition`);
      },
    });
  }
  defs.push(...FRONTEND_CLASSES);
  return registry.register(...defs);
}

/**
 * Classes only the editor draws, never executed (ComfyUI's frontend-only nodes): a reroute passes one link through
 * (graph-core splices it out when it builds the prompt), a note holds text. Registered here so that graph-core's
 * edits (`addNode`, `connect`) accept them.
 */
const FRONTEND_CLASSES: AnyNodeDefinition[] = [
  {
    classType: 'Reroute',
    displayName: 'Reroute',
    category: 'utils',
    description: 'Passes one link through, to route wires.',
    inputs: { required: { input: { type: '*' } } },
    outputs: [{ type: '*', name: '' }],
    run() {
      throw new Error('Reroute is resolved by the editor and graph-core, never run');
    },
  },
  {
    classType: 'Note',
    displayName: 'Note',
    category: 'utils',
    description: 'A text note on the canvas.',
    inputs: { required: { text: { type: 'STRING', multiline: true, default: '' } } },
    outputs: [],
    run() {
      throw new Error('Note is never run');
    },
  },
];

/** Whether a class is one of the editor's own (reroute, note). */
export function isFrontendClass(classType: string): boolean {
  return FRONTEND_CLASSES.some((d) => d.classType === classType);
}
