import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyNodeDefinition } from '@piagraph/graph-core';
import { packageVersionOf } from '../distributed/pack-identity.js';
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

/** The folders a pack module's `createNodes` export is given, for nodes that read or write files. */
export interface PackFolders {
  input: string;
  output: string;
  temp: string;
  models: string;
}

/** One `--pack` module: the definitions it gave, and the name and version that identify it across machines. */
export interface LoadedPack {
  spec: string;
  /** Its `name` export, else the module file's name without extension. */
  name: string;
  /** Its `version` export, else the version of the nearest package.json, else "unversioned". */
  version: string;
  defs: AnyNodeDefinition[];
}

/**
 * Loads extra node packs given with `--pack`: a module whose default export, or `nodes` export, is an array of node
 * definitions; failing those, every exported array of definitions (deduplicated) is taken.
 */
export async function loadNodePacks(specifiers: readonly string[], cwd: string, folders?: PackFolders): Promise<AnyNodeDefinition[]> {
  const all: AnyNodeDefinition[] = [];
  for (const pack of await loadNodePackModules(specifiers, cwd, folders)) all.push(...pack.defs.filter((d) => !all.includes(d)));
  return all;
}

/**
 * `loadNodePacks`, one entry per module. A module may instead export `createNodes(folders)`, called with the data
 * folders (a worker's own), for nodes that read inputs or write outputs.
 */
export async function loadNodePackModules(specifiers: readonly string[], cwd: string, folders?: PackFolders): Promise<LoadedPack[]> {
  const packs: LoadedPack[] = [];
  for (const spec of specifiers) {
    const url = spec.startsWith('.') || spec.startsWith('/') ? pathToFileURL(resolve(cwd, spec)).href : spec;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(url)) as Record<string, unknown>;
    } catch (err) {
      throw new CliUsageError(`Cannot load node pack "${spec}": ${(err as Error).message}`);
    }
    let defs: AnyNodeDefinition[];
    const created = typeof mod.createNodes === 'function' && folders ? (mod.createNodes as (f: PackFolders) => unknown)(folders) : undefined;
    if (isDefinitionList(created)) defs = created;
    else if (isDefinitionList(mod.default)) defs = mod.default;
    else if (isDefinitionList(mod.nodes)) defs = mod.nodes;
    else defs = [...new Set(Object.values(mod).filter(isDefinitionList).flat())];
    if (defs.length === 0) {
      throw new CliUsageError(`Node pack "${spec}" exports no array of node definitions (default or "nodes" export)`);
    }
    const file = url.startsWith('file:') ? fileURLToPath(url) : undefined;
    packs.push({
      spec,
      name: typeof mod.name === 'string' ? mod.name : basename(file ?? spec).replace(/\.[cm]?[jt]s$/, ''),
      version: typeof mod.version === 'string' ? mod.version : ((file && packageVersionOf(file)) ?? 'unversioned'),
      defs,
    });
  }
  return packs;
}
