import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyNodeDefinition, InputSpec } from '@piagraph/graph-core';

/**
 * What identifies a node pack across machines: its name, its version, and a hash of its node classes' interfaces
 * (class names, inputs with their types and fixed choices, outputs). Lists read from folders (model files) are left
 * out of the hash: they differ between machines by design.
 */
export interface PackIdentity {
  name: string;
  version: string;
  classes: number;
  interfaceHash: string;
}

/** The version in the nearest `package.json` at or above `file`, if any. */
export function packageVersionOf(file: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const version = (JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown }).version;
        return typeof version === 'string' ? version : undefined;
      } catch {
        return undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The version of the installed `@piagraph/nodes-pia`. */
export function piaPackVersion(): string {
  try {
    return packageVersionOf(fileURLToPath(import.meta.resolve('@piagraph/nodes-pia'))) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function specShape(spec: InputSpec): unknown {
  const shape: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec).sort(([a], [b]) => a.localeCompare(b))) {
    // Default values and texts do not change what a prompt means to a worker; types, bounds and fixed choices do.
    if (key === 'tooltip' || key === 'default' || key === 'placeholder') continue;
    shape[key] = typeof value === 'function' ? '<read at run time>' : value;
  }
  return shape;
}

/** The identity of a pack from its definitions. */
export function packIdentity(name: string, version: string, defs: readonly AnyNodeDefinition[]): PackIdentity {
  const shapes = [...defs]
    .sort((a, b) => a.classType.localeCompare(b.classType))
    .map((def) => ({
      classType: def.classType,
      outputNode: def.outputNode === true,
      required: Object.entries(def.inputs.required ?? {}).map(([k, spec]) => [k, specShape(spec as InputSpec)]),
      optional: Object.entries(def.inputs.optional ?? {}).map(([k, spec]) => [k, specShape(spec as InputSpec)]),
      outputs: def.outputs.map((o: { type: string }) => o.type),
    }));
  const interfaceHash = createHash('sha256').update(JSON.stringify(shapes)).digest('hex').slice(0, 16);
  return { name, version, classes: defs.length, interfaceHash };
}

/**
 * Why a worker's packs cannot run the server's jobs, as one sentence naming each difference; undefined when they
 * match. Both sides must have the same packs, at the same versions, with the same node interfaces.
 */
export function packMismatch(server: readonly PackIdentity[], worker: readonly PackIdentity[]): string | undefined {
  const problems: string[] = [];
  const mine = new Map(worker.map((p) => [p.name, p]));
  for (const s of server) {
    const w = mine.get(s.name);
    mine.delete(s.name);
    if (!w) problems.push(`pack "${s.name}" ${s.version} is missing on the worker`);
    else if (w.version !== s.version) problems.push(`pack "${s.name}" is ${w.version} on the worker but ${s.version} on the server`);
    else if (w.interfaceHash !== s.interfaceHash) {
      problems.push(`pack "${s.name}" ${s.version} has different node classes on the worker (${w.classes} classes, interface ${w.interfaceHash}) than on the server (${s.classes}, ${s.interfaceHash})`);
    }
  }
  for (const w of mine.values()) problems.push(`pack "${w.name}" ${w.version} is on the worker but not on the server`);
  if (problems.length === 0) return undefined;
  return `node packs differ from the server's: ${problems.join('; ')}. Install the same node pack versions on the server and every worker.`;
}
