import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyNodeDefinition } from '@piagraph/graph-core';
import { CliUsageError } from './cli-io.js';

function isNodeDefinition(value: unknown): value is AnyNodeDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { classType?: unknown }).classType === 'string' &&
    typeof (value as { run?: unknown }).run === 'function'
  );
}

function isDefinitionList(value: unknown): value is AnyNodeDefinition[] {
  return Array.isArray(value) && value.length > 0 && value.every(isNodeDefinition);
}

/**
 * Loads extra node packs given with `--pack`: a module whose default export, or `nodes` export, is an array of node
 * definitions; failing those, every exported array of definitions (deduplicated) is taken.
 */
export async function loadNodePacks(specifiers: readonly string[], cwd: string): Promise<AnyNodeDefinition[]> {
  const all: AnyNodeDefinition[] = [];
  for (const spec of specifiers) {
    const url = spec.startsWith('.') || spec.startsWith('/') ? pathToFileURL(resolve(cwd, spec)).href : spec;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (err) {
      throw new CliUsageError(`Cannot load node pack "${spec}": ${(err as Error).message}`);
    }
    let defs: AnyNodeDefinition[];
    if (isDefinitionList(mod.default)) defs = mod.default;
    else if (isDefinitionList(mod.nodes)) defs = mod.nodes;
    else defs = [...new Set(Object.values(mod).filter(isDefinitionList).flat())];
    if (defs.length === 0) {
      throw new CliUsageError(`Node pack "${spec}" exports no array of node definitions (default or "nodes" export)`);
    }
    all.push(...defs.filter((d) => !all.includes(d)));
  }
  return all;
}
