import { RegistryError } from './errors.js';
import { toObjectInfo, type ObjectInfo, type ObjectInfoNode } from './object-info.js';
import type { AnyNodeDefinition } from './types/node-def.js';

/** The pack name used for definitions registered without one. */
export const DEFAULT_PACK = 'piagraph';

/** Options of a `NodeRegistry`. */
export interface NodeRegistryOptions {
  /** Pack name for `register(...)` without a pack; becomes `python_module` (default `"piagraph"`). */
  defaultPack?: string;
}

/** The node classes a runtime knows, by `classType`, with the pack each came from. */
export class NodeRegistry {
  readonly #defs = new Map<string, AnyNodeDefinition>();
  readonly #packs = new Map<string, string>();
  readonly #defaultPack: string;

  constructor(options: NodeRegistryOptions = {}) {
    this.#defaultPack = options.defaultPack ?? DEFAULT_PACK;
  }

  /** Registers definitions under the default pack; a class name registered twice is an error. */
  register(...defs: AnyNodeDefinition[]): this {
    return this.registerPack(this.#defaultPack, defs);
  }

  /** Registers definitions under `pack` (e.g. `"piagraph.nodes-pia"`, reported as `python_module`). */
  registerPack(pack: string, defs: readonly AnyNodeDefinition[]): this {
    const seen = new Set<string>();
    for (const def of defs) {
      if (typeof def?.classType !== 'string' || def.classType === '') {
        throw new RegistryError('invalid_definition', `a node definition of pack "${pack}" has no classType`, {
          pack,
        });
      }
      if (this.#defs.has(def.classType) || seen.has(def.classType)) {
        const owner = this.#packs.get(def.classType) ?? pack;
        throw new RegistryError(
          'duplicate_node_class',
          `node class "${def.classType}" is already registered (by pack "${owner}")`,
          { classType: def.classType, pack },
        );
      }
      if (typeof def.run !== 'function') {
        throw new RegistryError('invalid_definition', `node class "${def.classType}" has no run function`, {
          classType: def.classType,
        });
      }
      seen.add(def.classType);
    }
    for (const def of defs) {
      this.#defs.set(def.classType, def);
      this.#packs.set(def.classType, pack);
    }
    return this;
  }

  get(classType: string): AnyNodeDefinition | undefined {
    return this.#defs.get(classType);
  }

  has(classType: string): boolean {
    return this.#defs.has(classType);
  }

  /** Every definition in registration order. */
  list(): AnyNodeDefinition[] {
    return [...this.#defs.values()];
  }

  /** The pack a class came from. */
  packOf(classType: string): string | undefined {
    return this.#packs.get(classType);
  }

  /** ComfyUI's `GET /object_info` for every class. Combo option functions are called each time. */
  objectInfo(): ObjectInfo {
    const info: ObjectInfo = {};
    for (const [classType, def] of this.#defs) info[classType] = toObjectInfo(def, this.#packs.get(classType)!);
    return info;
  }

  /** ComfyUI's `GET /object_info/{class}` entry, or `undefined` for an unknown class (the server answers `{}`). */
  objectInfoFor(classType: string): ObjectInfoNode | undefined {
    const def = this.#defs.get(classType);
    return def ? toObjectInfo(def, this.#packs.get(classType)!) : undefined;
  }
}
