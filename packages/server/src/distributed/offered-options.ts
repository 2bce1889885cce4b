import { inputEntries, type AnyNodeDefinition, type ComboInputSpec, type InputSpec } from '@piagraph/graph-core';

/** Per class, per input: the choices a worker read from its own folders (its model files). */
export type ComboBook = Record<string, Record<string, string[]>>;

/** The choices of every folder-read combo of `defs`, read now (what a worker reports to the server). */
export function readComboBook(defs: readonly AnyNodeDefinition[]): ComboBook {
  const book: ComboBook = {};
  for (const def of defs) {
    for (const entry of inputEntries(def)) {
      const spec = entry.spec as ComboInputSpec;
      if (spec.type !== 'COMBO' || typeof spec.options !== 'function') continue;
      try {
        (book[def.classType] ??= {})[entry.name] = [...spec.options()];
      } catch {
        // A list that cannot be read (a missing folder) offers nothing.
      }
    }
  }
  return book;
}

/**
 * The choices the connected workers offer. The server's models may live only on the workers (each worker's data
 * folder holds its models), so validation and `object_info` take a folder-read combo's choices from the server's own
 * folders and from every connected worker.
 */
export class OfferedOptions {
  private readonly byWorker = new Map<string, ComboBook>();

  set(workerId: string, book: ComboBook): void {
    this.byWorker.set(workerId, book);
  }

  delete(workerId: string): void {
    this.byWorker.delete(workerId);
  }

  /** Whether the worker offers `value` as a choice of an input named `input` (of any class). */
  offers(workerId: string, input: string, value: string): boolean {
    const book = this.byWorker.get(workerId);
    if (!book) return false;
    return Object.values(book).some((inputs) => inputs[input]?.includes(value) === true);
  }

  get(classType: string, input: string): string[] {
    const all = new Set<string>();
    for (const book of this.byWorker.values()) for (const option of book[classType]?.[input] ?? []) all.add(option);
    return [...all];
  }
}

/**
 * Copies of `defs` whose folder-read combos also offer what the workers offer (`offered`); the others are returned
 * as they are. Copies, never changes: the same definitions may serve other servers in this process.
 */
export function withOfferedOptions(defs: readonly AnyNodeDefinition[], offered: OfferedOptions): AnyNodeDefinition[] {
  return defs.map((def) => {
    let changed = false;
    const copy = (decl: Readonly<Record<string, InputSpec>> | undefined): Record<string, InputSpec> | undefined => {
      if (!decl) return undefined;
      const out: Record<string, InputSpec> = {};
      for (const [name, spec] of Object.entries(decl)) {
        const combo = spec as ComboInputSpec;
        if (combo.type === 'COMBO' && typeof combo.options === 'function') {
          const own = combo.options;
          changed = true;
          out[name] = { ...combo, options: () => [...new Set([...own(), ...offered.get(def.classType, name)])] };
        } else out[name] = spec;
      }
      return out;
    };
    const required = copy(def.inputs.required);
    const optional = copy(def.inputs.optional);
    if (!changed) return def;
    return { ...def, inputs: { ...(required ? { required } : {}), ...(optional ? { optional } : {}) } };
  });
}
