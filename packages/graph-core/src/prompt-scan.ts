/** The first pass over an API prompt: every node's class looked up, ids numbered, output nodes listed. */
import { idTable, type IdSlots } from './graph-walk.js';
import { inputEntries, type InputEntry } from './node-inputs.js';
import type { NodeRegistry } from './node-registry.js';
import type { AnyNodeDefinition } from './types/node-def.js';
import type { NodeErrors, ValidationErrorItem } from './types/validation.js';
import { unknownClassErrors, type UnknownClassNode } from './unknown-classes.js';

/** A prompt-level validation error (ComfyUI's `error` of a failed `validate_prompt`). */
export function promptError(type: ValidationErrorItem['type'], message: string, details = ''): ValidationErrorItem {
  return { type, message, details, extra_info: {} };
}

/** Whether a JSON value is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A registered class with its inputs in `input_order`. */
export interface ClassInfo {
  def: AnyNodeDefinition;
  entries: readonly InputEntry[];
}

/**
 * Class lookups memoised for one validation: a 10,000-node prompt has a handful of classes, and the scan looks
 * every node's class up (one `Map` hit here instead of a registry hit plus a `WeakMap` hit).
 */
export class ClassTable {
  readonly #known = new Map<string, ClassInfo | null>();
  /** Whether a class looked up so far declares `validate` (when none does, that pass is skipped). */
  anyValidate = false;

  constructor(readonly registry: NodeRegistry) {}

  get(classType: string): ClassInfo | undefined {
    let info = this.#known.get(classType);
    if (info === undefined) {
      const def = this.registry.get(classType);
      info = def ? { def, entries: inputEntries(def) } : null;
      if (def?.validate) this.anyValidate = true;
      this.#known.set(classType, info);
    }
    return info ?? undefined;
  }
}

/** What `scanNodes` learnt about a sound prompt. */
export interface ScannedPrompt {
  outputNodes: string[];
  /** The prompt's ids, numbered in key order. */
  slots: IdSlots;
  /**
   * Each node's class, by slot: preparing reads a node's class and each link's source class, and an array
   * read by slot saves those 23,000 `Map` lookups (hashing each class name) on a 10,000-node prompt.
   */
  classBySlot: readonly ClassInfo[];
}

/**
 * Checks that every node has a known class, returning a malformed node as ComfyUI's `invalid_prompt`, every node
 * of an unknown class at once (`unknownClassErrors`), or else the output nodes (one pass over the prompt serves
 * all three).
 */
export function scanNodes(
  classes: ClassTable,
  prompt: Record<string, unknown>,
): { error: ValidationErrorItem; nodeErrors: NodeErrors } | ScannedPrompt {
  const outputNodes: string[] = [];
  const ids = Object.keys(prompt);
  // Numeric ids come first and ascending from `Object.keys`, so this table fills in order and stays fast.
  const slotOf = idTable<number>();
  const classBySlot: ClassInfo[] = [];
  const unknown: UnknownClassNode[] = [];
  for (let slot = 0; slot < ids.length; slot++) {
    const id = ids[slot]!;
    slotOf[id] = slot;
    const node = prompt[id];
    if (!isRecord(node) || typeof node['class_type'] !== 'string') {
      const details = `Node ID '#${id}'`;
      return { error: promptError('invalid_prompt', 'Cannot execute because a node is missing the class_type property.', details), nodeErrors: {} };
    }
    const info = classes.get(node['class_type']);
    if (!info) {
      const meta = node['_meta'];
      const title = isRecord(meta) && typeof meta['title'] === 'string' ? meta['title'] : undefined;
      unknown.push({ nodeId: id, classType: node['class_type'], ...(title !== undefined ? { title } : {}) });
      continue;
    }
    if (node['inputs'] !== undefined && !isRecord(node['inputs'])) {
      const message = `Cannot execute because the inputs of node ${id} are not an object.`;
      return { error: promptError('invalid_prompt', message, `Node ID '#${id}'`), nodeErrors: {} };
    }
    classBySlot.push(info);
    if (info.def.outputNode === true) outputNodes.push(id);
  }
  if (unknown.length > 0) return unknownClassErrors(unknown);
  return { outputNodes, slots: { of: slotOf, count: ids.length }, classBySlot };
}

/** The class of node `id` of a scanned prompt, if the prompt has that node. */
export function classAt(scan: ScannedPrompt, id: string): ClassInfo | undefined {
  const slot = scan.slots.of[id];
  return slot === undefined ? undefined : scan.classBySlot[slot];
}

