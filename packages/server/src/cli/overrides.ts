import type { ApiPrompt, LiteralValue, NodeRegistry } from '@piagraph/graph-core';
import { CliUsageError } from './cli-io.js';

/** One `--set NODE.INPUT=VALUE`. */
export interface InputOverride {
  node: string;
  input: string;
  value: LiteralValue;
}

/**
 * Parses `NODE.INPUT=VALUE`. The value is read as JSON when it parses (`42`, `true`, `[1,2]`, `"quoted"`), else
 * taken as a plain string, so `--set 6.text=a red fox` needs no quoting of its own.
 */
export function parseOverride(text: string): InputOverride {
  const eq = text.indexOf('=');
  const target = eq < 0 ? text : text.slice(0, eq);
  const dot = target.lastIndexOf('.');
  if (eq < 0 || dot <= 0 || dot === target.length - 1) {
    throw new CliUsageError(`--set expects NODE.INPUT=VALUE (e.g. 3.seed=42), got "${text}"`);
  }
  const raw = text.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  // A literal list travels wrapped, so it is never read as a link.
  if (Array.isArray(value)) value = { __value__: value };
  return { node: target.slice(0, dot), input: target.slice(dot + 1), value: value as LiteralValue };
}

/**
 * Applies overrides to a prompt copy. `NODE` is a node id, or else a node title (`_meta.title`) that names exactly
 * one node; `INPUT` must be an input the node's class declares.
 */
export function applyOverrides(prompt: ApiPrompt, overrides: readonly InputOverride[], registry: NodeRegistry): ApiPrompt {
  const out = structuredClone(prompt);
  for (const o of overrides) {
    let id = o.node in out ? o.node : undefined;
    if (id === undefined) {
      const byTitle = Object.entries(out).filter(([, n]) => n._meta?.title === o.node);
      if (byTitle.length > 1) throw new CliUsageError(`--set: ${byTitle.length} nodes are titled "${o.node}"; use a node id`);
      id = byTitle[0]?.[0];
    }
    if (id === undefined) {
      throw new CliUsageError(`--set: no node "${o.node}" in the graph; node ids: ${Object.keys(out).join(', ')}`);
    }
    const node = out[id]!;
    const def = registry.get(node.class_type);
    const declared = def ? [...Object.keys(def.inputs.required ?? {}), ...Object.keys(def.inputs.optional ?? {})] : [];
    if (def && !declared.includes(o.input)) {
      throw new CliUsageError(`--set: node ${id} (${node.class_type}) has no input "${o.input}"; inputs: ${declared.join(', ')}`);
    }
    node.inputs[o.input] = o.value;
  }
  return out;
}
