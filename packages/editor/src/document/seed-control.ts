import { setValue, type EditResult, type GraphDocument } from '@piagraph/graph-core';
import type { SchemaMap } from '../defs/object-info.js';
import { composeEdits } from './edits.js';

/** What happens to a seed-style INT widget each time the graph is queued. */
export type SeedControl = 'fixed' | 'increment' | 'decrement' | 'randomize';

export const SEED_CONTROLS: readonly SeedControl[] = ['fixed', 'increment', 'decrement', 'randomize'];

/** New seed widgets randomize, as in ComfyUI. */
export const DEFAULT_SEED_CONTROL: SeedControl = 'randomize';

/** Where the choices live in `node.ui` (the key graph-core's ComfyUI workflow import writes). */
export const SEED_CONTROL_KEY = 'controlAfterGenerate';

/** ComfyUI caps random seeds at 2^50 so they survive a round trip through a double. */
const RANDOM_MAX = 2 ** 50;

/** A node's control mode for one seed input; ComfyUI's legacy `true` and unknown values read as the default. */
export function seedControlOf(doc: GraphDocument, nodeId: string, input: string): SeedControl {
  const controls = doc.nodes[nodeId]?.ui?.[SEED_CONTROL_KEY] as Record<string, unknown> | undefined;
  const value = controls?.[input];
  return SEED_CONTROLS.includes(value as SeedControl) ? (value as SeedControl) : DEFAULT_SEED_CONTROL;
}

/** The next value of a seed under a control mode, kept within [min, max] (increment wraps to min). */
export function nextSeed(
  value: number,
  control: SeedControl,
  range: { min?: number; max?: number; step?: number },
  random: () => number,
): number {
  const min = range.min ?? 0;
  const max = Math.min(range.max ?? RANDOM_MAX, RANDOM_MAX);
  const step = range.step ?? 1;
  switch (control) {
    case 'fixed':
      return value;
    case 'increment':
      return value + step > max ? min : value + step;
    case 'decrement':
      return value - step < min ? max : value - step;
    case 'randomize':
      return min + Math.floor(random() * (max - min + 1));
  }
}

/** One seed widget's next value. */
export interface SeedAdvance {
  nodeId: string;
  input: string;
  value: number;
}

/**
 * The next value of every seed widget (INT inputs with `control_after_generate`) that its control mode changes.
 * Linked seeds and muted nodes are left alone.
 */
export function seedAdvances(doc: GraphDocument, schemas: SchemaMap, random = Math.random): SeedAdvance[] {
  const linked = new Set(Object.values(doc.links).map((l) => `${l.target.node}\u0000${l.target.input}`));
  const advances: SeedAdvance[] = [];
  for (const node of Object.values(doc.nodes)) {
    const schema = schemas.get(node.classType);
    if (!schema || node.mode === 'muted') continue;
    for (const input of schema.inputs) {
      const spec = input.spec;
      if (spec.type !== 'INT' || !('control_after_generate' in spec) || !spec.control_after_generate) continue;
      if (linked.has(`${node.id}\u0000${input.name}`)) continue;
      const value = Number(node.values[input.name] ?? 0);
      const next = nextSeed(value, seedControlOf(doc, node.id, input.name), spec, random);
      if (next !== value) advances.push({ nodeId: node.id, input: input.name, value: next });
    }
  }
  return advances;
}

/** The edit that sets seeds to their advanced values (nodes deleted since are skipped), as one undo step. */
export function applySeedAdvances(doc: GraphDocument, advances: readonly SeedAdvance[]): EditResult {
  return composeEdits(
    doc,
    advances.filter((a) => doc.nodes[a.nodeId]).map((a) => (d: GraphDocument) => setValue(d, a.nodeId, a.input, a.value)),
  );
}

/**
 * The edit that advances every seed widget by its control mode. The editor queues the document this edit makes
 * (the server only ever sees concrete numbers) and keeps the edit only once the server has queued the prompt.
 */
export function applySeedControls(doc: GraphDocument, schemas: SchemaMap, random = Math.random): EditResult {
  return applySeedAdvances(doc, seedAdvances(doc, schemas, random));
}
