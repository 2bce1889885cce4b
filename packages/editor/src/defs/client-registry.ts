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
  return registry.register(...defs);
}
