import type { DocNode, LiteralValue } from '@piagraph/graph-core';
import { defaultValue, type NodeSchema } from '../defs/object-info.js';

/** A new document node of `schema`'s class at `position`, every widget at its default. */
export function createDocNode(schema: NodeSchema, id: string, position: { x: number; y: number }): DocNode {
  const values: Record<string, LiteralValue> = {};
  for (const input of schema.inputs) {
    if (input.widget) values[input.name] = defaultValue(input.spec);
  }
  return { id, classType: schema.classType, position: { x: Math.round(position.x), y: Math.round(position.y) }, values };
}
